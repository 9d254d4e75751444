"""A CDAJE agent adopts the 2017 review as a new user would: log in, open the contract's
« Bilans » tab, the 2017 review, submit it to the CDAJE, record its opinion and adopt it;
a partner then finds the adopted « Bilan annuel 2017 » in the documents space and downloads
the stored PDF."""

from django.core.files.storage import default_storage
from playwright.sync_api import expect

from cej.models import Document, DocumentKind
from reviews.models import AnnualReview, ReviewStatus
from tests.browser.conftest import SEVERE_IMPACTS, axe_violations, format_violations, login
from tests.pdftools import pdf_text


def test_a_cdaje_agent_adopts_the_review_and_a_partner_downloads_it(new_page, loire):
    agent = new_page()
    login(agent, "cdaje")
    agent.goto(f"/contracts/{loire.contract.slug}/")
    agent.get_by_role("link", name="Bilans", exact=True).click()
    expect(agent.get_by_role("heading", name="Bilans annuels")).to_be_visible()
    agent.get_by_role("link", name="Bilan 2017").click()
    expect(agent.get_by_role("heading", name="Bilan annuel 2017")).to_be_visible()
    violations = [v for v in axe_violations(agent) if v["impact"] in SEVERE_IMPACTS]
    assert not violations, format_violations("the review page", violations)

    agent.get_by_role("button", name="Soumettre à la CDAJE").click()
    expect(agent.get_by_text("Bilan soumis à la CDAJE.")).to_be_visible()
    agent.get_by_role("textbox", name="Avis de la CDAJE").fill("Avis favorable au bilan 2017.")
    agent.get_by_label("Avis rendu en plénière le").fill("2018-03-13")
    agent.get_by_role("button", name="Adopter le bilan").click()
    expect(agent.get_by_text("Bilan 2017 adopté")).to_be_visible()
    expect(agent.get_by_role("link", name="Bilan adopté (PDF)")).to_be_visible()
    review = AnnualReview.objects.get(contract=loire.contract, year=2017)
    assert review.status == ReviewStatus.ADOPTED

    partner = new_page()
    login(partner, "partner-caf")
    partner.goto(f"/contracts/{loire.contract.slug}/documents/")
    row = partner.get_by_role("row").filter(has_text="Bilan annuel 2017 — adopté")
    with partner.expect_download() as download_info:
        row.get_by_role("link", name="Télécharger").click()
    with open(download_info.value.path(), "rb") as handle:
        content = handle.read()
    document = Document.objects.get(pk=review.document_id, kind=DocumentKind.ANNUAL_REVIEW)
    with default_storage.open(document.file.name, "rb") as handle:
        assert content == handle.read()
    assert "Avis favorable au bilan 2017." in pdf_text(content)
