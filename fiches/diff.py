"""Readable differences between two versions of a fiche: field by field, with the changed
words marked (<del>/<ins>), on the plain text of the formatted fields."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from cej.dates import format_date_long
from cej.html import rich_text_to_plain
from fiches.models import FicheStatus

FIELDS = [
    ("title", _("Intitulé")),
    ("objective_id", _("Objectif")),
    ("status", _("Statut")),
    ("validated_on", _("Validée en plénière le")),
    ("findings", _("Constat")),
    ("goals", _("Objectifs de la fiche")),
    ("actions", _("Actions")),
    ("target_public", _("Public visé")),
    ("lead_partner_id", _("Pilote")),
    ("associated_partner_ids", _("Partenaires associés")),
    ("calendar", _("Calendrier")),
    ("indicators", _("Indicateurs d'évaluation")),
    ("budget_note", _("Budget indicatif")),
    ("aim_ids", _("Finalités servies")),
]
# A word with the spaces after it: consecutive changed words then form one marked run.
_TOKENS = re.compile(r"^\s+|\S+\s*")


@dataclass
class FieldChange:
    label: str
    before: SafeString
    after: SafeString


@dataclass
class Names:
    """Labels for the ids a snapshot stores, looked up once per page."""

    objectives: dict
    partners: dict
    aims: dict

    @classmethod
    def for_contract(cls, contract):
        from fiches.models import Aim

        return cls(
            objectives={o.pk: str(o) for o in contract.objectives.all()},
            partners={
                p.partner_id: p.partner.short_name
                for p in contract.parties.select_related("partner")
            },
            aims={a.pk: a.label for a in Aim.objects.all()},
        )


def _display(field: str, value, names: Names) -> str:
    if value in (None, "", []):
        return ""
    if field == "objective_id":
        return names.objectives.get(value, str(_("objectif supprimé")))
    if field == "lead_partner_id":
        return names.partners.get(value, "?")
    if field == "associated_partner_ids":
        return "\n".join(names.partners.get(v, "?") for v in value)
    if field == "aim_ids":
        return "\n".join(names.aims.get(v, "?") for v in value)
    if field == "status":
        return str(FicheStatus(value).label)
    if field == "validated_on":
        import datetime

        return format_date_long(datetime.date.fromisoformat(value))
    return rich_text_to_plain(value) if "<" in str(value) else str(value)


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


def _mark(tag: str, text: str) -> str:
    """`<tag>words</tag> ` — the trailing space stays outside the highlight."""
    words = text.rstrip()
    if not words:
        return escape(text)
    return f"<{tag}>{escape(words)}</{tag}>{escape(text[len(words) :])}"


def diff_snapshots(before: dict, after: dict, names: Names) -> list[FieldChange]:
    changes = []
    for field, label in FIELDS:
        old = _display(field, before.get(field), names)
        new = _display(field, after.get(field), names)
        if old != new:
            changes.append(FieldChange(str(label), *word_diff(old, new)))
    return changes
