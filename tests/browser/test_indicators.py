"""A partner enters the actual value of an indicator of a fiche its organisation leads, as a
new user would: from the fiche's page to its indicators, the year's form, a figure with a
comma, a comment and a PDF as evidence; the page then shows it, and the evidence downloads.
The indicators' page has no serious accessibility violation."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from fiches.models import IndicatorYear
from tests.browser.conftest import (
    SEVERE_IMPACTS,
    axe_violations,
    fiche_url,
    format_violations,
    login,
)
from tests.pdftools import minimal_pdf


def test_a_partner_enters_an_actual_with_its_evidence(page, loire, tmp_path):
    evidence = tmp_path / "taux-2017.pdf"
    evidence.write_bytes(minimal_pdf())
    login(page, "partner-caf")
    page.goto(fiche_url(1))
    page.get_by_role("link", name="Indicateurs : cibles, réalisé et justificatifs").click()
    expect(page.get_by_role("heading", name="Indicateurs d’évaluation")).to_be_visible()
    violations = [v for v in axe_violations(page) if v["impact"] in SEVERE_IMPACTS]
    assert not violations, format_violations("indicators page", violations)

    section = page.locator("#indicator-2")
    section.get_by_role("link", name="Saisir le réalisé 2017").click()
    page.get_by_label("Réalisé").fill("55,7")
    page.get_by_label("Commentaire").fill("Données CAF de juin 2018.")
    page.get_by_label("Pièce justificative").set_input_files(str(evidence))
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("status")).to_contain_text("Réalisé 2017")
    row = page.locator("#indicator-2").get_by_role("row", name=re.compile(r"^2017 "))
    expect(row).to_contain_text("55,7")
    expect(row).to_contain_text("Données CAF de juin 2018.")
    stored = IndicatorYear.objects.get(
        indicator__contract=loire.contract,
        indicator__fiche__number=1,
        indicator__number=2,
        year=2017,
    )
    assert stored.actual == Decimal("55.70")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Télécharger").click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read() == minimal_pdf()
