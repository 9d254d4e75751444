"""Who may do what to a fiche. Each predicate answers (allowed, reason); views refuse with
the reason, templates show a control exactly when it is allowed. Reading is a matter of
scope (`Fiche.objects.for_user`), not of these predicates."""

from django.utils.translation import gettext as _

from cej.permissions import content_change_refusal, works_on_contract
from fiches.models import FicheStatus
from fiches.workflow import EDITABLE_STATUSES, TRANSITIONS

Decision = tuple[bool, str]
ALLOWED: Decision = (True, "")


def _staff_of(user, contract, permission: str) -> Decision:
    if not user.has_perm(permission):
        return False, _("Seule l'équipe CDAJE modifie les fiches.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := content_change_refusal(contract):
        return False, refusal
    return ALLOWED


def can_create_fiche(user, contract) -> Decision:
    return _staff_of(user, contract, "fiches.add_fiche")


def can_edit_fiche(user, fiche) -> Decision:
    allowed, reason = _staff_of(user, fiche.contract, "fiches.change_fiche")
    if not allowed:
        return allowed, reason
    if fiche.status == FicheStatus.VALIDATED:
        return False, _(
            "La CDAJE a rendu un avis favorable sur cette fiche : rouvrez-la pour la modifier."
        )
    if fiche.status not in EDITABLE_STATUSES:
        return False, _("Fiche retirée : rétablissez-la pour la modifier.")
    return ALLOWED


def can_restore_version(user, fiche) -> Decision:
    return can_edit_fiche(user, fiche)


def can_transition(user, fiche, name: str) -> Decision:
    transition = TRANSITIONS.get(name)
    if transition is None:
        return False, _("Action inconnue.")
    if not user.has_perm(transition.permission):
        if transition.permission == "fiches.validate_fiche":
            return False, _(
                "Enregistrer l'avis de la CDAJE sur une fiche ou la rouvrir relève de la "
                "coordination CDAJE."
            )
        return False, _("Seule l'équipe CDAJE fait évoluer les fiches.")
    if not works_on_contract(user, fiche.contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if fiche.status not in transition.sources:
        return False, _(
            "Impossible depuis le statut « %(status)s » : « %(action)s » part de %(sources)s."
        ) % {
            "status": fiche.get_status_display(),
            "action": transition.label,
            "sources": ", ".join(f"« {FicheStatus(s).label} »" for s in sorted(transition.sources)),
        }
    if refusal := content_change_refusal(fiche.contract):
        return False, refusal
    return ALLOWED


def allowed_transitions(user, fiche) -> list:
    # The status test first: it rules most transitions out without composing their refusal.
    return [
        t
        for name, t in TRANSITIONS.items()
        if fiche.status in t.sources and can_transition(user, fiche, name)[0]
    ]
