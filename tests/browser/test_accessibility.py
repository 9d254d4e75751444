"""axe-core on the main pages: no "serious" or "critical" violation.

On failure the message lists each violation (rule, help, link) with the elements to fix."""

import pytest
from playwright.sync_api import expect

from fiches import services
from tests.browser.conftest import (
    CONTRACT_URL,
    FICHES_URL,
    SEVERE_IMPACTS,
    axe_violations,
    demo_user,
    fiche_url,
    format_violations,
    login,
    reopen,
)

PAGES = {
    "login": "/accounts/login/",
    "dashboard": CONTRACT_URL,
    "fiche-list": FICHES_URL,
    "fiche": fiche_url(3),
    "edit": fiche_url(3, "edit/"),
    "history": fiche_url(3, "history/"),
    "budget": f"{CONTRACT_URL}budget/",
    "budget-line": f"{CONTRACT_URL}budget/lines/new/?year=2015",
    "budget-import": f"{CONTRACT_URL}budget/import/",
    "documents": f"{CONTRACT_URL}documents/",
    "api-tokens": "/api/tokens/",
}
# The budget pages are seen as a finance officer, the rest as CDAJE staff.
FINANCE_PAGES = {"budget", "budget-line", "budget-import"}


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(page, loire_in_preparation, name):
    # Fiche 3 reopened and edited once: the edit page exists, the history shows a diff.
    fiche = reopen(3)
    services.fiche_update(
        fiche=fiche,
        changes={"title": "Accueil en horaires atypiques, la nuit et en urgence"},
        associated_partners=fiche.associated_partners.all(),
        aims=fiche.aims.all(),
        expected_version=fiche.version,
        by=demo_user("cdaje"),
    )
    if name != "login":
        login(page, "finance" if name in FINANCE_PAGES else "cdaje")

    response = page.goto(PAGES[name])
    assert response is not None and response.status == 200, response and response.status
    if name == "edit":
        # Scan the page as people use it: with the rich-text editors in place.
        expect(page.locator("#id_findings-editor")).to_be_visible()
    if name == "history":
        expect(page.locator("table.diff-table ins").first).to_be_visible()

    violations = axe_violations(page)
    severe = [v for v in violations if v["impact"] in SEVERE_IMPACTS]
    others = [v for v in violations if v["impact"] not in SEVERE_IMPACTS]
    if others:  # shown with the failure report, or with -s
        print(format_violations(f"{name}, minor", others))
    if severe:
        pytest.fail(
            f"axe-core: {len(severe)} serious or critical violation(s) on {PAGES[name]}\n"
            + format_violations(name, severe),
            pytrace=False,
        )
