"""The review workflow of a fiche, as one table: which transition leads from which statuses
to which, and which permission it needs. Everything else (services, permissions, buttons)
reads this table."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from fiches.models import FicheStatus


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    # The CDAJE's favourable opinion records the date of the plenary session that gave it.
    needs_plenary_date: bool = False


S = FicheStatus

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            _("Soumettre à la CDAJE"),
            frozenset({S.DRAFT, S.REOPENED}),
            S.SUBMITTED,
            "fiches.change_fiche",
        ),
        Transition(
            "return_to_draft",
            _("Repasser en brouillon"),
            frozenset({S.SUBMITTED}),
            S.DRAFT,
            "fiches.change_fiche",
        ),
        Transition(
            "validate",
            _("Enregistrer l'avis favorable (plénière)"),
            frozenset({S.SUBMITTED}),
            S.VALIDATED,
            "fiches.validate_fiche",
            needs_plenary_date=True,
        ),
        Transition(
            "reopen",
            _("Rouvrir pour révision"),
            frozenset({S.VALIDATED}),
            S.REOPENED,
            "fiches.validate_fiche",
        ),
        Transition(
            "withdraw",
            _("Retirer la fiche"),
            frozenset({S.DRAFT, S.SUBMITTED, S.REOPENED}),
            S.WITHDRAWN,
            "fiches.change_fiche",
        ),
        Transition(
            "reinstate",
            _("Rétablir en brouillon"),
            frozenset({S.WITHDRAWN}),
            S.DRAFT,
            "fiches.change_fiche",
        ),
    ]
}

# Statuses in which the text of a fiche may be changed.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.SUBMITTED, S.REOPENED})
