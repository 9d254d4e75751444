"""The open-data export against the SCDL « subventions » schema (2.1.1), read back: its
columns in order, their types (ISO dates, 14-digit SIRETs, dot decimals), the funders as
granting bodies and the Département as beneficiary — never a body subsidising itself —,
and amounts decided and paid per funder and year equal to the money cycle's figures."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest

from cej.models import PartyRole
from cej.money import format_eur
from financing.cycle_selectors import contract_cycle, line_plans
from financing.cycle_services import funder_payment_record
from financing.models import FunderPayment
from financing.opendata import COLUMNS, build_opendata_csv
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

URL = "/contracts/cej-loire-2014-2017/budget/opendata.csv"
# The schema's columns, in its order (scdl/subventions 2.1.1, schema.data.gouv.fr).
SCHEMA_COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
CAF = "Caisse d'allocations familiales de la Loire"
PAID = re.compile(r" ; versé au [^:]+ : (.+)$")


def parse_eur(text: str) -> Decimal:
    return Decimal(text.replace("\u202f", "").replace("\xa0", "").rstrip("€").replace(",", "."))


@pytest.fixture
def paid(blank_cycle, demo, demo_user):
    """Two payments the CAF made for 2014 and a sum paid back, recorded as its finance
    officer records them."""
    caf = demo.contract.parties.get(partner__short_name="CAF").partner
    for kind, amount, day in [
        ("advance", "61267.50", datetime.date(2014, 6, 30)),
        ("balance", "20000.00", datetime.date(2015, 9, 15)),
        ("refund", "1000.00", datetime.date(2015, 11, 2)),
    ]:
        funder_payment_record(
            payment=FunderPayment(
                contract=demo.contract,
                funder=caf,
                year=2014,
                kind=kind,
                amount=Decimal(amount),
                received_on=day,
                reference=f"M-{kind}",
            ),
            by=demo_user("partner-caf"),
        )
    return Decimal("80267.50")


@pytest.fixture
def rows(client, demo_user, paid):
    client.force_login(demo_user("partner-caf"))
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="subventions-cej-loire-2014-2017.csv"'
    )
    raw = response.content
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, as the schema's validators read it
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == ",".join(SCHEMA_COLUMNS)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_columns_are_the_schema_s_in_its_order():
    assert COLUMNS == SCHEMA_COLUMNS


def test_the_funders_grant_the_beneficiary_never_itself(rows, demo_contract):
    parties = {p.partner.siret: p for p in demo_contract.parties.select_related("partner")}
    beneficiary = demo_contract.parties.get(role=PartyRole.BENEFICIARY).partner
    funders = {p.partner.name for p in parties.values() if p.role == PartyRole.FUNDER}
    assert {row["nomAttribuant"] for row in rows} == funders
    for row in rows:
        assert row["idAttribuant"] != row["idBeneficiaire"]
        assert parties[row["idAttribuant"]].role == PartyRole.FUNDER
        assert row["idBeneficiaire"] == beneficiary.siret
    # Each act prints the name in force on its date: the Conseil général until March 2015.
    assert {row["nomBeneficiaire"] for row in rows if row["dateConvention"] < "2015"} == {
        "Conseil général de la Loire"
    }
    assert {row["nomBeneficiaire"] for row in rows if row["dateConvention"] > "2015-03"} == {
        "Département de la Loire"
    }


def test_amounts_decided_and_paid_per_funder_and_year_are_the_cycle_s(rows, demo_contract, paid):
    plans = line_plans(demo_contract)
    decided: dict[tuple, Decimal] = {}
    for plan in plans.values():
        for funder_id, amount in plan.forecast.psej.items():
            decided[funder_id, plan.year] = decided.get((funder_id, plan.year), 0) + amount
    cycle = contract_cycle(demo_contract)
    sirets = {f.siret: f.pk for f in cycle.funders}
    assert len(rows) == len(cycle.positions) == 2 * 4
    found_decided, found_paid = {}, {}
    for row in rows:
        key = (sirets[row["idAttribuant"]], int(row["datesPeriodeVersement"][:4]))
        found_decided[key] = Decimal(row["montant"])
        found_paid[key] = parse_eur(PAID.search(row["objet"]).group(1))
    assert found_decided == decided
    assert found_paid == {(p.funder_id, p.year): p.position.received for p in cycle.positions}
    caf = demo_contract.parties.get(partner__short_name="CAF").partner_id
    assert found_paid[caf, 2014] == paid
    assert "versé au" in next(r["objet"] for r in rows if r["nomAttribuant"] == CAF)
    assert format_eur(paid) in next(
        r["objet"] for r in rows if r["nomAttribuant"] == CAF and "2014" in r["objet"][:45]
    )


def test_types_and_formats_follow_the_schema(rows, demo_contract):
    for row in rows:
        assert list(row) == SCHEMA_COLUMNS
        assert re.fullmatch(r"\d{14}", row["idAttribuant"])
        assert re.fullmatch(r"\d{14}", row["idBeneficiaire"])
        assert datetime.date.fromisoformat(row["dateConvention"])
        assert re.fullmatch(r"\d+\.\d{2}", row["montant"])  # dot decimal, no grouping
        assert Decimal(row["montant"]) > 0
        assert row["nature"] == "aide en numéraire"
        assert row["conditionsVersement"] == "échelonné"
        start, end = row["datesPeriodeVersement"].split("/")
        year = int(start[:4])
        assert start == f"{year}-01-01"
        assert datetime.date.fromisoformat(end) == datetime.date(year + 1, 9, 30)  # the balance
        assert row["rnaBeneficiaire"] == row["idRAE"] == row["dispositifAide"] == ""
        assert row["notificationUE"] == "non"
        assert row["pourcentageSubvention"] == "1.00"
        assert 0 < len(row["objet"]) < 256
    by_year = {(r["nomAttribuant"], r["datesPeriodeVersement"][:4]): r for r in rows}
    # 2014 as the contract set it; 2015–2017 as avenant n° 1 (signed 26 May 2015) changed it.
    assert by_year[CAF, "2014"]["dateConvention"] == "2014-10-01"
    assert by_year[CAF, "2014"]["referenceDecision"] == "n° 2014-051 du 2014-09-09"
    assert by_year[CAF, "2016"]["dateConvention"] == "2015-05-26"
    assert by_year[CAF, "2016"]["referenceDecision"] == (
        "n° 2014-051 du 2014-09-09 ; n° 2015-027 du 2015-04-14"
    )
    assert by_year[CAF, "2014"]["objet"].startswith(
        "Prestation de service enfance jeunesse 2014, Contrat enfance jeunesse départemental "
        "de la Loire 2014–2017 (Coordination, Communication, Dispositif"
    )


def test_a_long_title_keeps_the_subject_within_the_schema_s_limit(demo_contract):
    demo_contract.title = "Contrat " + "très " * 80
    text = build_opendata_csv(demo_contract).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows and all(len(row["objet"]) < 256 for row in rows)
    assert all(PAID.search(row["objet"]) for row in rows)


def test_an_unsigned_contract_grants_nothing_yet(db):
    contract = ContractFactory()
    text = build_opendata_csv(contract).decode("utf-8")
    assert text.strip() == ",".join(SCHEMA_COLUMNS)
