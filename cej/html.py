"""User-written rich text: one allow-list, applied before anything is stored, so no script,
event handler or style ever reaches a page or a PDF."""

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_END = re.compile(r"</(p|li|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def sanitize_rich_text(value: str | None) -> str:
    """Keep paragraphs, lists, bold, italic and links; drop everything else (and the content
    of script/style elements). Text that is empty once cleaned becomes ""."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value.replace("\x00", ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
    return cleaned if rich_text_to_plain(cleaned) else ""


def rich_text_to_plain(value: str | None) -> str:
    """Readable plain text of a sanitized fragment: one line per paragraph or list item."""
    if not value:
        return ""
    text = _BLOCK_END.sub("\n", value)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()
