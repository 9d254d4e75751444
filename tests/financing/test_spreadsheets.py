"""Reading an uploaded file that is far bigger than it looks (`financing.spreadsheets`): a
workbook is refused on what it declares — its unpacked size, its sheets' ranges and rows —
before any sheet is parsed; and when its declarations are wrong, reading stops at the row
limit. The files are built once per module: 190 000 rows in an archive of some 130 KB."""

import csv
import io
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet._reader import WorkSheetParser

from financing import ods_reader, spreadsheets
from financing.spreadsheets import SpreadsheetError, read_table

ROWS = 190_000  # the header and 189 999 lines
HEADER = ["Année", "Instrument", "Code poste", "Poste", "N° fiche", "Fiche", "Libellé", "Prévu (€)"]
XLSX_ROW = (
    '<row><c><v>2015</v></c><c t="inlineStr"><is><t>CEJ</t></is></c>'
    '<c t="inlineStr"><is><t>coordination</t></is></c><c/><c><v>12</v></c><c/><c/>'
    "<c><v>1000</v></c></row>"
)
ODS_ROW = (
    '<table:table-row><table:table-cell office:value-type="float" office:value="2015"/>'
    "</table:table-row>"
)


def xlsx(rows: int, *, dimension: bool = True) -> bytes:
    """A workbook of `rows` rows, header included, written as a forger would: identical rows
    without their `r`, so that the sheet compresses some 250 times."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lignes budgétaires"
    workbook.active.append(HEADER)
    source = io.BytesIO()
    workbook.save(source)
    claimed = f'<dimension ref="A1:H{rows}"/>'.encode() if dimension else b""
    return _rezip(
        source.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:H1"/>', claimed).replace(
            b"</sheetData>", (XLSX_ROW * (rows - 1)).encode() + b"</sheetData>"
        ),
    )


def ods(rows_xml: str) -> bytes:
    """An ODS whose sheet holds the header, then `rows_xml`."""
    import tablib

    source = tablib.Dataset(headers=HEADER, title="Lignes budgétaires").export("ods")
    return _rezip(
        source,
        "content.xml",
        lambda xml: xml.replace(b"</table:table>", rows_xml.encode() + b"</table:table>"),
    )


def _rezip(data: bytes, member: str, change) -> bytes:
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return output.getvalue()


@pytest.fixture(scope="module")
def big_xlsx():
    data = xlsx(ROWS)
    assert len(data) < 200_000
    return data


@pytest.fixture(scope="module")
def big_xlsx_without_dimension():
    return xlsx(ROWS, dimension=False)


@pytest.fixture
def sheet_parses(monkeypatch):
    """How many times openpyxl starts parsing a sheet (its dimension or its rows), and how
    many rows it parses."""
    counts = {"parsers": 0, "rows": 0}
    init, parse_row = WorkSheetParser.__init__, WorkSheetParser.parse_row

    def counting_init(self, *args, **kwargs):
        counts["parsers"] += 1
        init(self, *args, **kwargs)

    def counting_parse_row(self, element):
        counts["rows"] += 1
        return parse_row(self, element)

    monkeypatch.setattr(WorkSheetParser, "__init__", counting_init)
    monkeypatch.setattr(WorkSheetParser, "parse_row", counting_parse_row)
    return counts


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(SpreadsheetError) as refused:
        read_table(data, name)
    return str(refused.value).replace("\u202f", " ")


# XLSX -----------------------------------------------------------------------------------


def test_a_sheet_declaring_more_rows_than_an_import_holds_is_refused_unparsed(
    big_xlsx, sheet_parses
):
    assert refusal(big_xlsx, "budget.xlsx") == (
        "La feuille « Lignes budgétaires » s'étend jusqu'à la ligne 190 000 (plage A1:H190000 "
        "déclarée par le classeur) : un import compte au plus 100 000 lignes sous la ligne "
        "d'en-tête. Découpez le fichier, ou supprimez les lignes vides au bas de la feuille."
    )
    assert sheet_parses == {"parsers": 0, "rows": 0}


def test_a_sheet_without_dimension_is_refused_on_its_rows_counted_unparsed(
    big_xlsx_without_dimension, sheet_parses
):
    """openpyxl would parse such a sheet in full just to size it, before the first row."""
    assert refusal(big_xlsx_without_dimension, "budget.xlsx") == (
        "La feuille « Lignes budgétaires » compte plus de 100 000 lignes sous la ligne "
        "d'en-tête, le maximum d'un import (lignes mises en forme sans contenu comprises) : "
        "découpez le fichier."
    )
    assert sheet_parses == {"parsers": 0, "rows": 0}


def test_reading_stops_at_the_row_limit_whatever_the_file_declares(
    big_xlsx, sheet_parses, monkeypatch
):
    """Were the declarations wrong (or the checks fooled), the sheet is still read no
    further than the first row past the limit — 1 000 rows here, for speed."""
    monkeypatch.setattr(spreadsheets, "check_declared", lambda data, kind: None)
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 1000)
    assert refusal(big_xlsx, "budget.xlsx") == (
        "Le fichier compte plus de 1 000 lignes : découpez-le."
    )
    assert sheet_parses["rows"] == 1 + 1000 + 1  # the header, the limit, the one too many


@pytest.mark.parametrize("dimension", [True, False])
def test_a_sheet_of_exactly_the_limit_is_read(monkeypatch, dimension):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 1000)
    table = read_table(xlsx(1001, dimension=dimension), "budget.xlsx")
    assert len(table.rows) == 1000 and table.rows[-1][0] == 1001
    assert "1 000 lignes" in refusal(xlsx(1002, dimension=dimension), "budget.xlsx")


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_uninflated(sheet_parses):
    padding = b"<!--" + b" " * (60 * 1024 * 1024) + b"-->"
    bomb = _rezip(xlsx(10), "xl/styles.xml", lambda xml: xml + padding)
    assert len(bomb) < 200_000
    assert refusal(bomb, "budget.xlsx").startswith(
        "Le classeur se décompresse en 61 Mo : 50 Mo au plus sont acceptés."
    )
    assert sheet_parses["parsers"] == 0


# ODS and CSV ----------------------------------------------------------------------------


def test_an_ods_whose_sheets_unpack_beyond_the_limit_is_refused_unparsed(monkeypatch):
    import odf.opendocument

    loads = []
    monkeypatch.setattr(odf.opendocument, "load", lambda *args: loads.append(args))
    big = ods(ODS_ROW * ROWS)
    assert len(big) < 200_000
    assert refusal(big, "budget.ods") == (
        "Les feuilles de ce classeur ODS se décompressent en 19 Mo (content.xml) : 5 Mo au "
        "plus sont acceptés, soit quelques milliers de lignes. Découpez-le, ou "
        "enregistrez-le au format XLSX ou CSV."
    )
    assert loads == []


def counted(monkeypatch, reader: str, module=spreadsheets) -> list[int]:
    """Wrap the named row reader of `module` to count the rows it yields."""
    yielded = [0]
    original = getattr(module, reader)

    def counting(*args):
        for row in original(*args):
            yielded[0] += 1
            yield row

    monkeypatch.setattr(module, reader, counting)
    return yielded


def test_an_ods_row_repeated_past_the_limit_is_read_no_further(monkeypatch):
    """A row repeated 190 000 times is a few bytes: it is expanded no further than the
    first copy past the limit."""
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 1000)
    monkeypatch.setattr(ods_reader, "MAX_ROWS", 1000)
    yielded = counted(monkeypatch, "_ods_rows", ods_reader)
    repeated = ODS_ROW.replace(
        "<table:table-row>", f'<table:table-row table:number-rows-repeated="{ROWS}">'
    )
    assert (
        refusal(ods(repeated), "budget.ods")
        == "Le fichier compte plus de 1 000 lignes : découpez-le."
    )
    assert yielded[0] <= 1 + 1000 + 1


def test_a_csv_is_read_no_further_than_the_row_limit(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 1000)
    yielded = counted(monkeypatch, "_read_csv")
    output = io.StringIO()
    csv.writer(output, delimiter=";").writerows([HEADER] + [[2015, "CEJ"]] * ROWS)
    assert refusal(output.getvalue().encode(), "budget.csv") == (
        "Le fichier compte plus de 1 000 lignes : découpez-le."
    )
    assert yielded[0] == 1 + 1000 + 1


def test_a_csv_over_the_size_limit_is_refused_unread(monkeypatch):
    yielded = counted(monkeypatch, "_read_csv")
    assert refusal(b"a;b\r\n" * (spreadsheets.MAX_BYTES // 5 + 1), "budget.csv").startswith(
        "Le fichier pèse 5 242 885 octets : 5 Mo (5 242 880 octets) au plus sont acceptés."
    )
    assert yielded == [0]
