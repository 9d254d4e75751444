"""Hostile budget workbooks: random or damaged files, wrong encodings, formulas, huge and
odd cells, amounts out of range, thousands of rows. Whatever the file, the import answers
with a page (never a server error); a refusal says in French which row, which column and
why, and leaves the budget as it was; an accepted import is applied in full; and no text
it stored ever comes back as a formula in an export."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st

from cej.html import UNPRINTABLE
from fiches.models import Fiche
from financing.cells import clean_money
from financing.exports import build_csv, build_xlsx
from financing.imports import Issue
from financing.models import BudgetLine
from financing.ods_writer import build_ods
from financing.spreadsheets import MAX_COLUMNS, read_table
from tests.hostile.checks import (
    assert_exports_are_inert,
    assert_french,
    assert_no_executable_script,
    budget_state,
    form_messages,
    isolated_example,
    tally,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import FORMULAS, amount_text, hostile_text, huge_ints

pytestmark = pytest.mark.django_db

BUDGET = "/contracts/cej-loire-2014-2017/budget/"
IMPORT = BUDGET + "import/"
CONFIRM = IMPORT + "confirm/"
BUILDERS = {"xlsx": build_xlsx, "csv": build_csv, "ods": build_ods}
# Columns of the demo export (header = row 1, lines on rows 2 to 10: the budget as signed,
# `contract_with_room`).
COLUMNS = {
    "year": 0,
    "post_code": 2,
    "fiche_number": 4,
    "label": 6,
    "amount": 7,
    "other_receipts": 8,
    "continued": 10,
}
HEADERS = {
    0: "Année",
    2: "Code poste",
    4: "N° fiche",
    6: "Libellé",
    7: "Prévu (€)",
    8: "Autres recettes prévues (€)",
    10: "Action antérieure (oui/non)",
}
# The columns checked together: the key (year, poste, fiche — moving a line to another year
# also weighs on that year's envelope), the amounts (the other receipts stay within the
# planned amount, which the envelope bounds). The computed and actual columns are not read.
KEY, MONEY = {0, 2, 4, 7}, {7, 8}
GROUPS = {
    column: {HEADERS[c] for group in (KEY, MONEY, {column}) if column in group for c in group}
    for column in HEADERS
}


class Exports(dict):
    def __repr__(self):  # hypothesis prints it with each failing example
        return "<the demo budget's exports>"


@pytest.fixture
def exports(contract_with_room):
    """The demo budget as each export writes it, and as rows of values."""
    files = {ext: build(contract_with_room) for ext, build in BUILDERS.items()}
    table = read_table(files["xlsx"], "budget.xlsx")
    return Exports(files=files, header=table.headers, rows=[cells for _n, cells in table.rows])


# Writing a sheet ------------------------------------------------------------------------


def _xlsx_value(value):
    # What openpyxl cannot write cannot be in a real workbook: control characters, and
    # decimal NaNs (a float NaN is written as text).
    if isinstance(value, str):
        return UNPRINTABLE.sub("", value)
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value)
    return value


def write_xlsx(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Lignes budgétaires"
    for row in [header, *rows]:
        sheet.append([_xlsx_value(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def write_csv(header, rows, *, encoding="utf-8-sig", delimiter=";") -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(
            [str(v).replace(".", ",") if isinstance(v, Decimal | float) else v for v in row]
        )
    return output.getvalue().encode(encoding, errors="replace")


def write_ods(header, rows) -> bytes:
    import tablib

    width = max(len(header), *(len(row) for row in rows))
    rows = [list(row) + [None] * (width - len(row)) for row in rows]
    header = list(header) + [None] * (width - len(header))  # tablib wants a rectangle
    dataset = tablib.Dataset(headers=header, title="Lignes budgétaires")
    for row in rows:
        dataset.append([UNPRINTABLE.sub("", v) if isinstance(v, str) else v for v in row])
    return dataset.export("ods")


def write(fmt, header, rows, encoding="utf-8-sig") -> tuple[bytes, str]:
    if fmt == "csv":
        return write_csv(header, rows, encoding=encoding), "budget.csv"
    if fmt == "xlsx":
        return write_xlsx(header, rows), "budget.xlsx"
    return write_ods(header, rows), "budget.ods"


# One import, checked --------------------------------------------------------------------


class Refusal(list):
    """The issues a refusal shows, and how many there are in all (`total`)."""

    total = 0


def attempt(client, contract, content: bytes, name: str):
    """Upload, then confirm when the preview has changes. Returns ("refused", issues),
    ("unchanged", plan) or ("applied", plan), having checked what each promises."""
    before = budget_state(contract)
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert_no_executable_script(html)
    assert "\x00" not in html
    if response.templates[0].name == "financing/import.html":
        # The file's own problems, or the upload form's (no file, too big, a ZIP bomb).
        issues = Refusal(
            [*response.context["issues"]]
            + [Issue(message) for message in form_messages(response.context["form"])]
        )
        issues.total = len(issues) + response.context["more_issues"]  # the page shows 200
        tally("refused")
        assert_french([str(issue) for issue in issues])
        assert "Import refusé" in html or response.context["form"].errors
        assert budget_state(contract) == before
        return "refused", issues
    assert response.templates[0].name == "financing/import_preview.html"
    plan = response.context["plan"]
    assert plan.errors == []
    assert budget_state(contract) == before  # a preview writes nothing
    if not plan.has_changes:
        tally("unchanged")
        return "unchanged", plan
    confirm = client.post(CONFIRM, {"fingerprint": response.context["fingerprint"]})
    if confirm.status_code == 200:  # refused at the last moment: nothing written
        issues = list(confirm.context["issues"])
        assert_french([str(issue) for issue in issues])
        assert budget_state(contract) == before
        tally("refused at confirmation")
        return "refused", issues
    assert confirm.status_code == 302 and confirm["Location"] == BUDGET
    assert_applied(contract, plan, before)
    tally("applied")
    return "applied", plan


def assert_applied(contract, plan, before) -> None:
    """Every row of the file as the preview showed it; every other line as it was."""
    lines = {
        (line.year, line.post_id, line.fiche_id): line
        for line in BudgetLine.objects.filter(contract=contract).prefetch_related("contributions")
    }
    for row in plan.rows:
        line = lines.pop(row.key)
        assert (line.label, line.amount, line.other_receipts, line.continued) == (
            row.label,
            row.amount,
            row.other_receipts,
            row.continued,
        )
        # The forecast shares the preview computed, and nothing typed.
        stored = {c.partner_id: c.amount for c in line.contributions.all()}
        assert stored == row.shares
        assert sum(stored.values()) == line.amount - line.other_receipts
    kept = {pk: values for pk, *values in before[0]}
    for line in lines.values():
        assert kept[line.pk] == [
            line.year,
            line.post_id,
            line.fiche_id,
            line.annex_convention_id,
            line.label,
            line.amount,
            line.version,
        ]


def assert_issues_name_their_cells(issues) -> None:
    for issue in issues:
        assert issue.rows, str(issue)


# Random and damaged files ---------------------------------------------------------------

names = st.sampled_from(
    ["budget.xlsx", "budget.csv", "budget.ods", "BUDGET.XLSX", "budget.tar.csv", "a.b.ods"]
)


@examples(40)
@given(content=st.binary(max_size=3000), name=names)
def test_random_bytes_under_a_spreadsheet_name_are_refused_in_french(
    finance, contract_with_room, content, name
):
    with isolated_example():
        outcome, _detail = attempt(finance, contract_with_room, content, name)
        assert outcome == "refused"


def _rezip(data: bytes, member: str, replace) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = replace(content)
            target.writestr(info, content)
    return output.getvalue()


# Text a damaged or hand-written workbook may hold where a number or a count belongs.
XML_VALUES = [
    "abc",
    "-5",
    "0",
    "1e400",
    "NaN",
    "inf",
    "99999999999999999999999",
    "1048577",
    "30000000",
    "2147483648",
    "",
    "1.5",
    "\u0661",
]


@st.composite
def damaged_workbooks(draw, files):
    fmt = draw(st.sampled_from(["xlsx", "ods"]))
    data = files[fmt]
    name = f"budget.{fmt}"
    how = draw(st.sampled_from(["truncate", "flip", "member", "attribute"]))
    if how == "truncate":
        return data[: draw(st.integers(min_value=4, max_value=len(data) - 1))], name
    if how == "flip":
        damaged = bytearray(data)
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            position = draw(st.integers(min_value=0, max_value=len(data) - 1))
            damaged[position] = draw(st.integers(min_value=0, max_value=255))
        return bytes(damaged), name
    members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    member = draw(st.sampled_from(members))
    if how == "member":
        junk = draw(st.binary(max_size=200) | st.sampled_from([b"", b"<x", b"<?xml?>"]))
        return _rezip(data, member, lambda _content: junk), name
    # A valid archive whose sheet holds a wrong number, count or position.
    sheet = "content.xml" if fmt == "ods" else "xl/worksheets/sheet1.xml"
    value = draw(st.sampled_from(XML_VALUES))
    attributes = (
        [
            b'office:value="',
            b'table:number-columns-repeated="',
            b'table:number-rows-repeated="',
        ]
        if fmt == "ods"
        else [b'r="', b"<v>", b's="']
    )
    attribute = draw(st.sampled_from(attributes))

    def patch(content: bytes) -> bytes:
        encoded = value.encode()
        if attribute == b"<v>":
            return re.sub(rb"<v>[^<]*</v>", b"<v>" + encoded + b"</v>", content, count=3)
        if attribute in content:
            return re.sub(re.escape(attribute) + rb'[^"]*"', attribute + encoded + b'"', content)
        # Add the attribute to the first rows or cells.
        tag = b"<table:table-row" if b"rows" in attribute else b"<table:table-cell"
        return content.replace(tag, tag + b" " + attribute + encoded + b'"', 3)

    return _rezip(data, sheet, patch), name


@examples(50)
@given(data=st.data())
def test_a_damaged_workbook_is_refused_in_french(finance, contract_with_room, exports, data):
    content, name = data.draw(damaged_workbooks(exports["files"]))
    with isolated_example():
        outcome, _detail = attempt(finance, contract_with_room, content, name)
        assert outcome in ("refused", "unchanged", "applied")


def test_a_zip_bomb_is_refused_without_being_inflated(finance, contract_with_room, exports):
    """A small archive that claims a sheet of hundreds of megabytes is refused on its
    claim: the sheet is never inflated into memory."""
    bomb = _rezip(
        exports["files"]["xlsx"],
        "xl/worksheets/sheet1.xml",
        lambda content: content.replace(b"</sheetData>", b" " * 100_000_000 + b"</sheetData>"),
    )
    assert len(bomb) < 1_000_000
    with isolated_example():
        outcome, issues = attempt(finance, contract_with_room, bomb, "budget.xlsx")
    assert outcome == "refused"
    assert "décompress" in str(issues[0])


def test_a_far_away_row_is_refused_quickly(finance, contract_with_room, exports):
    """`<row r="1000000000">` is a few bytes; reading every row up to it would take hours."""
    far = _rezip(
        exports["files"]["xlsx"],
        "xl/worksheets/sheet1.xml",
        lambda content: content.replace(
            b"</sheetData>",
            b'<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>2015</t></is></c>'
            b"</row></sheetData>",
        ),
    )
    with isolated_example():
        outcome, issues = attempt(finance, contract_with_room, far, "budget.xlsx")
    assert outcome == "refused"
    assert "1 048 576" in str(issues[0]).replace("\u202f", " ")


# Encodings ------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be"]


@examples(25)
@given(encoding=st.sampled_from(ENCODINGS), label=hostile_text, row=st.integers(0, 8))
def test_a_csv_in_any_encoding_is_read_or_refused_in_french(
    finance, contract_with_room, exports, encoding, label, row
):
    rows = [list(r) for r in exports["rows"]]
    rows[row][COLUMNS["label"]] = label[:250]
    content = write_csv(exports["header"], rows, encoding=encoding)
    with isolated_example():
        outcome, detail = attempt(finance, contract_with_room, content, "budget.csv")
        if outcome == "refused":
            assert_french([str(issue) for issue in detail])
        if outcome == "applied":
            assert_exports_are_inert(finance)


# Hostile cells --------------------------------------------------------------------------

cell_values = st.one_of(
    hostile_text,
    st.sampled_from(FORMULAS),
    amount_text,
    huge_ints,
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.none(),
    st.integers(min_value=251, max_value=150_000).map(lambda n: "x" * n),
)


def binary(changes) -> bool:
    """Whether a change puts a NUL in the file (the last item of each change)."""
    return any(isinstance(change[-1], str) and "\x00" in change[-1] for change in changes)


@examples(80)
@given(
    fmt=st.sampled_from(["xlsx", "csv", "ods"]),
    changes=st.lists(
        st.tuples(st.integers(0, 8), st.sampled_from(sorted(COLUMNS.values())), cell_values),
        min_size=1,
        max_size=3,
    ),
)
def test_a_hostile_cell_is_refused_with_its_row_and_column_or_kept_inert(
    finance, contract_with_room, exports, fmt, changes
):
    rows = [list(r) for r in exports["rows"]]
    for row, column, value in changes:
        rows[row][column] = value
    content, name = write(fmt, exports["header"], rows)
    with isolated_example():
        outcome, detail = attempt(finance, contract_with_room, content, name)
        if outcome == "refused" and fmt == "csv" and binary(changes):
            # A NUL near the top may make the file no text at all: refused as a whole; else
            # its cell is named.
            assert "fichier texte" in str(detail[0]) or detail[0].rows, str(detail[0])
        elif outcome == "refused":
            assert_issues_name_their_cells(detail)
            # A bad cell is named, or the columns its value is checked against are.
            concerned = set().union(*(GROUPS[column] for _row, column, _value in changes))
            for issue in detail:
                assert set(issue.columns) & concerned, str(issue)
        if outcome == "applied":
            assert_exports_are_inert(finance)


@examples(40)
@given(
    fmt=st.sampled_from(["xlsx", "csv", "ods"]),
    row=st.integers(0, 8),
    label=st.one_of(hostile_text, st.sampled_from(FORMULAS)),
)
# Found by a random draw: a CSV with a NUL in a label was refused as « ni un classeur ni un
# fichier texte », naming no cell.
@example(fmt="csv", row=0, label="\x00")
@example(fmt="csv", row=0, label="\x1f\x00")
def test_a_formula_or_script_in_a_label_is_stored_as_text_and_exported_inert(
    finance, contract_with_room, exports, fmt, row, label
):
    rows = [list(r) for r in exports["rows"]]
    rows[row][COLUMNS["label"]] = label
    content, name = write(fmt, exports["header"], rows)
    with isolated_example():
        outcome, detail = attempt(finance, contract_with_room, content, name)
        if outcome == "applied":
            assert_exports_are_inert(finance)
            page = finance.get(BUDGET)
            assert page.status_code == 200
            assert_no_executable_script(page.content.decode())
        elif outcome == "refused":
            assert_issues_name_their_cells(detail)


# Amounts that fit the room left in 2015 (40 000 €, `contract_with_room`), written the ways
# people write them.
fitting_amounts = st.one_of(
    st.decimals(min_value=0, max_value=40_000, places=2),
    st.floats(min_value=0, max_value=40_000),
    st.integers(min_value=0, max_value=40_000).map(lambda n: f"{n:,},00".replace(",", " ", 1)),
    st.sampled_from(["-0", "-0,00", "(0)", "0,001", "0,005", "1.234,56", "12 345,67 €"]),
)


@examples(30)
@given(
    fmt=st.sampled_from(["xlsx", "csv", "ods"]),
    amount=st.one_of(fitting_amounts, amount_text, st.floats(), st.decimals(), huge_ints),
)
def test_an_amount_is_read_exactly_or_refused_in_french(
    finance, contract_with_room, exports, fmt, amount
):
    """A new 2015 line (communication, fiche 1) without other receipts, so that only the
    amount itself can make the row wrong."""
    rows = [list(r) for r in exports["rows"]]
    new = list(rows[4])  # 2015, communication
    new[COLUMNS["fiche_number"]] = 1
    new[COLUMNS["label"]] = "Nouvelle ligne"
    new[COLUMNS["amount"]] = amount
    new[COLUMNS["other_receipts"]] = 0
    new[COLUMNS["continued"]] = "non"
    rows.append(new)
    content, name = write(fmt, exports["header"], rows)
    with isolated_example():
        outcome, detail = attempt(finance, contract_with_room, content, name)
        if outcome == "refused":
            assert_issues_name_their_cells(detail)
            for issue in detail:  # the new line's own row, with others for an envelope
                assert 11 in issue.rows, str(issue)
        else:
            assert outcome == "applied"
            line = BudgetLine.objects.get(contract=contract_with_room, year=2015, fiche__number=1)
            assert line.amount.is_finite() and Decimal(0) <= line.amount <= Decimal(40_000)
            assert line.amount == line.amount.quantize(Decimal("0.01"))
            assert str(line.amount) != "-0.00"


@examples(20)
@given(
    fmt=st.sampled_from(["xlsx", "csv", "ods"]),
    changes=st.lists(
        st.tuples(
            st.integers(0, 23),
            st.one_of(
                hostile_text,
                st.sampled_from(
                    [
                        "Année",
                        "Libellé",
                        "Contribution CAF (€)",
                        "Prévu (€)",
                        "Autres recettes prévues (€)",
                        "Action antérieure (oui/non)",
                        "PSEJ CAF prévue (€)",
                        "Dépenses réalisées (€)",
                    ]
                ),
                hostile_text.map(lambda t: f"Contribution {t} (€)"),
                st.integers(),
                st.none(),
            ),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_hostile_header_is_refused_in_french_or_ignored(
    finance, contract_with_room, exports, fmt, changes
):
    """Unknown columns are ignored, a missing or doubled one refused, and a contribution
    column of the old layout: each named by its column on row 1."""
    header = [*exports["header"], None, None]
    for column, value in changes:
        header[column] = value
    content, name = write(fmt, _trim_none(header), [list(r) for r in exports["rows"]])
    with isolated_example():
        outcome, detail = attempt(finance, contract_with_room, content, name)
        if outcome == "refused" and fmt == "csv" and binary(changes):
            assert "fichier texte" in str(detail[0]), str(detail[0])
        elif outcome == "refused":
            for issue in detail:
                assert issue.rows == (1,) or (issue.rows and 1 not in issue.rows), str(issue)


def _trim_none(header):
    while header and header[-1] is None:
        header.pop()
    return header


# Size -----------------------------------------------------------------------------------


@examples(4)
@given(count=st.integers(min_value=1000, max_value=4000), fmt=st.sampled_from(["csv", "xlsx"]))
def test_thousands_of_rows_are_refused_in_french_and_name_their_rows(
    finance, contract_with_room, exports, count, fmt
):
    """Thousands of lines of the same year and poste: duplicates, and an envelope blown."""
    template = exports["rows"][5]
    rows = [list(r) for r in exports["rows"]]
    for index in range(count):
        row = list(template)
        row[COLUMNS["label"]] = f"Ligne {index}"
        rows.append(row)
    content, name = write(fmt, exports["header"], rows)
    with isolated_example():
        outcome, issues = attempt(finance, contract_with_room, content, name)
    assert outcome == "refused"
    assert_issues_name_their_cells(issues)
    assert issues.total >= count


def test_too_many_rows_or_columns_are_refused_in_french(finance, contract_with_room, exports):
    header = exports["header"]
    content = write_csv(header, [[2015, "x"]] * 100_001)
    with isolated_example():
        outcome, issues = attempt(finance, contract_with_room, content, "budget.csv")
    assert outcome == "refused"
    assert "100 000" in str(issues[0]).replace("\u202f", " ")
    wide = write_csv(header + [f"x{i}" for i in range(MAX_COLUMNS * 2)], exports["rows"])
    with isolated_example():
        outcome, _plan = attempt(finance, contract_with_room, wide, "budget.csv")
    assert outcome == "unchanged"


def test_a_huge_cell_is_refused_in_french(finance, contract_with_room, exports):
    rows = [list(r) for r in exports["rows"]]
    rows[3][COLUMNS["label"]] = "x" * 200_000
    with isolated_example():
        outcome, issues = attempt(
            finance, contract_with_room, write_csv(exports["header"], rows), "budget.csv"
        )
    assert outcome == "refused"
    assert len(str(issues[0])) < 500


# The bugs these properties found, kept as plain examples -------------------------------


def _with(exports, fmt, row, **cells):
    rows = [list(r) for r in exports["rows"]]
    for name, value in cells.items():
        rows[row][COLUMNS[name]] = value
    return write(fmt, exports["header"], rows)


@pytest.mark.parametrize(
    ("fmt", "amount"),
    [("csv", "1" * 40), ("xlsx", 1e30), ("ods", Decimal("1E+30")), ("csv", "9" * 5000)],
)
def test_an_amount_beyond_any_precision_is_refused_with_its_cell(
    finance, contract_with_room, exports, fmt, amount
):
    """Was a server error: rounding it to the cent overflowed the decimal context."""
    content, name = _with(exports, fmt, 4, amount=amount)
    outcome, issues = attempt(finance, contract_with_room, content, name)
    assert outcome == "refused"
    assert str(issues[0]).startswith("Ligne 6, colonne « Prévu (€) » : le montant « ")
    assert "dépasse le maximum de 9 999 999 999,99" in str(issues[0]).replace("\u202f", " ")
    assert len(str(issues[0])) < 300  # the 5 000 digits are not shown back


def test_year_zero_is_refused_at_the_preview_with_its_column(finance, contract_with_room, exports):
    """Was accepted by the preview (0 is falsy: the period check was skipped), then refused
    at confirmation by a message naming no column."""
    content, name = _with(exports, "xlsx", 0, year="0.0")
    outcome, issues = attempt(finance, contract_with_room, content, name)
    assert outcome == "refused"
    assert [str(i) for i in issues] == [
        "Ligne 2, colonne « Année » : L'année 0 est hors de la période du contrat (2014–2017)."
    ]


@pytest.mark.parametrize(
    ("attribute", "value", "expected"),
    [
        ('office:value="2014"', 'office:value="abc"', "Ligne 2, colonne « Année » : « abc »"),
        ('office:value="2014"', 'office:value="NaN"', "Ligne 2, colonne « Année » : « NaN »"),
        ("<table:table-cell", '<table:table-cell table:number-columns-repeated="zz"', "ODS"),
        ("<table:table-row", '<table:table-row table:number-rows-repeated="-5"', "ODS"),
    ],
)
def test_a_forged_ods_number_or_count_is_refused_in_french(
    finance, contract_with_room, exports, attribute, value, expected
):
    """Were server errors (Decimal("abc"), int("zz"), int(NaN)), or a header row silently
    dropped (a negative count)."""
    forged = _rezip(
        exports["files"]["ods"],
        "content.xml",
        lambda content: content.replace(attribute.encode(), value.encode(), 1),
    )
    outcome, issues = attempt(finance, contract_with_room, forged, "budget.ods")
    assert outcome == "refused"
    assert expected in str(issues[0])


@pytest.mark.parametrize(
    ("old", "new"), [(b'r="2"', b'r="x"'), (b"<v>2014</v>", b"<v>abc</v>"), (b' s="', b' s="99')]
)
def test_a_forged_xlsx_sheet_is_refused_in_french(finance, contract_with_room, exports, old, new):
    """openpyxl reads a sheet while it is iterated: its errors came after the guard."""
    forged = _rezip(
        exports["files"]["xlsx"],
        "xl/worksheets/sheet1.xml",
        lambda content: content.replace(old, new, 1),
    )
    outcome, _detail = attempt(finance, contract_with_room, forged, "budget.xlsx")
    assert outcome in ("refused", "unchanged")


def test_a_nul_far_down_a_csv_is_refused_with_its_cell(finance, contract_with_room, exports):
    """Past the first 8 KB the file is taken for text: the NUL reached the database, which
    PostgreSQL refuses (a server error there)."""
    header = [*exports["header"], "Commentaire"]
    rows = [[*r, "x" * 9000 if n == 0 else ""] for n, r in enumerate(exports["rows"])]
    rows[6][COLUMNS["label"]] = "Libellé\x00caché"
    outcome, issues = attempt(finance, contract_with_room, write_csv(header, rows), "budget.csv")
    assert outcome == "refused"
    assert [str(i) for i in issues] == [
        "Ligne 8, colonne « Libellé » : le texte contient un caractère invisible interdit "
        "(U+0000), qu'aucun classeur ne peut porter : retirez-le."
    ]


@pytest.mark.parametrize("label", ["\uffff\ufffe", "a\x01b", "\x1b[31m"])
def test_a_label_no_workbook_can_hold_is_refused(finance, contract_with_room, exports, label):
    """Was stored, and the XLSX export then failed on it (a server error)."""
    content, name = _with(exports, "csv", 2, label=label)
    outcome, issues = attempt(finance, contract_with_room, content, name)
    assert outcome == "refused"
    assert "Ligne 4, colonne « Libellé » : le texte contient un caractère invisible" in str(
        issues[0]
    )


def test_exports_drop_what_no_workbook_can_hold(finance, contract_with_room):
    """Text stored by another path (the admin, an older import) still exports."""
    BudgetLine.objects.filter(contract=contract_with_room, year=2015).update(label="\x01=cmd\uffff")
    Fiche.objects.filter(contract=contract_with_room, number=12).update(title="-\x0bFiche")
    assert_exports_are_inert(finance)


@pytest.mark.parametrize(
    ("encoding", "outcome"), [("utf-16", "unchanged"), ("utf-16-le", "refused")]
)
def test_a_utf16_csv_is_read_with_its_byte_order_mark(
    finance, contract_with_room, exports, encoding, outcome
):
    content = write_csv(exports["header"], exports["rows"], encoding=encoding)
    result, detail = attempt(finance, contract_with_room, content, "budget.csv")
    assert result == outcome
    if outcome == "refused":
        assert "UTF-16 sans marque d'ordre des octets" in str(detail[0])


@pytest.mark.parametrize("zero", ["-0", "-0,00", "(0)", -0.0])
def test_minus_zero_is_zero(zero):
    assert str(clean_money(zero)) == "0.00"


NEW_COLUMN_CELLS = [
    (
        "other_receipts",
        "=1+1",
        "Ligne 6, colonne « Autres recettes prévues (€) » : « =1+1 » n'est pas un montant.",
    ),
    (
        "other_receipts",
        "1" * 40,
        "Ligne 6, colonne « Autres recettes prévues (€) » : le montant « ",
    ),
    (
        "other_receipts",
        "-0,01",
        "Ligne 6, colonne « Autres recettes prévues (€) » : le montant « -0,01 » est négatif",
    ),
    (
        "other_receipts",
        "120 000,01",
        "Ligne 6, colonne « Autres recettes prévues (€) » : les autres recettes prévues "
        "(120\u202f000,01\xa0€) dépassent le prévu",
    ),
    (
        "continued",
        "=TRUE()",
        "Ligne 6, colonne « Action antérieure (oui/non) » : « =TRUE() » n'est pas une "
        "réponse possible : écrivez oui ou non.",
    ),
    (
        "continued",
        "oui\x00",
        "Ligne 6, colonne « Action antérieure (oui/non) » : le texte contient un caractère "
        "invisible interdit (U+0000)",
    ),
    (
        "continued",
        "1",
        "Ligne 6, colonne « Action antérieure (oui/non) » : « 1 » n'est pas une réponse "
        "possible : écrivez oui ou non.",
    ),
]
# A formula typed in a workbook is a formula, read by its value (none here), and a control
# character cannot be written there: those go by CSV only.
FORMULA_OR_CONTROL = ("=1+1", "=TRUE()", "oui\x00")


@pytest.mark.parametrize(
    ("fmt", "column", "value", "message"),
    [
        (fmt, *case)
        for fmt in ("csv", "xlsx")
        for case in NEW_COLUMN_CELLS
        if fmt == "csv" or case[1] not in FORMULA_OR_CONTROL
    ],
)
def test_a_hostile_cell_in_the_new_columns_is_refused_with_its_cell(
    finance, contract_with_room, exports, fmt, column, value, message
):
    """Row 6 (2015 coordination, 120 000 €): other receipts and « action antérieure »."""
    content, name = _with(exports, fmt, 4, **{column: value})
    outcome, issues = attempt(finance, contract_with_room, content, name)
    assert outcome == "refused"
    assert str(issues[0]).startswith(message), str(issues[0])
    assert len(issues) == 1


def test_hostile_values_in_the_computed_and_actual_columns_are_not_read(
    finance, contract_with_room, exports
):
    """The export's computed shares and actual figures are not the import's to take: a
    formula or nonsense there changes nothing, and nothing of it is stored."""
    rows = [list(r) for r in exports["rows"]]
    header = exports["header"]
    for index, title in enumerate(header):
        if "PSEJ" in title or "réalisé" in title or "bénéficiaire" in title:
            rows[3][index] = '=HYPERLINK("http://example.invalid")'
    content, name = write("csv", header, rows)
    outcome, plan = attempt(finance, contract_with_room, content, name)
    assert outcome == "unchanged"
    assert len(plan.actual_columns) == 6 and len(plan.recomputed_columns) == 4
