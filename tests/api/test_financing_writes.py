"""What a partner's information system pushes through the API — a line's actual figures, a
payment received — goes through the pages' services and rules: the same people, the same
optimistic lock (a stale version is a 409 naming who saved in between), the same history
with its author; a refusal names the field in French and writes nothing."""

import json
from decimal import Decimal

import pytest

from cej.models import ContractStatus
from financing.line_selectors import line_financing
from financing.models import BudgetLine, BudgetLineVersion, FunderPayment
from tests.api.financing_helpers import BASE, line_url, money_state, token_client
from tests.api.routes_exercised import WRITE_ROUTES_EXERCISED

pytestmark = pytest.mark.django_db

D = Decimal
CALLED: set[tuple[str, str]] = set()
ACTUAL_ROUTE = ("/api/v1/contracts/{slug}/budget-lines/{id}/actual/", "POST")
PAYMENT_ROUTE = ("/api/v1/contracts/{slug}/payments/", "POST")


@pytest.fixture
def communication(demo_contract):
    """The signed demo's 2015 communication line: 38 000 € with 3 000 € of other receipts;
    CAF 17 325 €, MSA 1 925 €, the Département 15 750 €."""
    return BudgetLine.objects.get(contract=demo_contract, year=2015, post__code="communication")


@pytest.fixture
def finance(demo_user):
    return token_client(demo_user("finance"))


@pytest.fixture
def caf(demo_user):
    return token_client(demo_user("partner-caf"))


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def declare(client, line, expenses, receipts, version=None, *, form=False):
    data = {
        "version": line.version if version is None else version,
        "actual_expenses": expenses,
        "actual_receipts": receipts,
    }
    url = line_url(line, "actual/")
    response = client.post(url, data) if form else post_json(client, url, data)
    if response.status_code == 200:
        CALLED.add(ACTUAL_ROUTE)
    return response


def test_finance_declares_a_lines_actuals_and_the_history_names_them(
    finance, communication, demo_user
):
    before = communication.version
    response = declare(finance, communication, "36000.00", "2000")
    assert response.status_code == 200, response.content
    shown = response.json()
    assert (shown["actual_expenses"], shown["actual_receipts"]) == ("36000.00", "2000.00")
    assert shown["version"] == before + 1
    communication.refresh_from_db()
    assert (communication.actual_expenses, communication.actual_receipts) == (
        D("36000.00"),
        D("2000.00"),
    )
    version = BudgetLineVersion.objects.get(line=communication, number=before + 1)
    assert (version.action, version.author) == ("Réalisé déclaré", demo_user("finance"))
    # The actual plan is the actuals page's, to the cent.
    financing = line_financing(communication.contract, communication)
    actual = shown["plan"]["actual"]
    assert D(actual["net_cost"]) == financing.actual.net_cost == D("34000.00")
    assert [D(s["amount"]) for s in actual["psej"]] + [D(actual["beneficiary_share"])] == [
        row.amount for row in financing.actual.shares
    ]
    history = finance.get(line_url(communication, "versions/")).json()["results"]
    assert history[0]["number"] == before + 1
    assert history[0]["action"] == "Réalisé déclaré"
    assert history[0]["author"] == version.author_name
    assert {c["field"] for c in history[0]["changes"]} >= {"Dépenses réalisées"}


def test_a_form_encoded_declaration_by_session_works_too(client, communication, demo_user):
    client.force_login(demo_user("finance"))
    response = declare(client, communication, "30000.50", "0", form=True)
    assert response.status_code == 200, response.content
    communication.refresh_from_db()
    assert communication.actual_expenses == D("30000.50")


def test_both_empty_withdraws_a_declaration(finance, communication):
    assert declare(finance, communication, "36000", "0").status_code == 200
    communication.refresh_from_db()
    response = declare(finance, communication, None, "")
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["actual"] is None
    communication.refresh_from_db()
    assert communication.actual_expenses is None


def test_a_stale_version_is_a_conflict_naming_who_saved(finance, communication, demo_user):
    opened = communication.version
    admin = token_client(demo_user("admin"))
    assert declare(admin, communication, "30000", "0", version=opened).status_code == 200
    before = money_state(communication.contract)
    response = declare(finance, communication, "36000.00", "2000.00", version=opened)
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Conflit de version : Alice Administratrice a enregistré")
    assert "Rien n'a été enregistré" in body["detail"]
    assert (body["current_version"], body["your_version"]) == (opened + 1, opened)
    assert [c["field"] for c in body["changes"]] == [
        "Dépenses réalisées",
        "Autres recettes réalisées",
    ]
    assert money_state(communication.contract) == before


@pytest.mark.parametrize(
    ("expenses", "receipts", "field", "says"),
    [
        (0.1 + 0.2, "0", "actual_expenses", "deux chiffres après la virgule"),
        ("12.345", "0", "actual_expenses", "deux chiffres après la virgule"),
        ("-5", "0", "actual_expenses", "ne peut pas être négatif"),
        ("10000000000.00", "0", "actual_expenses", "trop grand"),
        ("36 000,00", "0", "actual_expenses", "Montant attendu"),
        ("1e3", "0", "actual_expenses", "Montant attendu"),
        ("NaN", "0", "actual_expenses", "Montant attendu"),
        (True, "0", "actual_expenses", "Montant attendu"),
        ("1000", "2000", "actual_receipts", "dépassent les dépenses"),
        ("1000", None, "actual_receipts", "Le réalisé se déclare entier"),
    ],
)
def test_a_bad_amount_is_refused_naming_the_field(
    finance, communication, expenses, receipts, field, says
):
    before = money_state(communication.contract)
    response = declare(finance, communication, expenses, receipts)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert says in body["errors"][field][0]
    assert f"« {field} »" in body["detail"]
    assert money_state(communication.contract) == before


def test_a_missing_or_odd_version_is_refused(finance, communication):
    before = money_state(communication.contract)
    url = line_url(communication, "actual/")
    response = post_json(finance, url, {"actual_expenses": "1", "actual_receipts": "0"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"version": ["Ce champ est obligatoire."]}
    for version in ("abc", -1, 2**40):
        response = declare(finance, communication, "1", "0", version=version)
        assert list(response.json()["errors"]) == ["version"]
    assert money_state(communication.contract) == before


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("cdaje", "Seuls les agents financiers déclarent le réalisé."),
        ("partner-caf", "Seuls les agents financiers déclarent le réalisé."),
    ],
)
def test_others_are_refused_with_the_pages_reason(communication, demo_user, username, reason):
    before = money_state(communication.contract)
    response = declare(token_client(demo_user(username)), communication, "1", "0")
    assert response.status_code == 403
    assert response.json() == {"detail": reason}
    assert money_state(communication.contract) == before


def test_a_read_only_token_reads_and_writes_nothing(communication, demo_user):
    reader = token_client(demo_user("finance"), read_only=True)
    before = money_state(communication.contract)
    assert reader.get(line_url(communication)).status_code == 200
    assert declare(reader, communication, "1", "0").status_code == 403
    response = post_json(reader, f"{BASE}payments/", {"funder": "caf42"})
    assert response.status_code == 403
    assert "lecture seule" in response.json()["detail"]
    assert money_state(communication.contract) == before


def test_the_contracts_state_rules_as_on_the_page(finance, communication):
    contract = communication.contract
    type(contract).objects.filter(pk=contract.pk).update(status=ContractStatus.DRAFT)
    before = money_state(contract)
    response = declare(finance, communication, "1", "0")
    assert response.status_code == 403
    assert "Le contrat n'est pas encore signé" in response.json()["detail"]
    assert money_state(contract) == before
    # Once it has ended, the actual figures of its last years are still declared (their
    # balance comes the year after): `financing.permissions.can_declare_actuals`.
    type(contract).objects.filter(pk=contract.pk).update(status=ContractStatus.EXPIRED)
    assert declare(finance, communication, "1", "0").status_code == 200


# --- payments received ---------------------------------------------------------------------


def payment(client, *, form=False, **fields):
    data = {
        "funder": "caf42",
        "year": 2016,
        "kind": "advance",
        "amount": "1000.00",
        "received_on": "2016-07-15",
        "reference": "MANDAT-API-1",
        **fields,
    }
    url = f"{BASE}payments/"
    response = client.post(url, data) if form else post_json(client, url, data)
    if response.status_code == 201:
        CALLED.add(PAYMENT_ROUTE)
    return response


def test_the_caf_records_a_payment_received(caf, demo_contract, demo_user):
    position = caf.get(f"{BASE}payments/?funder=caf42&year=2016").json()["results"][0]
    response = payment(caf, note="Versé par le SI de la CAF")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert (shown["funder"], shown["kind"], shown["amount"]) == ("caf42", "advance", "1000.00")
    stored = FunderPayment.objects.get(pk=shown["id"])
    assert stored.recorded_by == demo_user("partner-caf")
    assert (stored.amount, stored.note) == (D("1000.00"), "Versé par le SI de la CAF")
    after = caf.get(f"{BASE}payments/?funder=caf42&year=2016").json()["results"][0]
    assert D(after["received"]) == D(position["received"]) + 1000
    [listed] = [p for p in after["payments"] if p["id"] == shown["id"]]
    assert listed["recorded_by"] == shown["recorded_by"] == "Karim Benali"
    assert demo_contract.funder_payments.filter(reference="MANDAT-API-1").count() == 1


def test_a_form_encoded_payment_by_session_works_too(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    response = payment(client, form=True, kind="balance", reference="MANDAT-API-2")
    assert response.status_code == 201, response.content
    assert FunderPayment.objects.filter(reference="MANDAT-API-2", kind="balance").exists()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"funder": "cg42"}, "funder", "Choisissez un financeur de ce contrat."),
        ({"year": 2020}, "year", "Choisissez un exercice du contrat."),
        ({"kind": "gift"}, "kind", "Choisissez la nature"),
        ({"amount": "0"}, "amount", "Un versement est un montant positif."),
        ({"amount": 1000.005}, "amount", "deux chiffres après la virgule"),
        ({"amount": "-10"}, "amount", "négatif"),
        ({"received_on": "15/07/2016"}, "received_on", "date"),
        ({"reference": ""}, "reference", "Ce champ ne peut être vide."),
        ({"reference": "x" * 101}, "reference", "au plus 100"),
        ({"note": "a\x07b"}, "note", "caractère invisible"),
        ({"kind": "refund", "amount": "99999999.00"}, "amount", "Un reversement ne peut pas"),
    ],
)
def test_a_bad_payment_is_refused_naming_the_field(caf, demo_contract, fields, field, says):
    before = money_state(demo_contract)
    response = payment(caf, **fields)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert says in body["errors"][field][0], body
    assert money_state(demo_contract) == before


@pytest.mark.parametrize(
    ("username", "fields", "reason"),
    [
        ("finance", {}, "Seuls les agents financiers des financeurs saisissent les versements."),
        ("cdaje", {}, "Seuls les agents financiers des financeurs saisissent les versements."),
        ("partner-caf", {"funder": "msa-adl"}, "Vous ne saisissez que les versements de votre"),
    ],
)
def test_only_the_funders_own_officers_record_its_payments(
    demo_contract, demo_user, username, fields, reason
):
    before = money_state(demo_contract)
    response = payment(token_client(demo_user(username)), **fields)
    assert response.status_code == 403
    assert response.json()["detail"].startswith(reason)
    assert money_state(demo_contract) == before


def test_no_payment_before_the_contract_is_signed(caf, demo_contract):
    type(demo_contract).objects.filter(pk=demo_contract.pk).update(status=ContractStatus.DRAFT)
    before = money_state(demo_contract)
    response = payment(caf)
    assert response.status_code == 403
    assert "pas encore signé" in response.json()["detail"]
    assert money_state(demo_contract) == before


def test_every_write_route_listed_is_called_successfully(finance, caf, communication, demo_user):
    """The list the schema test reads (tests/api/routes_exercised.py) is what these tests
    call: each route, once more here, with a payload that succeeds."""
    from tests.api.test_financing_indicators import ROUTE, indicator_of, push

    CALLED.clear()
    assert declare(finance, communication, "100.00", "0").status_code == 200
    assert payment(caf, reference="MANDAT-API-3").status_code == 201
    indicator = indicator_of(communication.contract, 3)
    if push(token_client(demo_user("cdaje")), indicator).status_code == 200:
        CALLED.add(ROUTE)
    assert set(WRITE_ROUTES_EXERCISED) == CALLED
