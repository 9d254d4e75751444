"""Layout checks that only a browser can make: what wraps, what fits its box, what lines up,
measured on the rendered pages at 1280 and 1024 px wide (a laptop, a small laptop or a
tablet held sideways)."""

import csv
import io

from playwright.sync_api import expect

from demo.loire import DEMO_SLUG
from fiches import services
from financing.exports import build_csv
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

WIDTHS = (1280, 1024)

# How many lines of text an element takes: the distinct tops of its visible text's boxes (a
# visually hidden text does not count; tops a few pixels apart are the same line).
LINES_JS = """element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const tops = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) if (rect.width > 0) tops.push(rect.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
}"""


def lines(locator) -> list[int]:
    return locator.evaluate_all(f"elements => elements.map({LINES_JS})")


def box(locator) -> dict:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}; }"
    )


def at_width(page, width: int, url: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)


def assert_no_severe_violation(page, where: str) -> None:
    severe = [v for v in axe_violations(page) if v["impact"] in SEVERE_IMPACTS]
    assert not severe, format_violations(where, severe)


def test_the_fiche_list_gives_the_title_room_and_keeps_each_aim_on_one_line(page, loire):
    login(page, "cdaje")
    for width in WIDTHS:
        at_width(page, width, FICHES_URL)
        table = page.locator("table.fiche-table").first
        table_width = box(table)["width"]
        title_width = box(table.locator("th.col-title"))["width"]
        assert title_width >= 0.45 * table_width, (width, title_width, table_width)
        assert box(table.locator("th.col-status"))["width"] < 0.15 * table_width
        # Titles on two lines at most, and most on one at 1280 px.
        title_lines = lines(page.locator("td.col-title > a"))
        assert len(title_lines) == 15 and max(title_lines) <= 2, (width, title_lines)
        if width == 1280:
            assert title_lines.count(1) > len(title_lines) / 2, title_lines  # most
        pills = page.locator("td.col-title .tag-list li")
        assert set(lines(pills)) == {1}, width
        assert set(lines(page.locator("td.col-change"))) == {2}, width  # a date, who or what


def test_the_history_keeps_authors_and_dates_on_one_line_and_compares_only_two(
    page, loire_in_preparation
):
    fiche = reopen(3)
    services.fiche_update(
        fiche=fiche,
        changes={"title": "Accueil en horaires atypiques, la nuit et en urgence"},
        associated_partners=fiche.associated_partners.all(),
        aims=fiche.aims.all(),
        expected_version=fiche.version,
        by=demo_user("cdaje"),
    )
    login(page, "cdaje")
    for width in WIDTHS:
        at_width(page, width, fiche_url(3, "history/"))
        expect(page.get_by_role("button", name="Comparer")).to_be_visible()
        cells = page.locator("table.version-table td.col-author, table.version-table td.col-date")
        assert cells.count() == 6
        assert set(lines(cells)) == {1}, width

    # A fiche with a single version has nothing to compare.
    page.goto(fiche_url(1, "history/"))
    expect(page.get_by_text("Une seule version est enregistrée")).to_be_visible()
    expect(page.get_by_role("button", name="Comparer")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    assert_no_severe_violation(page, "history with one version")


def assert_fits_its_card(table, width: int, scrolls_by_keyboard: bool = False) -> None:
    """The table's right edge inside its scrolling region's, that region inside its card
    (the section). A table whose page is designed to scroll it (`scrolls_by_keyboard`) may be
    wider than its region, provided that region can take the keyboard focus, as a named
    region."""
    region = table.locator("xpath=..")
    card = table.locator("xpath=ancestor::section[1]")
    assert box(region)["right"] <= box(card)["right"] + 1, width
    if box(table)["right"] <= box(region)["right"] + 1:
        return
    assert scrolls_by_keyboard, (width, box(table)["right"], box(region)["right"])
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


def test_the_budget_page_fits_its_cards(page, loire_in_preparation):
    login(page, "finance")
    for width in WIDTHS:
        at_width(page, width, f"{CONTRACT_URL}budget/")
        # Each export link on one line: the bar wraps between links.
        assert set(lines(page.locator(".export-bar a"))) == {1}, width

        # « Financement prévisionnel » stands clear of the table above it, its table in its block.
        heading = page.get_by_role("heading", name="Financement prévisionnel", exact=True)
        above = heading.locator("xpath=../preceding-sibling::div[1]//table")
        assert box(heading)["top"] - box(above)["bottom"] >= 16, width
        block = heading.locator("xpath=..")
        assert box(block.locator("table"))["right"] <= box(block)["right"] + 1, width

        # The split chart spans its card, every label whole and inside the drawing.
        figure = page.locator("figure.chart-figure-wide")
        svg = figure.locator("svg")
        chart = box(svg)
        assert chart["width"] >= 0.95 * box(figure)["width"], width
        texts = svg.locator("text")
        assert "…" not in "".join(texts.all_text_contents())
        expect(svg).to_contain_text("Dispositif d'accueil d'enfants handicapés dans les crèches")
        for index in range(texts.count()):
            label = box(texts.nth(index))
            assert chart["left"] - 1 <= label["left"] and label["right"] <= chart["right"] + 1

        # The plan per year and the lines fit their cards: no column of amounts, no line's
        # actions out of view. The funders' payments scroll in a region the keyboard reaches.
        assert_fits_its_card(page.locator("table.plan-table"), width)
        assert_fits_its_card(page.locator("table.lines-table"), width)
        assert_fits_its_card(page.locator("table.positions-table"), width, scrolls_by_keyboard=True)

        # A line's actions side by side: one line where the page is wide, two at most.
        actions = lines(page.locator(".lines-table .action-links"))
        assert len(actions) == 15  # 3 lines in 2014, 4 a year since avenant n° 1
        assert max(actions) <= (1 if width >= 1200 else 2), (width, actions)


def test_the_fingerprints_wrap_in_even_groups(page, loire, sealed_world, seal):
    sealed_world.apply()
    login(page, "partner-caf")
    for width in WIDTHS:
        at_width(page, width, f"/contracts/{DEMO_SLUG}/documents/")
        hashes = page.locator("code.hash")
        # The signed contract, its annex convention, avenant n° 1's act, the annual reviews
        # 2014–2016.
        expect(hashes).to_have_count(6)
        for index in range(3):
            groups = hashes.nth(index).locator("span")
            tops = [round(box(groups.nth(g))["top"]) for g in range(8)]
            per_line = [tops.count(top) for top in sorted(set(tops))]
            assert len(per_line) > 1 and len(set(per_line)) == 1, (width, per_line)
        expect(page.get_by_role("row").filter(has_text="contrat signé")).to_contain_text(
            "aucun téléchargement"
        )


def import_file(tmp_path, contract) -> str:
    """The budget's CSV export with a long label, a word too long for any column."""
    rows = list(csv.reader(io.StringIO(build_csv(contract).decode("utf-8-sig")), delimiter=";"))
    rows[4][6] = "Coordination-départementale-de-la-politique-petite-enfance-" * 3
    path = tmp_path / "budget.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return str(path)


def test_the_import_preview_fits_its_box_and_scrolls_by_keyboard(
    page, loire_in_preparation, tmp_path
):
    login(page, "finance")
    page.goto(f"{CONTRACT_URL}budget/import/")
    page.get_by_label("Classeur à importer").set_input_files(
        import_file(tmp_path, loire_in_preparation.contract)
    )
    page.get_by_role("button", name="Voir l’aperçu").click()
    expect(page.get_by_role("heading", name="Aperçu de l’import")).to_be_visible()
    region = page.get_by_role("region", name="Lignes du fichier (tableau défilant)")
    expect(region).to_have_attribute("tabindex", "0")
    expect(page.locator("main")).to_contain_text("1 ligne modifiée")
    # The fiche and « action antérieure » under the poste, not in columns of their own.
    expect(region.get_by_role("row").filter(has_text="Coordination").first).to_contain_text(
        "Fiche 12 · action antérieure"
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        table = region.locator("table")
        assert box(table)["right"] <= box(region)["right"] + 1, width
        changes = box(table.locator("th.col-changes"))
        assert changes["right"] <= box(region)["right"] + 1 and changes["width"] >= 200, width
    assert_no_severe_violation(page, "import preview")

    # Too narrow for the table: it scrolls, from the keyboard too.
    page.set_viewport_size({"width": 640, "height": 900})
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.import-table').parentElement.scrollLeft > 0"
    )


def test_the_contract_cards_line_up(page, loire):
    login(page, "cdaje")
    for width in WIDTHS:
        at_width(page, width, "/contracts/")
        cards = page.locator("li.card")
        expect(cards).to_have_count(3)  # the demo's contract, its predecessor and successor
        columns = [
            [round(box(dt)["left"]) for dt in card.locator("dt").all()] for card in cards.all()
        ]
        assert len(columns[0]) == 4 and columns[0] == columns[1] == columns[2], (width, columns)
        expect(cards.nth(2).locator("dd").last).to_have_text("—aucun contrat")
