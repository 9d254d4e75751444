"""The budget report PDF a finance officer hands to their hierarchy."""

import pytest
from django.urls import reverse

from tests.pdftools import pdf_info, pdf_text

pytestmark = pytest.mark.django_db


def report_url(contract, query=""):
    return reverse("budget_report_pdf", kwargs={"slug": contract.slug}) + query


def plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_whole_period_report(client, demo, demo_user):
    contract = demo.contract
    client.force_login(demo_user("finance"))
    response = client.get(report_url(contract))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'inline; filename="{contract.slug}-rapport-budgetaire-2014-2017.pdf"'
    )
    text = plain(pdf_text(response.content))
    assert "Rapport budgétaire" in text
    assert "198 000,00 €" in text
    assert "Coordination" in text and "Communication" in text
    # 198 000 planned in each year 2014–2017 (2015–2017 through avenant n° 1) → 792 000.
    assert "792 000,00 €" in text
    assert "non encore alloué" not in text
    assert "Marc Bernard" in text  # who generated it
    assert "Généré le" in text
    # The financing plan, forecast and actual, the PSEJ per funder and the payments.
    assert "Financement prévisionnel" in text
    assert "Plan de financement par année, prévu et réalisé" in text
    assert "PSEJ CAF" in text and "PSEJ MSA" in text
    assert "Part du bénéficiaire" in text
    assert "355 500,00 €" in text  # the CAF's forecast PSEJ over 2014–2017
    assert "Versements des financeurs" in text and "en retard" in text
    info = pdf_info(response.content)
    assert info["Tagged"] == "yes"


def test_a_single_year_report(client, blank_cycle, demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    response = client.get(report_url(demo.contract, "?year=2015"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('rapport-budgetaire-2015.pdf"')
    text = plain(pdf_text(response.content))
    assert "2015" in text and "198 000,00 €" in text
    assert "25 000,00 €" in text and "15 000,00 €" in text  # fiches 4 and 15 (avenant n° 1)
    assert "89 325,00 €" in text  # the CAF's forecast PSEJ in 2015
    assert "Réalisé non encore déclaré." in text


def test_the_report_carries_actuals_and_payments(client, blank_cycle, demo, demo_user):
    import datetime
    from decimal import Decimal

    from financing import cycle_services
    from financing.models import BudgetLine, FunderPayment
    from partners.models import Partner

    caf = Partner.objects.get(slug="caf42")
    cycle_services.funder_payment_record(
        payment=FunderPayment(
            contract=demo.contract,
            funder=caf,
            year=2015,
            kind="advance",
            amount=Decimal("62527.50"),
            received_on=datetime.date(2015, 7, 2),
            reference="Mandat 2015-7",
        ),
        by=demo_user("partner-caf"),
    )
    for line in BudgetLine.objects.filter(contract=demo.contract, year=2015):
        cycle_services.line_actuals_save(
            line=line,
            actual_expenses=line.amount + 1000,
            actual_receipts=line.other_receipts,
            by=demo_user("finance"),
        )
    client.force_login(demo_user("finance"))
    text = plain(pdf_text(client.get(report_url(demo.contract, "?year=2015")).content))
    assert text.count("Réalisé non encore déclaré.") == 3  # 2014, 2016, 2017: 2015 declared
    assert "199 000,00 €" in text  # the actual expenses of 2015's four lines
    assert "62 527,50 €" in text  # the CAF's advance, received


@pytest.mark.parametrize(
    "query, message",
    [
        ("?year=abc", "« abc » n'est pas une année"),
        ("?year=2030", "Le contrat ne couvre pas 2030"),
    ],
)
def test_a_bad_year_is_explained_not_rendered(client, demo, demo_user, query, message):
    client.force_login(demo_user("finance"))
    response = client.get(report_url(demo.contract, query))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode().replace("&#x27;", "'")
