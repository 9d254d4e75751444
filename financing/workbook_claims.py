"""What a workbook archive says about itself, read before any of its XML is parsed, so that
`financing.spreadsheets` can refuse a small file that would cost seconds of parsing:

- the unpacked size each member declares (zipfile never inflates a member beyond it);
- for each worksheet of an XLSX, the range its `<dimension ref="A1:H190000"/>` declares, and
  the rows that hold cells, counted by their end tags in the inflated stream — no XML
  parser involved. A dimension may be wrong or absent (openpyxl's write-only mode writes
  none); the count is not a claim, and stops as soon as it passes the caller's limit.

Plain findings, no policy: the limits and the French messages live in the reader."""

import codecs
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring

CHUNK = 1024 * 1024
# Where a sheet's dimension is sought, when its rows do not start sooner.
HEAD = 64 * 1024
# A tag cut by a chunk's end is carried to the next chunk: a row's end tag is short, so a
# longer carry is no tag of interest (a comment, a CDATA section) and is let go.
MAX_CARRY = 1024
# The workbook's own description (sheet names): read only when it is of a sensible size.
MAX_DESCRIPTION_BYTES = 1024 * 1024
# Any namespace prefix, however spelled; no XML parser, so no entity, can hide a row.
_ROW_END = re.compile(r"</(?:[^\s<>/:]+:)?row\s*>")
_DIMENSION = re.compile(r"<(?:[^\s<>/:]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHEET_DATA = re.compile(r"<(?:[^\s<>/:]+:)?sheetData[\s/>]")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetClaim:
    """One worksheet: its name (or its path in the archive, when the workbook does not name
    it), the range its dimension declares and the last row of that range (None without a
    dimension), and how many rows hold cells — counted up to the first past `stop`."""

    name: str
    dimension: str | None
    last_row: int | None
    rows: int


def unpacked_sizes(archive: zipfile.ZipFile) -> dict[str, int]:
    return {info.filename: info.file_size for info in archive.infolist()}


def xlsx_sheet_claims(archive: zipfile.ZipFile, *, stop: int) -> Iterator[SheetClaim]:
    """Each worksheet's claim, in the workbook's order. Raises what zipfile raises on a
    damaged member (BadZipFile, zlib.error, EOFError…)."""
    for name, member in _xlsx_sheets(archive):
        with archive.open(member) as stream:
            yield _sheet_claim(name, stream, stop)


def _sheet_claim(name: str, stream, stop: int) -> SheetClaim:
    first = stream.read(CHUNK)
    decoder = codecs.getincrementaldecoder(_encoding(first))(errors="replace")
    text = decoder.decode(first)
    # The dimension comes before the rows (sheetData), within the first kilobytes.
    while len(text) < HEAD and not _SHEET_DATA.search(text) and (more := stream.read(CHUNK)):
        text += decoder.decode(more)
    data_at = _SHEET_DATA.search(text)
    match = _DIMENSION.search(text, 0, data_at.start() if data_at else HEAD)
    dimension = match.group(1) if match else None
    rows = _count_rows(text, stream, decoder, stop)
    return SheetClaim(name, dimension, _last_row(dimension), rows)


def _count_rows(text: str, stream, decoder, stop: int) -> int:
    """Row end tags in `text` and the rest of `stream`, up to the first past `stop`."""
    rows, carry = 0, ""
    while text:
        text = carry + text
        cut = text.rfind("<")
        if cut == -1 or ">" in text[cut:] or len(text) - cut > MAX_CARRY:
            cut = len(text)
        for _end in _ROW_END.finditer(text, 0, cut):
            rows += 1
            if rows > stop:
                return rows
        carry = text[cut:]
        text = decoder.decode(stream.read(CHUNK))
    return rows


def _encoding(head: bytes) -> str:
    """An XML part is UTF-8 unless its first bytes say UTF-16 (a byte order mark, or the
    `<` of the declaration on two bytes). Any other declared encoding writes its tags in
    ASCII, which a tolerant UTF-8 reading keeps."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8"


def _last_row(dimension: str | None) -> int | None:
    """`A1:H190000` → 190000 (a whole-column range such as `A:H` says nothing)."""
    numbers = re.findall(r"[0-9]+", dimension or "")
    if not numbers:
        return None
    # A forged range may carry a thousand digits: anything past nine is past every limit.
    return max(int(n) if len(n) <= 9 else 10**9 for n in numbers)


def _xlsx_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, member) of the worksheets: those the workbook lists, in its order, then any
    other part under xl/worksheets/, named by its path — the check must not depend on the
    workbook telling the truth."""
    members = {info.filename: info for info in archive.infolist()}
    sheets = [
        (name, member) for name, member in _named_sheets(archive, members) if member in members
    ]
    known = {member for _name, member in sheets}
    sheets += [
        (member, member)
        for member in sorted(members)
        if member.startswith("xl/worksheets/") and member.endswith(".xml") and member not in known
    ]
    return sheets


def _named_sheets(archive, members) -> list[tuple[str, str]]:
    try:
        workbook = _small_xml(archive, members, "xl/workbook.xml")
        relations = _small_xml(archive, members, "xl/_rels/workbook.xml.rels")
    except Exception:  # a damaged or forged description: the sheets go by their paths
        return []
    if workbook is None or relations is None:
        return []
    targets = {
        relation.get("Id"): relation.get("Target") or ""
        for relation in relations.iter(f"{PACKAGE}Relationship")
    }
    sheets = []
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(RELATIONSHIP))
        if target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            sheets.append((sheet.get("name") or member, posixpath.normpath(member)))
    return sheets


def _small_xml(archive, members, name):
    info = members.get(name)
    if info is None or info.file_size > MAX_DESCRIPTION_BYTES:
        return None
    return fromstring(archive.read(info))
