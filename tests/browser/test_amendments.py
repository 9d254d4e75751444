"""An avenant from its opening to its sealed act, in the browser, as CDAJE staff take it: open
the avenant, change a fiche and reallocate a line, see the differences and the year's budget
before and after, record the CDAJE's opinion, the three deliberations and the five
signatures, download the sealed avenant and the consolidated contract."""

import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from cej.models import Document, DocumentKind
from demo.loire import DEMO_SLUG
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from tests.browser.conftest import (
    CONTRACT_URL,
    SEVERE_IMPACTS,
    axe_violations,
    format_violations,
    login,
    type_at_end,
)
from tests.pdftools import pdf_signatures, pdf_text

AMENDMENTS_URL = f"{CONTRACT_URL}avenants/"
# The last signature renders, seals and stores the avenant and applies it, in the request;
# the consolidated contract is the whole contract rendered on request. Seconds on a quiet
# machine, over ten on 2 cores running the suite (as tests/browser/test_documents.py allows).
SLOW_MS = 90_000

NEW_ACTION = "Mise à jour du portail d'information des familles."
BUDGET_NOTE = (
    "Financé par le CEJ départemental, poste « communication » : 38 000 € en 2014, 2015 et "
    "2017, 39 000 € en 2016."
)
DECISIONS = [
    ("Département de la Loire", "Commission permanente du Département", "CP-2016-12-0533"),
    (
        "Caisse d'allocations familiales de la Loire",
        "Conseil d'administration de la CAF",
        "2016-088",
    ),
    (
        "Caisse de mutualité sociale agricole Ardèche Drôme Loire",
        "Conseil d'administration de la MSA",
        "CA-2016-41",
    ),
]


def check_accessibility(page, where: str) -> None:
    severe = [v for v in axe_violations(page) if v["impact"] in SEVERE_IMPACTS]
    assert not severe, format_violations(where, severe)


def line_2016(code: str) -> BudgetLine:
    return BudgetLine.objects.get(contract__slug=DEMO_SLUG, year=2016, post__code=code)


@pytest.fixture
def coordination_underspent(loire):
    """Set-up shortcut: the demo commits every planned line in full, and an avenant never
    lowers a line below its commitments. Here the 2016 coordination cost 1 000 € less than
    its 120 000 € (its commitment and its balance payment 1 000 € lower)."""
    line = line_2016("coordination")
    commitment = line.entries.get(kind=ExecutionKind.COMMITMENT)
    balance = line.entries.filter(kind=ExecutionKind.PAYMENT).order_by("date").last()
    for entry in (commitment, balance):
        ExecutionEntry.objects.filter(pk=entry.pk).update(amount=entry.amount - 1000)
    return line


def reallocate(page, line: BudgetLine, amount: str, *, check=False) -> None:
    """From the avenant page, « Réaffecter » on `line`: its new forecast expenses (its other
    receipts and continuation as they are; its financing is computed, never typed)."""
    row = (
        page.locator("table.lines-table tbody tr")
        .filter(has=page.get_by_role("link", name="Réaffecter"))
        .filter(has_text=str(line.year))
        .filter(has_text=str(line.post))
    )
    row.get_by_role("link", name="Réaffecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier la ligne par avenant")
    if check:
        check_accessibility(page, "avenant, line form")
    expect(page.get_by_label("Part de CAF")).to_have_count(0)
    page.get_by_label("Dépenses prévues").fill(amount)
    page.get_by_role("button", name="Enregistrer dans l’avenant").click()
    expect(page.locator(".messages")).to_contain_text("Ligne budgétaire proposée dans l'avenant.")


def test_cdaje_takes_an_avenant_from_its_opening_to_the_sealed_act(
    page, loire, seal, coordination_underspent
):
    coordination, communication = coordination_underspent, line_2016("communication")

    login(page, "cdaje")
    page.goto(CONTRACT_URL)
    page.get_by_role("navigation", name="Sections du contrat").get_by_role(
        "link", name="Avenants"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(AMENDMENTS_URL) + "$"))
    rows = page.locator("table.amendments-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Signé")
    expect(rows.nth(1)).to_contain_text("En préparation")

    # One avenant at a time: n° 2, in preparation, is abandoned to open another.
    rows.nth(1).get_by_role("link").click()
    page.locator("details.abandon summary").click()
    page.get_by_label("Motif de l'abandon").fill("Remplacé par l'avenant n° 3.")
    page.get_by_role("button", name="Abandonner l’avenant").click()
    expect(page.locator(".messages")).to_contain_text("Avenant abandonné")
    expect(page.locator(".page-meta .badge")).to_have_text("Abandonné")

    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role("link", name="Avenants").click()
    form = page.locator("form.amendment-open-form")
    form.get_by_label("Objet de l'avenant").fill("Information des familles 2016")
    form.get_by_label("Exposé des motifs").fill(
        "La coordination 2016 a coûté 1 000 € de moins que prévu : ils financent la mise à "
        "jour du portail d'information des familles."
    )
    form.get_by_role("button", name="Ouvrir l’avenant").click()
    expect(page).to_have_url(re.compile(re.escape(AMENDMENTS_URL) + "3/$"))
    expect(page.locator(".messages")).to_contain_text("Avenant n° 3 ouvert")

    # Fiche 14 through the fiche form: an action added in the rich-text editor, a new note.
    page.locator("table tbody tr").filter(
        has_text="Plan de communication petite enfance"
    ).get_by_role("link", name="Modifier").click()
    type_at_end(page, "#id_actions-editor", "")
    page.keyboard.press("Enter")  # a new item of the list
    page.keyboard.type(NEW_ACTION)
    expect(page.locator("#id_actions")).to_have_value(re.compile("portail d'information"))
    page.get_by_label("Budget indicatif").fill(BUDGET_NOTE)
    page.get_by_role("button", name="Enregistrer dans l’avenant").click()
    expect(page.locator(".messages")).to_contain_text("Modification de la fiche proposée")

    # 1 000 € of the 2016 coordination moved to the 2016 communication, in two steps: the
    # page shows the year below its envelope in between.
    years = page.locator("table.amendment-years tbody tr")
    year_2016 = years.filter(has=page.get_by_role("rowheader", name="2016"))
    reallocate(page, coordination, "119000", check=True)
    expect(year_2016.locator("td")).to_have_text(
        ["198 000,00 €", "197 000,00 €", "-1 000,00 €", "198 000,00 €", "1 000,00 €"]
    )
    reallocate(page, communication, "39000")
    expect(year_2016.locator("td")).to_have_text(
        ["198 000,00 €", "198 000,00 €", "—", "198 000,00 €", "0,00 €"]
    )

    # The changes against the contract as signed: the fiche word by word, the lines' amounts.
    fiche_change = page.locator("#fiche-change-14")
    actions = fiche_change.locator("tr", has=page.get_by_role("rowheader", name="Actions"))
    expect(actions.locator("td.diff-after ins")).to_have_text(NEW_ACTION)
    expect(actions.locator("td.diff-before del")).to_have_count(0)
    note = fiche_change.locator("tr", has=page.get_by_role("rowheader", name="Budget indicatif"))
    expect(note.locator("td.diff-before del")).to_contain_text("par an")
    expect(note.locator("td.diff-after ins").first).to_contain_text("en 2014, 2015 et 2017")
    for post, before, after in [
        ("Coordination", "120 000,00 €", "119 000,00 €"),
        ("Communication", "38 000,00 €", "39 000,00 €"),
    ]:
        card = page.locator("article.amendment-change").filter(has_text=f"2016 — {post}")
        amount = card.locator("tr", has=page.get_by_role("rowheader", name="Dépenses prévues"))
        expect(amount.locator("td.diff-before del")).to_have_text(before)
        expect(amount.locator("td.diff-after ins")).to_have_text(after)
    # …and the PSEJ they would bring, computed from the contract's terms: the coordination's
    # held at the CAF's ceiling (100 000 € × 90 % × 60 %), the communication's 36 000 € of
    # net cost at 55 %.
    for post, before, after in [
        ("Coordination", "54 000,00 €", "54 000,00 €"),
        ("Communication", "17 325,00 €", "17 820,00 €"),
    ]:
        card = page.locator("article.amendment-change").filter(has_text=f"2016 — {post}")
        psej = card.locator("tr", has=page.get_by_role("rowheader", name="PSEJ CAF"))
        expect(psej.locator("td.diff-before")).to_have_text(before)
        expect(psej.locator("td.diff-after")).to_have_text(after)
    check_accessibility(page, "avenant in preparation")

    # The CDAJE's opinion in plenary fixes the changes; each party's board approves them.
    page.get_by_label("Date de la séance plénière de la CDAJE").fill("2016-11-15")
    page.get_by_role("button", name="Enregistrer l’avis").click()
    expect(page.locator(".messages")).to_contain_text("Avis de la CDAJE enregistré")
    expect(page.locator(".page-meta .badge")).to_have_text("Avis rendu, en approbation")
    for partner, body, reference in DECISIONS:
        form = page.locator(
            "form", has=page.get_by_role("heading", name="délibération d’une partie")
        )
        form.get_by_label("Partie").select_option(label=partner)
        form.get_by_label("Instance").fill(body)
        form.get_by_label("Numéro de la délibération").fill(reference)
        form.get_by_label("Date de la délibération").fill("2016-12-12")
        form.get_by_role("button", name="Enregistrer la délibération").click()
        expect(page.locator(".messages")).to_contain_text("Délibération enregistrée.")

    # The five representatives sign; the last signature seals the avenant and applies it.
    for remaining in range(5, 0, -1):
        form = page.locator(
            "form", has=page.get_by_role("heading", name="Enregistrer une signature")
        )
        expect(form.get_by_label("Représentant").locator("option")).to_have_count(remaining)
        if remaining == 5:
            check_accessibility(page, "avenant, signatures")
        form.get_by_label("Date de signature").fill("2017-01-16")
        form.get_by_label("Lieu").fill("Saint-Étienne")
        form.get_by_role("button", name="Enregistrer la signature").click(timeout=SLOW_MS)
        expect(page.locator(".messages")).to_contain_text("ignature enregistrée", timeout=SLOW_MS)
    expect(page.locator(".messages")).to_contain_text("l'avenant est signé, scellé")
    expect(page.locator(".page-meta .badge")).to_have_text("Signé")
    expect(page.get_by_role("heading", name="Ce que l’avenant a modifié")).to_be_visible()
    coordination.refresh_from_db()
    communication.refresh_from_db()
    assert (coordination.amount, communication.amount) == (Decimal("119000"), Decimal("39000"))

    # The sealed act: its articles, the new fiche 14 in annex, the budget before and after.
    # As slow as the consolidated one below when the suite loads both cores: the live server
    # answers after the last signature's work (one CI run timed out at 10 s here).
    act = page.request.get(
        page.get_by_role("link", name="Avenant signé (PDF)").get_attribute("href"),
        timeout=SLOW_MS,
    )
    assert act.ok, act.status
    stored = Document.objects.get(
        amendment__contract__slug=DEMO_SLUG, amendment__number=3, kind=DocumentKind.AMENDMENT
    )
    assert stored.sealed
    with default_storage.open(stored.file.name, "rb") as handle:
        assert act.body() == handle.read()  # the document sealed once, as stored
    assert "Signature is Valid" in pdf_signatures(act.body()).stdout
    act_text = " ".join(pdf_text(act.body()).split())
    for expected in [
        "AVENANT N° 3",
        "la fiche n° 14 « Plan de communication petite enfance » est remplacée",
        "2016 198 000,00 € 198 000,00 € —",
        "dûment autorisé par délibération n° CP-2016-12-0533 du 12 décembre 2016",
        "Fait à Saint-Étienne, le 16 janvier 2017",
        NEW_ACTION,
        "Dépenses prévues 120 000,00 € 119 000,00 €",
        "PSEJ CAF 17 325,00 € 17 820,00 €",
    ]:
        assert expected in act_text, expected
    assert "('number'" not in act_text  # no article printed as the dict it is made of

    # The contract as amended by its signed avenants, never the signed original.
    consolidated = page.request.get(
        page.get_by_role("link", name="Version consolidée (PDF)").get_attribute("href"),
        timeout=SLOW_MS,
    )
    assert consolidated.ok, consolidated.status
    consolidated_text = " ".join(pdf_text(consolidated.body()).split())
    assert "version consolidée" in consolidated_text.lower()
    # Each change footnoted with the avenant that made it: fiche 14, and the year 2016.
    footnote = "Modifié par l'avenant n° 3 signé le 16 janvier 2017."
    assert consolidated_text.count(footnote) >= 2  # fiche 14's footnote, and the year's note
    assert re.search(rf"Budget 2016 : [^:]*{re.escape(footnote)}", consolidated_text)
    assert NEW_ACTION in consolidated_text
