"""Who may do what to a fiche's evaluation indicators. Each predicate answers (allowed,
reason). The definition and the targets are contract content: CDAJE staff write them while
the contract is prepared, an avenant once it is signed. The actual values are execution:
CDAJE staff and the users of the fiche's lead partner enter them once the contract is
signed, until it ends. Reading is a matter of scope (`Indicator.objects.for_user`)."""

from django.utils.translation import gettext as _

from cej.models import ContractStatus
from cej.permissions import (
    content_change_refusal,
    execution_refusal,
    member_partner_ids,
    works_on_contract,
)
from fiches.models import FicheStatus

Decision = tuple[bool, str]
ALLOWED: Decision = (True, "")


def _define(user, fiche, permission: str) -> Decision:
    if not user.has_perm(permission):
        return False, _("Seule l'équipe CDAJE définit les indicateurs et leurs cibles.")
    contract = fiche.contract
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := content_change_refusal(contract):
        return False, refusal
    if fiche.status == FicheStatus.WITHDRAWN:
        return False, _("Fiche retirée : ses indicateurs ne changent plus.")
    return ALLOWED


def can_add_indicator(user, fiche) -> Decision:
    """Add an indicator to the fiche: CDAJE staff, while the contract is not signed."""
    return _define(user, fiche, "fiches.add_indicator")


def can_edit_indicator(user, fiche) -> Decision:
    """Change an indicator's definition and targets (`fiche`: its fiche, with its contract)."""
    return _define(user, fiche, "fiches.change_indicator")


def can_delete_indicator(user, fiche) -> Decision:
    return _define(user, fiche, "fiches.delete_indicator")


def can_record_actual(user, fiche) -> Decision:
    """Enter the actual value of a year (with its comment and evidence): CDAJE staff of the
    territory, or a user of the partner that leads the fiche, on a signed contract that has
    not ended."""
    if not user.has_perm("fiches.change_indicatoryear"):
        return False, _(
            "Le réalisé des indicateurs est saisi par l'équipe CDAJE et par le partenaire "
            "pilote de la fiche."
        )
    contract = fiche.contract
    if not works_on_contract(user, contract):
        lead = fiche.lead_partner_id
        if lead is None or lead not in member_partner_ids(user):
            return False, _(
                "Seuls l'équipe CDAJE et les utilisateurs du partenaire pilote de la fiche "
                "saisissent son réalisé."
            )
    if refusal := execution_refusal(contract):
        return False, refusal
    if contract.status != ContractStatus.SIGNED:
        return False, _(
            "Le contrat n'est pas encore signé : le réalisé des indicateurs se saisit pendant "
            "son exécution."
        )
    return ALLOWED
