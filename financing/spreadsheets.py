"""Reading an uploaded spreadsheet (XLSX, CSV or ODS) into a plain table: a header row and
numbered data rows, as the user sees them in the sheet (header = row 1). The type is told by
the content, and must agree with the extension; anything else is refused with a French
message (`SpreadsheetError`). A workbook is first judged on what it declares — its unpacked
size, its sheets' ranges and rows (`check_declared`) — before any of it is parsed. Cell
values stay raw (str, int, float, Decimal, None) until the `clean_*` functions read them as
text, whole numbers or amounts (`financing.cells`)."""

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from financing.cells import (
    MAX_COLUMNS,
    MAX_ROWS,
    PREFERRED_SHEET,
    BlankRows,
    SpreadsheetError,
    grouped,
    is_blank,
    shown,
)
from financing.ods_reader import read_ods
from financing.workbook_claims import unpacked_sizes, xlsx_sheet_claims

MAX_BYTES = 5 * 1024 * 1024
# What a workbook may unpack into: the upload form's ceiling (financing.forms_exchange), held
# here too so that every reading of a stored file keeps to it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# odfpy builds the whole ODS document in memory, some 35 bytes for each byte of its
# content.xml, and parses about 2 MB a second: 5 MB hold a few thousand budget lines.
MAX_ODS_CONTENT_BYTES = 5 * 1024 * 1024
# The last row a spreadsheet can have (Excel, LibreOffice): a workbook that places a cell
# below it is damaged or forged, and reading every empty row up to it would take hours.
MAX_SHEET_ROWS = 1_048_576
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
EXTENSIONS = ("xlsx", "csv", "ods")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
TYPE_LABELS = {"xlsx": "XLSX", "csv": "CSV", "ods": "ODS"}


@dataclass
class Table:
    format: str  # "xlsx", "csv" or "ods"
    headers: list
    # (row number in the sheet, cells): as wide as the header, or wider when a cell beyond
    # its last column holds something.
    rows: list[tuple[int, list]]
    # How text amounts write their decimals: True for a `;` CSV (French), False for a `,`
    # CSV, None (either) in a workbook, whose amounts are usually numbers anyway.
    decimal_comma: bool | None = None


def too_big_message(size: int) -> str:
    return _("Le fichier pèse %(size)s octets : 5 Mo (%(max)s octets) au plus sont acceptés.") % {
        "size": grouped(size),
        "max": grouped(MAX_BYTES),
    }


# Files people send by mistake, told by their first bytes: a PDF, an image, a program.
BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x7fELF")


def sniff(data: bytes) -> str:
    """What the bytes are: "xlsx", "ods", "csv" (text), "xls" (old Excel), "utf16" (a text
    in UTF-16 without its byte order mark) or "other"."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                    return "ods"
        except Exception:  # BadZipFile, EOFError, zlib.error… on a damaged archive
            pass
        return "other"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if data.startswith(BINARY_SIGNATURES):
        return "other"
    if data.startswith(UTF16_BOMS):
        try:
            _decode(data[:65536], strict_tail=False)
        except UnicodeDecodeError:
            return "other"
        return "csv"
    head = data[:8192]
    sample = data[:65536]
    if b"\x00" in head:
        # UTF-16 without its byte order mark has a NUL in every other byte.
        halves = (head[0::2].count(0), head[1::2].count(0))
        if max(halves) * 10 >= (len(head) // 2) * 9:
            return "utf16"
        # A text with a NUL (or another control) typed into a cell is still a CSV: the cell
        # is refused with its row and column. Binary files hold more than a few NULs, and
        # what is left of them does not decode as text (below).
        if head.count(0) > max(4, len(head) // 100):
            return "other"
        sample = sample.replace(b"\x00", b"")
    try:
        _decode(sample, strict_tail=False)
    except UnicodeDecodeError:
        return "other"
    return "csv"


def _decode(data: bytes, *, strict_tail: bool = True) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — what Excel in French saves as
    « CSV (séparateur : point-virgule) » —, or UTF-16 when a byte order mark says so (Excel's
    « Texte Unicode »)."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            if not strict_tail and exc.start > len(data) - 4:
                return data[: exc.start].decode("utf-16")  # a character cut by the sample
            raise
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not strict_tail and exc.start > len(data) - 4:
            return data[: exc.start].decode("utf-8-sig")  # a character cut by the sample
        text = data.decode("cp1252", errors="strict")
        # A NUL in a cell is refused with its row and column (clean_text), not here.
        if any(ord(c) < 32 and c not in "\t\r\n\x00" for c in text[:4096]):
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
        elif kind == "utf16":
            message = _(
                "Le fichier « %(name)s » est un texte en UTF-16 sans marque d'ordre des "
                "octets : enregistrez-le en CSV UTF-8, ou au format .xlsx."
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
    check_declared(data, kind)
    reader = _read_xlsx if kind == "xlsx" else read_ods
    headers, numbered = _split(reader(data))
    return Table(kind, headers, numbered)


def check_declared(data: bytes, kind: str) -> None:
    """Refuse a workbook on what it declares, before any of it is parsed: its unpacked size
    and, for an XLSX, each sheet's range and row count (`financing.workbook_claims`). A
    190 000-row sheet fits in a 200 KB archive: parsing it to its 100 001st row took
    seconds. A damaged archive is left to the reader, which says it is unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(unpacked_sizes(archive), kind)
            if kind == "xlsx":
                for claim in xlsx_sheet_claims(archive, stop=MAX_ROWS + 1):
                    _check_rows(claim)
    except SpreadsheetError:
        raise
    except Exception:  # BadZipFile, zlib.error, EOFError… on a damaged member
        return


def _check_sizes(sizes: dict[str, int], kind: str) -> None:
    unpacked = sum(sizes.values())
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            _(
                "Le classeur se décompresse en %(size)s Mo : %(max)s Mo au plus sont acceptés. "
                "Enregistrez-le à nouveau depuis le tableur, ou exportez le budget et "
                "reportez-y vos modifications."
            )
            % {"size": _megabytes(unpacked), "max": _megabytes(MAX_UNPACKED_BYTES)}
        )
    content = sizes.get("content.xml", 0)
    if kind == "ods" and content > MAX_ODS_CONTENT_BYTES:
        raise SpreadsheetError(
            _(
                "Les feuilles de ce classeur ODS se décompressent en %(size)s Mo (content.xml) : "
                "%(max)s Mo au plus sont acceptés, soit quelques milliers de lignes. "
                "Découpez-le, ou enregistrez-le au format XLSX ou CSV."
            )
            % {"size": _megabytes(content), "max": _megabytes(MAX_ODS_CONTENT_BYTES)}
        )


def _check_rows(claim) -> None:
    """The header is row 1: MAX_ROWS lines below it, at most."""
    names = {"sheet": shown(claim.name), "max": grouped(MAX_ROWS)}
    if claim.last_row is not None and claim.last_row - 1 > MAX_ROWS:
        raise SpreadsheetError(
            _(
                "La feuille « %(sheet)s » s'étend jusqu'à la ligne %(last)s (plage %(range)s "
                "déclarée par le classeur) : un import compte au plus %(max)s lignes sous la "
                "ligne d'en-tête. Découpez le fichier, ou supprimez les lignes vides au bas "
                "de la feuille."
            )
            % {**names, "last": grouped(claim.last_row), "range": shown(claim.dimension)}
        )
    if claim.rows - 1 > MAX_ROWS:
        raise SpreadsheetError(
            _(
                "La feuille « %(sheet)s » compte plus de %(max)s lignes sous la ligne d'en-tête, "
                "le maximum d'un import (lignes mises en forme sans contenu comprises) : "
                "découpez le fichier."
            )
            % names
        )


def _megabytes(size: int) -> str:
    return grouped(math.ceil(size / (1024 * 1024)))


def _split(rows: Iterator[list]) -> tuple[list, list[tuple[int, list]]]:
    """Header row and non-blank data rows with their sheet row numbers."""
    headers = None
    numbered = []
    number = 0
    for cells in rows:
        if isinstance(cells, BlankRows):
            number += cells
            continue
        number += 1
        if number > MAX_SHEET_ROWS:
            raise SpreadsheetError(
                _(
                    "Le classeur a une ligne n° %(number)s, au-delà de la dernière ligne "
                    "possible d'une feuille (%(max)s) : il est endommagé. Enregistrez-le à "
                    "nouveau depuis le tableur."
                )
                % {"number": grouped(number), "max": grouped(MAX_SHEET_ROWS)}
            )
        if headers is None:
            if number == 1:
                headers = _trim(cells[:MAX_COLUMNS])
                if not headers:
                    raise SpreadsheetError(
                        _("La première ligne du fichier doit porter les en-têtes de colonnes.")
                    )
            continue
        # Cells beyond the last header belong to no column: kept up to the last filled one,
        # for the import to refuse them (`RowReader`) rather than drop what was typed there.
        extra = cells[len(headers) :]
        cells = cells[: len(headers)]
        if extra.count(None) < len(extra):  # most rows hold nothing there: said at C speed
            cells += _trim(extra)
        if all(is_blank(c) for c in cells):
            continue
        if len(numbered) >= MAX_ROWS:
            raise SpreadsheetError(
                _("Le fichier compte plus de %(max)s lignes : découpez-le.")
                % {"max": grouped(MAX_ROWS)}
            )
        numbered.append((number, cells))
    if headers is None:
        raise SpreadsheetError(_("Le fichier est vide."))
    return headers, numbered


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
        # openpyxl parses the sheet while we iterate: a damaged one fails here, not above.
        # max_col: one cell in column XFD would make every row 16 384 cells wide.
        try:
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                yield list(row)
        except Exception as exc:  # ValueError, KeyError, XML errors… on a forged sheet
            raise SpreadsheetError(
                _("Le classeur XLSX est illisible (fichier endommagé ?).")
            ) from exc
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        if "field larger" in str(exc):
            reason = _("une cellule dépasse %(max)s caractères") % {
                "max": grouped(csv.field_size_limit())
            }
        else:
            reason = _("guillemets ou fins de ligne mal placés")
        raise SpreadsheetError(
            _("Le fichier CSV est mal formé à la ligne %(line)s : %(reason)s.")
            % {"line": reader.line_num, "reason": reason}
        ) from exc
