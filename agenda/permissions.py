"""Who may do what in the calendar. Predicates answer (allowed, reason); views refuse with
the reason, templates show a control exactly when it is allowed. Reading is a matter of
scope: whoever sees a contract sees its calendar, partners its shared items only
(`sees_staff_items`).

The roles' permissions (`cej.roles`) name no calendar permission of their own: the CDAJE's
plenaries are kept by whoever records the plenary's opinions (the coordination,
`fiches.validate_fiche`), the hand-added deadlines by the CDAJE staff who prepare what the
plenary examines (`fiches.change_fiche`)."""

from django.utils.translation import gettext as _

from cej.permissions import execution_refusal, works_on_contract

Decision = tuple[bool, str]
ALLOWED: Decision = (True, "")

PLENARY_PERMISSION = "fiches.validate_fiche"
DEADLINE_PERMISSION = "fiches.change_fiche"


def sees_staff_items(user, contract) -> bool:
    """Staff of the contract's territory (and administrators) see every item of its
    calendar; the partners' users only those shared with them."""
    return works_on_contract(user, contract)


def can_manage_plenaries(user, contract) -> Decision:
    """Add, change or delete the plenaries of the contract's territory."""
    if not user.has_perm(PLENARY_PERMISSION):
        return False, _("Seule la coordination de la CDAJE tient le calendrier des séances.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    return ALLOWED


def can_manage_deadlines(user, contract) -> Decision:
    """Add, change, close or delete the contract's hand-added deadlines."""
    if not user.has_perm(DEADLINE_PERMISSION):
        return False, _("Seule l'équipe CDAJE ajoute des échéances au calendrier.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := execution_refusal(contract):
        return False, refusal
    return ALLOWED
