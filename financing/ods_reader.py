"""Reading an ODS workbook's first sheet into rows of raw cell values (odfpy), within the
limits of a table (`financing.cells`): repeated rows and columns are expanded only as far as
the limits, a damaged or forged document is refused in French (`SpreadsheetError`)."""

import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from financing.cells import (
    MAX_COLUMNS,
    MAX_ROWS,
    PREFERRED_SHEET,
    BlankRows,
    SpreadsheetError,
    is_blank,
    shown,
)


def read_ods(data: bytes) -> Iterator[list]:
    damaged = SpreadsheetError(_("Le classeur ODS est illisible (fichier endommagé ?)."))
    try:
        sheet = _ods_sheet(data)
    except SpreadsheetError:
        raise
    except Exception as exc:  # odfpy raises many kinds on a damaged archive
        raise damaged from exc
    # odfpy has read the whole document, but a forged one can still fail cell by cell.
    try:
        yield from _ods_rows(sheet)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise damaged from exc


def _ods_sheet(data: bytes):
    from odf.opendocument import load
    from odf.table import Table as OdsTable

    document = load(io.BytesIO(data))
    if document.spreadsheet is None:
        raise SpreadsheetError(_("Ce fichier ODS ne contient aucune feuille de calcul."))
    sheets = document.spreadsheet.getElementsByType(OdsTable)
    if not sheets:
        raise SpreadsheetError(_("Le fichier est vide."))
    return next((s for s in sheets if s.getAttribute("name") == PREFERRED_SHEET), sheets[0])


def _ods_rows(sheet) -> Iterator[list]:
    from odf.namespaces import TABLENS

    row_tags = {(TABLENS, "table-row")}
    cell_tags = {(TABLENS, "table-cell"), (TABLENS, "covered-table-cell")}

    def rows(parent):
        for node in parent.childNodes:
            if node.qname in row_tags:
                yield node
            elif node.qname[0] == TABLENS and node.qname[1] in ("table-header-rows", "table-rows"):
                yield from rows(node)

    for row in rows(sheet):
        cells = []
        width = 0
        for cell in row.childNodes:
            if cell.qname in cell_tags and width < MAX_COLUMNS:
                repeat = min(_ods_count(cell, "numbercolumnsrepeated"), MAX_COLUMNS)
                cells.append((_ods_value(cell), repeat))
                width += repeat
        while cells and is_blank(cells[-1][0]):
            cells.pop()  # LibreOffice repeats the empty cells up to its last column
        values = [value for value, repeat in cells for _copy in range(repeat)]
        repeat_rows = _ods_count(row, "numberrowsrepeated")
        if not values:
            # LibreOffice closes a sheet with a million repeated empty rows: skip them at once.
            yield BlankRows(repeat_rows)
            continue
        for _copy in range(min(repeat_rows, MAX_ROWS + 1)):
            yield list(values)


def _ods_count(element, attribute) -> int:
    """A repetition count: a whole number from 1 up."""
    raw = element.getAttribute(attribute)
    if raw is None or raw == "":
        return 1
    if not re.fullmatch(r"[0-9]{1,9}", str(raw)) or int(raw) < 1:
        raise SpreadsheetError(
            _(
                "Le classeur ODS est endommagé : « %(value)s » n'est pas un nombre de "
                "répétitions de lignes ou de cellules."
            )
            % {"value": shown(raw)}
        )
    return int(raw)


def _ods_value(cell):
    value_type = cell.getAttribute("valuetype")
    if value_type in ("float", "currency", "percentage"):
        # office:value holds the exact number; the displayed text may be « 45 000,00 € ».
        raw = cell.getAttribute("value")
        try:
            return Decimal(raw)
        except (InvalidOperation, TypeError, ValueError):
            return raw  # the cell's checks say it is no number, with its row and column
    if value_type == "date":
        return cell.getAttribute("datevalue")
    if value_type == "boolean":
        return cell.getAttribute("booleanvalue") == "true"
    from odf import teletype
    from odf.text import P

    paragraphs = cell.getElementsByType(P)
    if not paragraphs:
        return None
    return "\n".join(teletype.extractText(p) for p in paragraphs)
