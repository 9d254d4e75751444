"""Active content in an uploaded PDF: scripts, launch actions, embedded files.

A deposited scan is downloaded and opened by every party to the contract. A PDF that runs
JavaScript, launches a program or carries other files inside it is no scan of a paper
original, and could harm whoever opens it: `active_content` names what it finds, and
`cej.documents.validate_pdf_upload` refuses the deposit.

Two looks, because each misses what the other sees:

- pyHanko's parser walks every object reachable from the trailer, as a reader does. It sees
  names as a reader understands them (`/J#61vaScript` is `/JavaScript`) and dictionaries
  packed inside compressed object streams (PDF 1.5), where no byte scan can look.
- A byte scan of the raw file finds the long names (`/JavaScript`, `/Launch`, …) in objects no
  cross-reference table points to, which a reader repairing a "damaged" file may still
  pick up. Only names long enough not to occur by chance in a compressed image are looked
  for this way (`/JS`, three bytes, appears about once in 16 MB of random data).
"""

import re
from io import BytesIO

from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import ObjStreamRef

# More objects than any scan holds (a 200-page scan has about a thousand): past this, the
# file is refused rather than walked for ever.
MAX_OBJECTS = 100_000

# Action types (/S) that run code, open other files or programs, or send data away.
_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/SubmitForm": "submit",
    "/GoToE": "embedded",
    "/RichMediaExecute": "multimedia",
    "/Rendition": "multimedia",
}
# Dictionary keys that only exist to carry such content.
_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the document's JavaScript name tree
    "/EmbeddedFiles": "embedded",  # the document's embedded files name tree
    "/EF": "embedded",  # a file specification with the file inside
    "/XFA": "xfa",
    "/RichMediaContent": "multimedia",
}
# /Type or /Subtype values.
_TYPES = {
    "/EmbeddedFile": "embedded",
    "/FileAttachment": "embedded",
    "/RichMedia": "multimedia",
    "/Movie": "multimedia",
    "/Sound": "multimedia",
}
# Names the byte scan looks for (long enough not to appear by chance).
_RAW_NAMES = {
    b"JavaScript": "javascript",
    b"Launch": "launch",
    b"ImportData": "launch",
    b"EmbeddedFile": "embedded",
    b"EmbeddedFiles": "embedded",
    b"FileAttachment": "embedded",
    b"RichMedia": "multimedia",
}
_RAW_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){6,20})(?![A-Za-z#])")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class TooComplex(Exception):
    """The file holds more objects than a scan ever does."""


def labels() -> dict[str, str]:
    return {
        "javascript": _("du JavaScript"),
        "launch": _("une action qui lance un programme ou un fichier externe"),
        "submit": _("un formulaire qui envoie des données"),
        "embedded": _("des fichiers joints"),
        "xfa": _("un formulaire XFA"),
        "multimedia": _("du contenu multimédia actif"),
    }


def active_content(content: bytes) -> list[str]:
    """The kinds of active content in the PDF (« du JavaScript », « des fichiers joints »…),
    in a stable order; empty when there is none. Raises TooComplex past MAX_OBJECTS, and
    whatever pyHanko raises on a file it cannot read (the caller has parsed it already)."""
    found = _raw_scan(content) | _walk(PdfFileReader(BytesIO(content), strict=False))
    names = labels()
    return [names[kind] for kind in names if kind in found]


def _raw_scan(content: bytes) -> set[str]:
    found = set()
    for match in _RAW_NAME.finditer(content):
        name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _RAW_NAMES:
            found.add(_RAW_NAMES[name])
    return found


def _walk(reader: PdfFileReader) -> set[str]:
    """Every dictionary reachable from the trailer, each indirect object visited once."""
    found = set()
    seen = set()
    streams_read = set()
    pending = [reader.trailer_view]
    while pending:
        obj = pending.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise TooComplex
            _read_its_object_stream(reader, obj.reference, streams_read)
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            found |= _inspect(obj)
            # Raw values: references are followed here, once, not by the dictionary.
            pending.extend(dict.values(obj))
        elif isinstance(obj, generic.ArrayObject):
            pending.extend(list.__iter__(obj))
    return found


def _inspect(dictionary: generic.DictionaryObject) -> set[str]:
    found = {kind for key, kind in _KEYS.items() if key in dictionary}
    for key, table in (("/S", _ACTIONS), ("/Type", _TYPES), ("/Subtype", _TYPES)):
        value = dict.get(dictionary, key)
        if isinstance(value, generic.NameObject) and value in table:
            found.add(table[value])
    return found


def _read_its_object_stream(reader: PdfFileReader, reference, streams_read: set) -> None:
    """Reads at once every object of the object stream that holds `reference`, into the
    reader's cache. pyHanko reads one object of a stream by scanning the stream's index from
    its start, so walking a stream of n objects costs n² reads: our own sealed contract (3 000
    objects in streams) took a minute. What the reader then returns is the same objects;
    whatever this fast path cannot read is left to pyHanko's own (the cache stays empty)."""
    if reader.encrypted or reader.cache_get_indirect_object(reference.generation, reference.idnum):
        return
    try:
        marker = reader.xrefs[reference]
    except (KeyError, misc.PdfError):
        return
    if not isinstance(marker, ObjStreamRef) or marker.obj_stream_id in streams_read:
        return
    streams_read.add(marker.obj_stream_id)
    try:
        _cache_object_stream(reader, marker.obj_stream_id)
    except (misc.PdfError, ValueError, TypeError, KeyError):
        return  # pyHanko's own path decides what a damaged stream holds


def _cache_object_stream(reader: PdfFileReader, stream_id: int) -> None:
    stream = reader.get_object(generic.Reference(stream_id, 0, reader))
    if not isinstance(stream, generic.StreamObject) or stream.get("/Type") != "/ObjStm":
        return
    count, first = int(stream["/N"]), int(stream["/First"])
    if count > MAX_OBJECTS:
        raise TooComplex
    data = BytesIO(stream.read_data(DecodePurpose.OBJECT_STREAM))
    index = []
    for _position in range(count):
        misc.read_non_whitespace(data, seek_back=True)
        number = generic.NumberObject.read_from_stream(data)
        misc.read_non_whitespace(data, seek_back=True)
        offset = generic.NumberObject.read_from_stream(data)
        index.append((int(number), int(offset)))
    for position, (number, offset) in enumerate(index):
        reference = generic.Reference(number, 0, reader)
        # Only the objects the cross-reference table places here, as pyHanko would read them.
        if reader.xrefs[reference] != ObjStreamRef(stream_id, position):
            continue
        if reader.cache_get_indirect_object(0, number) is not None:
            continue
        data.seek(first + offset)
        obj = generic.read_object(data, reference)
        if not isinstance(obj, (generic.StreamObject, generic.IndirectObject)):
            reader.cache_indirect_object(0, number, obj)
