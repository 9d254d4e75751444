"""Editing a fiche in the browser: the rich-text editor, the history diff, edit conflicts
between two people, and restoring an older version."""

import re

from playwright.sync_api import expect

from cej.html import rich_text_to_plain
from fiches import services
from tests.browser.conftest import (
    FICHES_URL,
    demo_fiche,
    demo_user,
    fiche_url,
    login,
    reopen,
    type_at_end,
)


def findings_block(page):
    return page.locator("section.fiche-block", has=page.locator("#block-findings"))


def diff_row(scope, label: str):
    """The row of a diff table (on `scope`, a page or a part of one) for one field."""
    page = getattr(scope, "page", scope)
    return scope.locator("table.diff-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=label)
    )


def test_cdaje_reopens_edits_and_sees_the_change_in_the_history(page, loire_in_preparation):
    added = " Permanence du samedi matin ouverte aux familles."
    fiche_title = demo_fiche(3).title

    login(page, "cdaje")
    expect(page).to_have_url(re.compile(r"/contracts/$"))
    page.get_by_role("link", name=loire_in_preparation.contract.title).click()
    page.get_by_role("navigation", name="Sections du contrat").get_by_role(
        "link", name="Fiches actions"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(FICHES_URL) + "$"))
    page.get_by_role("link", name=fiche_title).click()
    expect(page).to_have_url(re.compile(re.escape(fiche_url(3)) + "$"))

    # Validated: read-only until the coordination reopens it.
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    page.get_by_role("button", name="Rouvrir pour révision").click()
    expect(page.locator(".page-meta .badge")).to_have_text("Rouverte pour révision")

    page.get_by_role("link", name="Modifier").click()
    expect(page).to_have_url(re.compile(re.escape(fiche_url(3, "edit/")) + "$"))
    type_at_end(page, "#id_findings-editor", added)
    # The editor copies its HTML into the hidden textarea the form posts.
    expect(page.locator("#id_findings")).to_have_value(re.compile("Permanence du samedi matin"))
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(re.escape(fiche_url(3)) + "$"))
    expect(page.locator(".messages")).to_contain_text("Fiche enregistrée.")
    expect(findings_block(page)).to_contain_text(added.strip())

    page.get_by_role("link", name="Historique", exact=True).click()
    # By default the history compares the last two versions: the edit just made.
    expect(diff_row(page, "Constat").locator("td.diff-after ins")).to_contain_text(
        "Permanence du samedi matin ouverte aux familles."
    )
    expect(page.locator("table.version-table tbody tr").first).to_contain_text("Modification")


def test_second_editor_gets_the_conflict_and_keeps_their_text(new_page, loire_in_preparation):
    reopen(5)
    new_title = "Accueil des familles en parcours d'insertion"
    added = " Ajout de l'administratrice sur les places réservées."

    sophie = new_page()
    login(sophie, "cdaje")
    alice = new_page()
    login(alice, "admin")
    sophie.goto(fiche_url(5, "edit/"))
    alice.goto(fiche_url(5, "edit/"))
    expect(alice.locator("#id_findings-editor")).to_be_visible()

    # Sophie changes the title and saves first.
    sophie.locator("#id_title").fill(new_title)
    sophie.get_by_role("button", name="Enregistrer").click()
    expect(sophie.locator(".messages")).to_contain_text("Fiche enregistrée.")

    # Alice, still on the version she opened, adds to the Constat and saves.
    type_at_end(alice, "#id_findings-editor", added)
    with alice.expect_navigation() as navigation:
        alice.get_by_role("button", name="Enregistrer").click()
    assert navigation.value.status == 409

    conflict = alice.locator("section.conflict")
    expect(conflict.get_by_role("heading", level=2)).to_contain_text(
        "Quelqu’un a enregistré cette fiche"
    )
    expect(conflict).to_contain_text("Sophie Durand")
    expect(diff_row(conflict, "Intitulé").locator("td.diff-after")).to_contain_text(new_title)
    expect(alice.locator("#id_findings-editor")).to_contain_text(added.strip())

    # As the page asks, Alice carries Sophie's change over into the form, then saves again.
    alice.locator("#id_title").fill(new_title)
    alice.get_by_role("button", name="Enregistrer").click()
    expect(alice).to_have_url(re.compile(re.escape(fiche_url(5)) + "$"))
    expect(alice.locator(".messages")).to_contain_text("Fiche enregistrée.")
    expect(alice.get_by_role("heading", level=1)).to_contain_text(new_title)
    expect(findings_block(alice)).to_contain_text(added.strip())


def test_restoring_an_older_version_brings_its_text_back(page, loire_in_preparation):
    fiche = reopen(7)
    older = fiche.version
    original_findings = fiche.findings
    # The first words of the demo's Constat, as the fiche page shows them.
    original_start = " ".join(rich_text_to_plain(original_findings).split()[:8])
    services.fiche_update(
        fiche=fiche,
        changes={"findings": "<p>Texte de travail à abandonner.</p>"},
        associated_partners=fiche.associated_partners.all(),
        aims=fiche.aims.all(),
        expected_version=older,
        by=demo_user("cdaje"),
    )

    login(page, "cdaje")
    page.goto(fiche_url(7))
    expect(findings_block(page)).to_contain_text("Texte de travail à abandonner.")
    expect(findings_block(page)).not_to_contain_text(original_start)

    page.goto(fiche_url(7, "history/"))
    page.get_by_role("button", name=f"Restaurer la version {older}", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(fiche_url(7, "history/")) + "$"))
    expect(page.locator(".messages")).to_contain_text(
        f"Version {older} restaurée : elle devient la version {older + 2}."
    )
    newest = page.locator("table.version-table tbody tr").first
    expect(newest.locator("td").first).to_have_text(str(older + 2))
    expect(newest.locator("td").nth(1)).to_have_text(f"Restauration de la version {older}")

    page.get_by_role("link", name="Fiche 7", exact=True).click()
    expect(findings_block(page)).to_contain_text(original_start)
    expect(findings_block(page)).not_to_contain_text("Texte de travail à abandonner.")
    assert demo_fiche(7).findings == original_findings
