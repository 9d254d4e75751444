"""One toolkit for every versioned record (fiches, budget lines; avenants, indicators and
reviews next), built on the abstract models of `cej.models.versioning`:

- `record_version`: the version row kept after each saved change;
- `VersionConflict`: a save based on an outdated version, refused with what the other person
  changed;
- `rebase`: the refused edit moved onto the version now stored (a three-way merge of
  snapshots), with the fields both people changed;
- `word_diff`, `whole_diff`, `FieldChange`: the differences between two versions as people
  read them.

Each app says what its snapshot holds (`fiches.services.snapshot_of`, `financing.services
.line_snapshot`) and how its fields are labelled (`fiches.diff`, `financing.diff`); the
mechanics are here, once. Why not django-simple-history, django-reversion or pghistory:
README « Versions ».
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cej.models.versioning import VersionRecord, person_name


def record_version(
    model: type[VersionRecord], *, number: int, snapshot: dict, action: str, by, **owner
) -> VersionRecord:
    """Keep the record as it stands after a saved change. `owner` names the record it belongs
    to (`fiche=…`, or `line=…, line_ref=…, contract_id=…`) and any field of its own."""
    return model.objects.create(
        number=number,
        snapshot=snapshot,
        action=str(action)[: model._meta.get_field("action").max_length],
        author=by if by is not None and by.is_authenticated else None,
        **owner,
    )


class VersionConflict(Exception):
    """A save based on an outdated version: nothing was written. `base` is the snapshot the
    editor started from (None when that version was never recorded), `current` the snapshot
    now stored, `latest` the version row that recorded it (None for a record saved before
    versions existed)."""

    def __init__(self, *, record, base: dict | None, base_number: int, current: dict, latest=None):
        self.record, self.base, self.current, self.latest = record, base, current, latest
        self.base_number = base_number
        super().__init__(
            f"{record._meta.label} {record.pk}: saved from v{base_number}, stored v{record.version}"
        )

    @property
    def who(self) -> str:
        """Who saved the version now stored (« Quelqu'un » when unknown)."""
        if self.latest is not None:
            return self.latest.author_name
        return person_name(self.record.updated_by)

    @property
    def when(self):
        """When the version now stored was saved."""
        return self.latest.created_at if self.latest is not None else self.record.updated_at


@dataclass
class Rebased:
    """The refused edit moved onto the stored version: the values to offer in the form
    (snapshot keys), and the keys both people changed, to check by hand."""

    values: dict
    both_changed: list


def rebase(*, base: dict | None, current: dict, mine: dict) -> Rebased:
    """Three-way merge, key by key, of what this editor typed (`mine`) onto the stored
    version (`current`), both from `base`: what they changed is kept as typed, what they left
    alone takes the other person's value. Only the keys of `mine` are merged. With no known
    base, everything stays as typed and every key where the versions differ is flagged."""
    values, both_changed = dict(mine), []
    for key, typed in mine.items():
        theirs = current.get(key)
        if base is None:
            if theirs != typed:
                both_changed.append(key)
            continue
        before = base.get(key)
        if typed == before:
            values[key] = theirs
        elif theirs not in (before, typed):
            both_changed.append(key)
    return Rebased(values, both_changed)


@dataclass
class FieldChange:
    """One row of templates/fiches/_diff.html: a field's label, its value before and after,
    escaped, with what changed marked."""

    label: str
    before: SafeString
    after: SafeString


# A word with the spaces after it: consecutive changed words then form one marked run.
_TOKENS = re.compile(r"^\s+|\S+\s*")


def word_diff(before: str, after: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, with removed words in <del> (before) and added words in <ins>
    (after)."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    # Words are compared without their trailing spaces ("réponse." at the end of a text is the
    # same word as "réponse. " followed by more), but shown with them.
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False
    )
    old, new = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            old.append(escape(left))
            new.append(escape(right))
        else:
            old.append(_mark("del", left))
            new.append(_mark("ins", right))
    return mark_safe("".join(old)), mark_safe("".join(new))


def whole_diff(before: str, after: str) -> tuple[SafeString, SafeString]:
    """A value that changes as a whole (an amount, a name): marked whole, not word by word
    (« 30 000,00 € » → « 31 000,00 € » changes an amount, not the digits « 30 »)."""
    return _whole("del", before), _whole("ins", after)


def diff_rows(rows) -> list[FieldChange]:
    """The rows (label, before, after, by_word) whose values differ, marked: word by word
    for texts, whole for the rest."""
    changes = []
    for label, before, after, by_word in rows:
        before, after = before or "", after or ""
        if before != after:
            marked = word_diff(before, after) if by_word else whole_diff(before, after)
            changes.append(FieldChange(str(label), *marked))
    return changes


def _mark(tag: str, text: str) -> str:
    """`<tag>words</tag> ` — the trailing space stays outside the highlight."""
    words = text.rstrip()
    if not words:
        return escape(text)
    return f"<{tag}>{escape(words)}</{tag}>{escape(text[len(words) :])}"


def _whole(tag: str, text: str) -> SafeString:
    return format_html("<{}>{}</{}>", tag, text, tag) if text else mark_safe("")
