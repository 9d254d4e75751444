"""Reading an uploaded spreadsheet (XLSX, CSV or ODS) into a plain table: a header row and
numbered data rows, as the user sees them in the sheet (header = row 1). The type is told by
the content, and must agree with the extension; anything else is refused with a French
message (`SpreadsheetError`). Cell values stay raw (str, int, float, Decimal, None) until
the `clean_*` functions read them as text, whole numbers or amounts (`CellError`)."""

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.utils.translation import gettext as _

from cej.money import format_eur, round_money
from financing.resources import unescape_formula

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
EXTENSIONS = ("xlsx", "csv", "ods")
PREFERRED_SHEET = "Lignes budgétaires"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
TYPE_LABELS = {"xlsx": "XLSX", "csv": "CSV", "ods": "ODS"}


class SpreadsheetError(Exception):
    """The file cannot be read as a table; the message says why, in French."""


@dataclass
class Table:
    format: str  # "xlsx", "csv" or "ods"
    headers: list
    rows: list[tuple[int, list]]  # (row number in the sheet, cells)
    # How text amounts write their decimals: True for a `;` CSV (French), False for a `,`
    # CSV, None (either) in a workbook, whose amounts are usually numbers anyway.
    decimal_comma: bool | None = None


def too_big_message(size: int) -> str:
    return _("Le fichier pèse %(size)s octets : 5 Mo (%(max)s octets) au plus sont acceptés.") % {
        "size": f"{size:,}".replace(",", "\u202f"),
        "max": f"{MAX_BYTES:,}".replace(",", "\u202f"),
    }


def sniff(data: bytes) -> str:
    """What the bytes are: "xlsx", "ods", "csv" (text), "xls" (old Excel) or "other"."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        return "other"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if b"\x00" in data[:8192]:
        return "other"
    try:
        _decode(data[:65536], strict_tail=False)
    except UnicodeDecodeError:
        return "other"
    return "csv"


def _decode(data: bytes, *, strict_tail: bool = True) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — what Excel in French saves as
    « CSV (séparateur : point-virgule) »."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not strict_tail and exc.start > len(data) - 4:
            return data[: exc.start].decode("utf-8-sig")  # a character cut by the sample
        text = data.decode("cp1252", errors="strict")
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text[:4096]):
            raise
        return text


def read_table(data: bytes, filename: str) -> Table:
    if not data:
        raise SpreadsheetError(_("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(too_big_message(len(data)))
    extension = PurePath(filename or "").suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise SpreadsheetError(
            _(
                "Le fichier « %(name)s » n'est pas d'un type accepté : envoyez un classeur "
                "XLSX, CSV ou ODS."
            )
            % {"name": filename}
        )
    kind = sniff(data)
    if kind != extension:
        names = {"name": filename, "expected": TYPE_LABELS[extension]}
        if kind == "xls":
            message = _(
                "Le fichier « %(name)s » est un classeur Excel 97-2003 (.xls) : enregistrez-le "
                "au format .xlsx."
            )
        elif kind in TYPE_LABELS:
            names["found"] = TYPE_LABELS[kind]
            message = _(
                "Le fichier « %(name)s » n'est pas un fichier %(expected)s valide : son contenu "
                "est celui d'un fichier %(found)s."
            )
        else:
            message = _(
                "Le fichier « %(name)s » n'est pas un fichier %(expected)s valide : son contenu "
                "n'est ni un classeur ni un fichier texte."
            )
        raise SpreadsheetError(message % names)
    if kind == "csv":
        text = _csv_text(data)
        delimiter = _csv_delimiter(text)
        headers, numbered = _split(_read_csv(text, delimiter))
        return Table(kind, headers, numbered, decimal_comma=delimiter == ";")
    reader = _read_xlsx if kind == "xlsx" else _read_ods
    headers, numbered = _split(reader(data))
    return Table(kind, headers, numbered)


def _split(rows: Iterator[list]) -> tuple[list, list[tuple[int, list]]]:
    """Header row and non-blank data rows with their sheet row numbers."""
    headers = None
    numbered = []
    for number, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS:
            cells = cells[:MAX_COLUMNS]
        if headers is None:
            if number == 1:
                headers = _trim(cells)
                if not headers:
                    raise SpreadsheetError(
                        _("La première ligne du fichier doit porter les en-têtes de colonnes.")
                    )
            continue
        if all(is_blank(c) for c in cells):
            continue
        if len(numbered) >= MAX_ROWS:
            raise SpreadsheetError(
                _("Le fichier compte plus de %(max)s lignes : découpez-le.")
                % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")}
            )
        numbered.append((number, cells))
    if headers is None:
        raise SpreadsheetError(_("Le fichier est vide."))
    return headers, numbered


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(cells: list) -> list:
    cells = list(cells)
    while cells and is_blank(cells[-1]):
        cells.pop()
    return cells


def _read_xlsx(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged archive
        raise SpreadsheetError(_("Le classeur XLSX est illisible (fichier endommagé ?).")) from exc
    try:
        names = workbook.sheetnames
        if not names:
            raise SpreadsheetError(_("Le fichier est vide."))
        sheet = workbook[PREFERRED_SHEET if PREFERRED_SHEET in names else names[0]]
        # Some tools write a wrong <dimension>: read every row that is there, not its claim.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _csv_text(data: bytes) -> str:
    try:
        return _decode(data)
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("Le fichier CSV n'est ni en UTF-8 ni en Windows-1252.")) from exc


def _csv_delimiter(text: str) -> str:
    """The French convention (`;`, decimal comma) or the international one (`,`, dot)."""
    first_line = text.split("\n", 1)[0]
    return "," if first_line.count(",") > first_line.count(";") else ";"


def _read_csv(text: str, delimiter: str) -> Iterator[list]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise SpreadsheetError(
            _("Le fichier CSV est mal formé : %(error)s.") % {"error": exc}
        ) from exc


def _read_ods(data: bytes) -> Iterator[list]:
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table as OdsTable

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises many kinds on a damaged archive
        raise SpreadsheetError(_("Le classeur ODS est illisible (fichier endommagé ?).")) from exc
    sheets = document.spreadsheet.getElementsByType(OdsTable)
    if not sheets:
        raise SpreadsheetError(_("Le fichier est vide."))
    sheet = next((s for s in sheets if s.getAttribute("name") == PREFERRED_SHEET), sheets[0])
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
        for cell in row.childNodes:
            if cell.qname in cell_tags:
                repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                cells.append((_ods_value(cell), repeat))
        while cells and is_blank(cells[-1][0]):
            cells.pop()  # LibreOffice repeats the empty cells up to its last column
        values = [value for value, repeat in cells for _copy in range(min(repeat, MAX_COLUMNS))]
        repeat_rows = int(row.getAttribute("numberrowsrepeated") or 1)
        if not values:
            # LibreOffice closes a sheet with a million repeated empty rows: cap them.
            for _copy in range(min(repeat_rows, MAX_ROWS)):
                yield []
            continue
        for _copy in range(min(repeat_rows, MAX_ROWS)):
            yield list(values)


def _ods_value(cell):
    value_type = cell.getAttribute("valuetype")
    if value_type in ("float", "currency", "percentage"):
        # office:value holds the exact number; the displayed text may be « 45 000,00 € ».
        return Decimal(cell.getAttribute("value"))
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


# Cells ---------------------------------------------------------------------------------

MAX_AMOUNT = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)


class CellError(ValueError):
    pass


def clean_text(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_formula(str(value).strip())


def clean_int(value) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": value})
        if value == int(value):
            return int(value)
        raise CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": value})
    text = re.sub(r"\s", "", str(value))
    if re.fullmatch(r"\d{1,9}([.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": str(value).strip()})


def clean_money(value, *, decimal_comma: bool | None = None) -> Decimal | None:
    """A cell's amount, rounded to the cent. Text may be French (`45 000,00 €`) or not
    (`45000.00`); `decimal_comma=False` (a comma-separated CSV) makes commas group digits."""
    if is_blank(value):
        return None
    shown = str(value).strip()
    if isinstance(value, bool):
        raise CellError(_("« %(value)s » n'est pas un montant.") % {"value": shown})
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(_("« %(value)s » n'est pas un montant.") % {"value": shown})
        if isinstance(value, Decimal) and not value.is_finite():
            raise CellError(_("« %(value)s » n'est pas un montant.") % {"value": shown})
        amount = round_money(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f€]", "", shown).replace("\u2212", "-")
        if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
            amount = None
        else:
            if "," in text and "." in text:
                if text.rfind(",") > text.rfind("."):
                    text = text.replace(".", "").replace(",", ".")
                else:
                    text = text.replace(",", "")
            elif decimal_comma is False:
                text = text.replace(",", "")
            else:
                text = text.replace(",", ".")
            if not re.fullmatch(r"\d+(\.\d+)?", text):
                raise CellError(_("« %(value)s » n'est pas un montant.") % {"value": shown})
            amount = round_money(text)
    if amount is None or amount < 0:
        raise CellError(
            _("le montant « %(value)s » est négatif : un montant est positif ou nul.")
            % {"value": shown}
        )
    if amount > MAX_AMOUNT:
        raise CellError(
            _("le montant « %(value)s » dépasse le maximum de %(max)s.")
            % {"value": shown, "max": format_eur(MAX_AMOUNT)}
        )
    return amount
