"""The review workflow from the fiche page, and what a person outside the CDAJE team sees."""

import datetime
import re

from playwright.sync_api import expect

from fiches.models import FicheStatus
from fiches.workflow import TRANSITIONS
from tests.browser.conftest import demo_fiche, fiche_url, login, reopen


def status_badge(page):
    return page.locator(".page-meta .badge")


def test_cdaje_submits_then_validates_with_the_plenary_date(page, loire_in_preparation):
    reopen(9)
    login(page, "cdaje")
    page.goto(fiche_url(9))
    expect(status_badge(page)).to_have_text("Rouverte pour révision")

    page.get_by_role("button", name="Soumettre à la CDAJE").click()
    expect(page.locator(".messages")).to_contain_text("Fiche n° 9 : soumise.")
    expect(status_badge(page)).to_have_text("Soumise")

    page.locator("input[name=plenary_date]").fill("2015-03-17")
    page.get_by_role("button", name="Enregistrer l'avis favorable (plénière)").click()
    expect(page.locator(".messages")).to_contain_text("Fiche n° 9 : avis favorable de la CDAJE.")
    expect(status_badge(page)).to_have_text("Avis favorable de la CDAJE")
    expect(page.locator(".page-meta")).to_contain_text("avis rendu en plénière le 17 mars 2015")
    # Validated again: read-only until reopened.
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("button", name="Rouvrir pour révision")).to_be_visible()

    fiche = demo_fiche(9)
    assert fiche.status == FicheStatus.VALIDATED
    assert fiche.validated_on == datetime.date(2015, 3, 17)


def test_finance_sees_no_edit_or_workflow_control_and_is_refused_the_edit_page(
    new_page, loire_in_preparation
):
    reopen(4)  # editable, so that only the role stands in the way
    labels = [str(transition.label) for transition in TRANSITIONS.values()]

    # The same page for the CDAJE team shows the controls: the selectors below find them.
    cdaje = new_page()
    login(cdaje, "cdaje")
    cdaje.goto(fiche_url(4))
    expect(cdaje.get_by_role("link", name="Modifier", exact=True)).to_be_visible()
    expect(cdaje.get_by_role("button", name="Soumettre à la CDAJE")).to_be_visible()

    finance = new_page()
    login(finance, "finance")
    finance.goto(fiche_url(4))
    expect(finance.get_by_role("heading", level=1)).to_contain_text("Fiche 4")
    expect(finance.get_by_role("link", name="Historique", exact=True)).to_be_visible()
    expect(finance.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    expect(finance.get_by_role("button", name="Modifier", exact=True)).to_have_count(0)
    expect(finance.locator("section.workflow")).to_have_count(0)
    for label in labels:
        expect(finance.get_by_role("button", name=label, exact=True)).to_have_count(0)

    response = finance.goto(fiche_url(4, "edit/"))
    assert response is not None and response.status == 403
    expect(finance.locator("main")).to_contain_text("Seule l'équipe CDAJE modifie les fiches.")

    # A validated fiche offers finance no « Rouvrir pour révision » either.
    finance.goto(fiche_url(1))
    expect(status_badge(finance)).to_have_text("Avis favorable de la CDAJE")
    expect(finance.get_by_role("button", name=re.compile("Rouvrir"))).to_have_count(0)
