"""What a worksheet declares and holds, read without an XML parser
(`financing.workbook_claims`): its dimension, and its rows counted by their end tags, however
the XML spells them and wherever the stream is cut."""

import io
import zipfile

import pytest

from financing import workbook_claims
from financing.workbook_claims import SheetClaim, xlsx_sheet_claims

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def claim(xml: str, *, encoding="utf-8", stop=1000) -> SheetClaim:
    return workbook_claims._sheet_claim("Feuille", io.BytesIO(xml.encode(encoding)), stop)


def sheet(rows: str, *, before: str = "", prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<?xml version="1.0"?><{p}worksheet {xmlns}="{MAIN}">{before}'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    )


@pytest.fixture(params=[7, 1024 * 1024], ids=["cut every 7 bytes", "one chunk"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(workbook_claims, "CHUNK", request.param)


def test_rows_holding_cells_are_counted_however_spelled(chunk):
    rows = (
        '<row r="1"><c><v>1</v></c></row>'
        '<row r="2" spans="1:2"><c><v>2</v></c></row >'
        '<row r="3"/>'  # no cell: a blank row, not counted
        "<row><c><v>4</v></c></row\n>"
    )
    assert claim(sheet(rows)) == SheetClaim("Feuille", None, None, 3)
    prefixed = rows.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c>", "<x:c>")
    assert claim(sheet(prefixed.replace("</c>", "</x:c>"), prefix="x")).rows == 3


def test_a_utf16_sheet_is_counted_too(chunk):
    xml = sheet("<row><c><v>1</v></c></row>" * 5).replace('"1.0"?', '"1.0" encoding="UTF-16"?')
    assert claim(xml, encoding="utf-16").rows == 5
    assert claim(xml, encoding="utf-16-le").rows == 5


def test_the_dimension_is_the_one_before_the_rows(chunk):
    rows = "<row><c><v>1</v></c></row>"
    found = claim(sheet(rows, before='<dimension ref="A1:M190000"/>'))
    assert (found.dimension, found.last_row, found.rows) == ("A1:M190000", 190000, 1)
    assert claim(sheet(rows, before='<dimension ref="A1"/>')).last_row == 1
    assert claim(sheet(rows, before=f'<dimension ref="A1:B{"9" * 50}"/>')).last_row == 10**9
    inside = sheet(rows + '<row><c><dimension ref="A1:A9"/></c></row>')
    assert claim(inside).last_row is None


def test_counting_stops_past_the_limit():
    assert claim(sheet("<row><c/></row>" * 50), stop=10).rows == 11


def test_every_worksheet_is_claimed_by_its_name_even_one_the_workbook_does_not_list():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Lignes budgétaires"
    workbook.create_sheet("Synthèse").append([1])
    output = io.BytesIO()
    workbook.save(output)
    with zipfile.ZipFile(output, "a") as archive:
        archive.writestr("xl/worksheets/hidden.xml", sheet("<row><c/></row>" * 3))
    with zipfile.ZipFile(output) as archive:
        claims = list(xlsx_sheet_claims(archive, stop=100))
    assert [(c.name, c.rows) for c in claims] == [
        ("Lignes budgétaires", 0),
        ("Synthèse", 1),
        ("xl/worksheets/hidden.xml", 3),
    ]
