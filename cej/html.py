"""User-written text. Rich text: one allow-list, applied before anything is stored, so no
script, event handler or style ever reaches a page or a PDF. Any text: the characters no
document can hold, found or removed."""

import html
import re
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_END = re.compile(r"</(p|li|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# What no XML document may hold — so no XLSX or ODS export, no PDF's metadata —, and what
# PostgreSQL refuses (NUL): C0 controls but tab and line ends, U+FFFE, U+FFFF, lone
# surrogates. Nobody types them; they come with a paste or a forged file.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape_text(value) -> str:
    """`conditional_escape(value)` for the rows pages build in Python: a value already
    marked safe as is, anything else escaped as Django escapes it — without the lazy-string
    check Django's version makes on each of the hundreds of values of a long table."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def first_unprintable(value: str) -> str | None:
    match = UNPRINTABLE.search(value or "")
    return match.group() if match else None


def strip_unprintable(value: str) -> str:
    return UNPRINTABLE.sub("", value)


def refuse_unprintable(value: str) -> None:
    """No invisible control character in a text a document or an export will hold (no XML
    document can; NUL is refused by Django's own validator, with its own message)."""
    char = first_unprintable((value or "").replace("\x00", ""))
    if char is not None:
        raise ValidationError(
            _(
                "Ce texte contient un caractère invisible interdit (U+%(code)04X), "
                "qu'aucun document ne peut porter : retirez-le."
            ),
            code="unprintable",
            params={"code": ord(char)},
        )


# Deeper than this, elements are unwrapped (their text stays): a fiche's lists go three or
# four levels down, and 200 nested lists made the PDF renderer exceed Python's recursion
# limit (a server error on the fiche's PDF, and on the contract's).
MAX_DEPTH = 12


def sanitize_rich_text(value: str | None) -> str:
    """Keep paragraphs, lists, bold, italic and links, MAX_DEPTH elements deep at most; drop
    everything else (and the content of script/style elements). Text that is empty once
    cleaned becomes ""."""
    if not value:
        return ""
    cleaned = _clean(strip_unprintable(value))
    flattened = _DepthLimiter.flatten(cleaned)
    if flattened is not None:
        cleaned = _clean(flattened)  # rebuilt from tags as written: through the allow-list again
    return cleaned if rich_text_to_plain(cleaned) else ""


def _clean(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


class _DepthLimiter(HTMLParser):
    """Rewrites a sanitized fragment without the tags nested deeper than MAX_DEPTH."""

    VOID = {"br"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.kept: list[bool] = []
        self.depth = 0
        self.dropped = False

    @classmethod
    def flatten(cls, fragment: str) -> str | None:
        """The fragment with its too-deep tags unwrapped, or None if none was."""
        if fragment.count("<") <= MAX_DEPTH:
            return None  # too few tags to be too deep
        parser = cls()
        parser.feed(fragment)
        parser.close()
        return "".join(parser.out) if parser.dropped else None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.out.append(self.get_starttag_text())
            return
        keep = self.depth < MAX_DEPTH
        self.kept.append(keep)
        if keep:
            self.depth += 1
            self.out.append(self.get_starttag_text())
        else:
            self.dropped = True

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.kept:
            return
        if self.kept.pop():
            self.depth -= 1
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def rich_text_to_plain(value: str | None) -> str:
    """Readable plain text of a sanitized fragment: one line per paragraph or list item."""
    if not value:
        return ""
    text = _BLOCK_END.sub("\n", value)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()
