"""A fiche's PDF for the CDAJE plenary."""

import pytest
from django.urls import reverse

from fiches.models import Fiche, FicheStatus
from tests.pdftools import pdf_info, pdf_text

pytestmark = pytest.mark.django_db


def fiche_pdf_url(contract, number):
    return reverse("fiche_pdf", kwargs={"slug": contract.slug, "number": number})


@pytest.mark.parametrize("username", ["cdaje", "finance", "partner-msa"])
def test_a_validated_fiche_prints_in_full(client, demo, demo_user, username):
    contract = demo.contract
    fiche = Fiche.objects.get(contract=contract, number=12)
    client.force_login(demo_user(username))
    response = client.get(fiche_pdf_url(contract, 12))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{contract.slug}-fiche-12.pdf"'
    text = " ".join(pdf_text(response.content).split())
    assert " ".join(fiche.title.split()) in text
    assert "11 février 2014" in text  # validated in plenary
    assert "120 000,00 €" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "PROJET — DOCUMENT DE TRAVAIL" not in text
    info = pdf_info(response.content)
    assert info["Tagged"] == "yes" and info["Title"]


def test_a_fiche_under_revision_prints_as_a_draft(client, demo, demo_user):
    contract = demo.contract
    Fiche.objects.filter(contract=contract, number=5).update(status=FicheStatus.REOPENED)
    client.force_login(demo_user("cdaje"))
    text = pdf_text(client.get(fiche_pdf_url(contract, 5)).content)
    assert "PROJET — DOCUMENT DE TRAVAIL" in text


def test_script_in_a_fiche_never_reaches_the_pdf(client, demo, demo_user):
    contract = demo.contract
    # Written straight to the database, bypassing the service's sanitizer: display sanitizes
    # again.
    Fiche.objects.filter(contract=contract, number=2).update(
        findings='<p>Constat</p><script>alert("x")</script><img src="file:///etc/passwd">'
        '<a href="javascript:alert(1)">lien</a>'
    )
    client.force_login(demo_user("cdaje"))
    response = client.get(fiche_pdf_url(contract, 2))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Constat" in text
    assert "alert" not in text
    assert b"javascript" not in response.content.lower()


def test_an_unknown_fiche_is_404(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(fiche_pdf_url(demo.contract, 99)).status_code == 404


def test_a_fiche_pdf_stays_french_for_an_english_reader(client, demo, demo_user, settings):
    client.force_login(demo_user("cdaje"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("fiche_detail", kwargs={"slug": demo.contract.slug, "number": 12}))
    assert 'lang="en"' in page.content.decode()  # the page follows the reader…
    text = pdf_text(client.get(fiche_pdf_url(demo.contract, 12)).content)
    assert "Constat" in text and "Indicateurs d’évaluation".upper() in text.upper()  # …not the act
