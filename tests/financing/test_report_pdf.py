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
    info = pdf_info(response.content)
    assert info["Tagged"] == "yes"


def test_a_single_year_report(client, demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    response = client.get(report_url(demo.contract, "?year=2015"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('rapport-budgetaire-2015.pdf"')
    text = plain(pdf_text(response.content))
    assert "2015" in text and "198 000,00 €" in text
    assert "25 000,00 €" in text and "15 000,00 €" in text  # fiches 4 and 15 (avenant n° 1)


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
