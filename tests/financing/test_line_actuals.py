"""A line's actual figures (*réalisé*): declared on the signed contract by its territory's
finance officers, both or neither, shown beside the forecast with the actual PSEJ of each
funder (never above its forecast); and the history of a line, whose old versions lack the
keys of the financing plan."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from demo.loire import DEMO_SLUG
from financing.diff import diff_line_snapshots
from financing.models import BudgetLine, BudgetLineVersion
from financing.services import budget_line_save

pytestmark = pytest.mark.django_db

EUR = "\u00a0€"
CAF = "PSEJ Caisse d'allocations familiales de la Loire"
MSA = "PSEJ Caisse de mutualité sociale agricole Ardèche Drôme Loire"
OWN = "Part du bénéficiaire (Département de la Loire)"


def text_of(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(page))


def eur(text: str) -> str:
    return re.sub(r"(?<=\d) (?=\d)", "\u202f", text).replace(" €", EUR)


def actuals_url(line, slug=DEMO_SLUG) -> str:
    return reverse("budget_line_actuals", kwargs={"slug": slug, "pk": line.pk})


@pytest.fixture
def communication(demo_contract):
    """The signed demo's 2015 communication line: 38 000 € with 3 000 € of other receipts,
    a new action: CAF 17 325 €, MSA 1 925 €, the Département 15 750 €."""
    return BudgetLine.objects.get(contract=demo_contract, year=2015, post__code="communication")


@pytest.fixture
def finance(client, demo_user):
    client.force_login(demo_user("finance"))
    return client


def declare(client, line, expenses, receipts, version=None):
    return client.post(
        actuals_url(line),
        {
            "version": line.version if version is None else version,
            "actual_expenses": expenses,
            "actual_receipts": receipts,
        },
    )


def plan_rows(response) -> dict:
    return {label: (f, a) for label, f, a in response.context["financing"].rows}


def test_finance_declares_the_actuals_of_a_signed_contracts_line(finance, communication):
    page = finance.get(actuals_url(communication))
    assert page.status_code == 200
    assert plan_rows(page)[CAF][0] == Decimal("17325.00")
    before = communication.version
    response = declare(finance, communication, "36 000,00", "2 000")
    assert response.status_code == 302
    assert response.url == reverse("budget", kwargs={"slug": DEMO_SLUG})
    communication.refresh_from_db()
    assert (communication.actual_expenses, communication.actual_receipts) == (
        Decimal("36000.00"),
        Decimal("2000.00"),
    )
    assert communication.version == before + 1
    version = BudgetLineVersion.objects.get(line=communication, number=before + 1)
    assert version.action == "Réalisé déclaré"
    assert version.snapshot["actual_expenses"] == "36000.00"
    # The forecast stays as it was; the actual PSEJ is computed on 34 000 € of net cost.
    rows = plan_rows(finance.get(actuals_url(communication)))
    assert rows["Reste à charge"] == (Decimal("35000.00"), Decimal("34000.00"))
    assert rows[CAF] == (Decimal("17325.00"), Decimal("16830.00"))
    assert rows[MSA] == (Decimal("1925.00"), Decimal("1870.00"))
    assert rows[OWN] == (Decimal("15750.00"), Decimal("15300.00"))


def test_the_actual_psej_never_exceeds_the_forecast(finance, communication):
    assert declare(finance, communication, "40 000", "1 000").status_code == 302
    response = finance.get(actuals_url(communication))
    rows = plan_rows(response)
    # 39 000 € of net cost would give 19 305 € and 2 145 €: each funder pays its forecast.
    assert rows[CAF] == (Decimal("17325.00"), Decimal("17325.00"))
    assert rows[MSA] == (Decimal("1925.00"), Decimal("1925.00"))
    assert rows[OWN] == (Decimal("15750.00"), Decimal("19750.00"))
    assert eur("19 750,00 €") in text_of(response)


def test_both_figures_or_neither(finance, communication):
    response = declare(finance, communication, "36 000", "")
    assert response.status_code == 200
    assert response.context["form"].errors["actual_receipts"] == [
        "Le réalisé se déclare entier : saisissez les dépenses et les autres recettes "
        "réalisées (0 s'il n'y en a pas)."
    ]
    assert "Le réalisé n’a pas été enregistré" in text_of(response)
    communication.refresh_from_db()
    assert communication.actual_expenses is None or communication.actual_expenses != Decimal(
        "36000"
    )
    # Both empty: a declaration withdrawn.
    assert declare(finance, communication, "36 000", "0").status_code == 302
    communication.refresh_from_db()
    assert declare(finance, communication, "", "").status_code == 302
    communication.refresh_from_db()
    assert (communication.actual_expenses, communication.actual_receipts) == (None, None)


def test_receipts_above_expenses_are_refused(finance, communication):
    before = communication.version
    response = declare(finance, communication, "1 000", "1 000,01")
    assert response.status_code == 200
    assert response.context["form"].errors["actual_receipts"] == [
        eur(
            "Les autres recettes réalisées (1 000,01 €) dépassent les dépenses réalisées "
            "(1 000,00 €)."
        )
    ]
    response = declare(finance, communication, "-3", "0")
    assert response.context["form"].errors["actual_expenses"] == [
        "Le montant « -3 » est négatif : un montant est positif ou nul."
    ]
    communication.refresh_from_db()
    assert communication.version == before


def test_a_stale_declaration_is_refused_and_keeps_what_was_typed(client, communication, demo_user):
    opened = communication.version
    client.force_login(demo_user("admin"))
    assert declare(client, communication, "30 000", "0", version=opened).status_code == 302
    client.force_login(demo_user("finance"))
    response = declare(client, communication, "36 000,00", "2 000,00", version=opened)
    assert response.status_code == 409
    text = text_of(response)
    assert "Quelqu’un a enregistré cette ligne pendant que vous saisissiez son réalisé" in text
    assert "Alice Administratrice a enregistré la version" in text
    assert [c.label for c in response.context["conflict"]["changes"]] == [
        "Dépenses réalisées",
        "Autres recettes réalisées",
    ]
    form = response.context["form"]
    assert form["actual_expenses"].value() == "36 000,00"
    assert form["version"].value() == str(opened + 1)
    communication.refresh_from_db()
    assert communication.actual_expenses == Decimal("30000.00")
    again = {name: form[name].value() for name in form.fields}
    assert client.post(actuals_url(communication), again).status_code == 302
    communication.refresh_from_db()
    assert communication.actual_expenses == Decimal("36000.00")


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        ("cdaje", "Seuls les agents financiers déclarent le réalisé."),
        ("partner-cg", "Seuls les agents financiers déclarent le réalisé."),
        ("partner-caf", "Seuls les agents financiers déclarent le réalisé."),
        ("partner-msa", "Seuls les agents financiers déclarent le réalisé."),
    ],
)
def test_others_are_refused_with_the_reason(client, communication, demo_user, role, reason):
    client.force_login(demo_user(role))
    before = (communication.version, communication.actual_expenses)
    for response in [
        client.get(actuals_url(communication)),
        declare(client, communication, "1", "0"),
    ]:
        assert response.status_code == 403
        assert reason in text_of(response)
    communication.refresh_from_db()
    assert (communication.version, communication.actual_expenses) == before


def test_no_actuals_before_the_contract_is_signed(finance, contract_in_preparation):
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="communication"
    )
    response = finance.get(actuals_url(line))
    assert response.status_code == 403
    assert "Le contrat n'est pas encore signé" in text_of(response)


def test_the_line_pages_link_the_actuals_for_those_who_declare_them(
    client, communication, demo_user
):
    history = reverse("budget_line_history", kwargs={"slug": DEMO_SLUG, "pk": communication.pk})
    client.force_login(demo_user("finance"))
    assert f'href="{actuals_url(communication)}"' in client.get(history).content.decode()
    client.force_login(demo_user("partner-caf"))
    assert actuals_url(communication) not in client.get(history).content.decode()


# --- the history of a line, old versions included ----------------------------------------


def test_the_history_names_the_plan_and_the_actuals(finance, communication):
    declare(finance, communication, "36 000", "2 000")
    response = finance.get(
        reverse("budget_line_history", kwargs={"slug": DEMO_SLUG, "pk": communication.pk})
    )
    newest = response.context["rows"][0]
    assert [(c.label, str(c.after)) for c in newest["changes"]] == [
        ("Dépenses réalisées", eur("<ins>36 000,00 €</ins>")),
        ("Autres recettes réalisées", eur("<ins>2 000,00 €</ins>")),
    ]
    assert "Version " in text_of(response)


def test_a_version_saved_before_the_financing_plan_still_reads(client, room_in_2015, demo_user):
    """A version written before the plan's keys existed: its receipts were none, its action
    new, its actuals undeclared; nothing is shown as changed that was not."""
    line = budget_line_save(
        line=BudgetLine(
            contract=room_in_2015,
            year=2015,
            post_id=BudgetLine.objects.get(
                contract=room_in_2015, year=2015, post__code="communication"
            ).post_id,
            fiche=None,
            amount=Decimal("30000"),
        ),
        by=demo_user("finance"),
    )
    version = BudgetLineVersion.objects.get(line=line)
    old = {
        k: v
        for k, v in version.snapshot.items()
        if k not in ("other_receipts", "continued", "actual_expenses", "actual_receipts")
    }
    BudgetLineVersion.objects.filter(pk=version.pk).update(snapshot=old)
    line.label = "Affiches"
    budget_line_save(line=line, by=demo_user("finance"), expected_version=1)
    client.force_login(demo_user("partner-msa"))
    response = client.get(
        reverse("budget_line_history", kwargs={"slug": room_in_2015.slug, "pk": line.pk})
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [c.label for c in rows[0]["changes"]] == ["Libellé"]
    assert "Montant prévu" in [c.label for c in rows[1]["changes"]]
    assert "Action antérieure" in [c.label for c in rows[1]["changes"]]  # « non », as created


def test_the_diff_of_two_old_versions_shows_no_plan_change():
    old = {
        "year": 2014,
        "amount": "10.00",
        "contributions": {"1": "10.00"},
        "partners": {"1": "CAF"},
    }
    changed = {**old, "amount": "12.00", "contributions": {"1": "12.00"}}
    assert [c.label for c in diff_line_snapshots(old, changed)] == [
        "Montant prévu",
        "Financement prévisionnel : PSEJ CAF",
    ]
    labels = [
        c.label
        for c in diff_line_snapshots(
            old, {**old, "other_receipts": "0.00", "continued": False, "actual_expenses": None}
        )
    ]
    assert labels == []
    labels = [
        c.label
        for c in diff_line_snapshots(
            old,
            {
                **old,
                "continued": True,
                "contributions": {"1": "6.00", "2": "4.00"},
                "partners": {"1": "CAF", "2": "Département"},
            },
            beneficiary_id=2,
        )
    ]
    assert labels == [
        "Action antérieure",
        "Financement prévisionnel : PSEJ CAF",
        "Financement prévisionnel : Part du bénéficiaire (Département)",
    ]
