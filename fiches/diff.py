"""Readable differences between two versions of a fiche: field by field, with the changed
words marked (<del>/<ins>), on the plain text of the formatted fields. The marking itself is
`cej.versioning`'s, shared with every versioned record."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cej.dates import format_date_long
from cej.html import rich_text_to_plain
from cej.versioning import FieldChange, diff_rows
from fiches.models import Aim, FicheStatus

FIELDS = [
    ("title", _("Intitulé")),
    ("objective_id", _("Objectif")),
    ("status", _("Statut")),
    ("validated_on", _("Avis rendu en plénière le")),
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


@dataclass
class Names:
    """Labels for the ids a snapshot stores, looked up once per page."""

    objectives: dict
    partners: dict
    aims: dict

    @classmethod
    def for_contract(cls, contract):
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
        return format_date_long(datetime.date.fromisoformat(value))
    return rich_text_to_plain(value) if "<" in str(value) else str(value)


def diff_snapshots(before: dict, after: dict, names: Names) -> list[FieldChange]:
    """Every field of FIELDS that differs, word by word on its displayed text."""
    return diff_rows(
        (
            label,
            _display(field, before.get(field), names),
            _display(field, after.get(field), names),
            True,
        )
        for field, label in FIELDS
    )
