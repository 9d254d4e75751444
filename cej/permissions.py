"""Permission helpers shared by the apps, and the predicates of the contract's signature and
documents that need nothing above the contract core (recording a signature, which looks at
the fiches, is `pilotage.permissions`). Predicates answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.auth_backends import load_viewer
from cej.models import ContractStatus


def works_on_contract(user, contract) -> bool:
    """Staff of the contract's territory (or an administrator). Read once per request with
    the user's permissions (`load_viewer`), so templates can ask repeatedly at no cost."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return contract.territory_id in _territory_ids(user)


def can_see_contract(user, contract) -> bool:
    """The rule of `Contract.objects.for_user` for one contract already loaded: staff of its
    territory, members of a partner party to it, administrators. What the user belongs to is
    read once per request with their permissions; a partner's member asks one more small
    query. Cheaper than the queryset's joins on every page."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or contract.territory_id in _territory_ids(user):
        return True
    partner_ids = _partner_ids(user)
    return bool(partner_ids) and contract.parties.filter(partner_id__in=partner_ids).exists()


def _territory_ids(user) -> set:
    load_viewer(user)
    return user._cej_territory_ids


def _partner_ids(user) -> set:
    load_viewer(user)
    return user._cej_partner_ids


Decision = tuple[bool, str]


def cdaje_staff(user, contract, permission: str) -> Decision:
    if not user.has_perm(permission):
        return False, _("Seule l'équipe CDAJE prépare la signature et dépose les documents.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    return True, ""


def can_cancel_signature(user, contract) -> Decision:
    allowed, reason = cdaje_staff(user, contract, "cej.delete_signature")
    if not allowed:
        return allowed, reason
    if contract.status == ContractStatus.SIGNED:
        return False, _("Le contrat est signé : ses signatures ne changent plus.")
    if contract.status == ContractStatus.EXPIRED:
        return False, _("Le contrat est arrivé à échéance : ses signatures ne changent plus.")
    return True, ""


def can_deposit_document(user, contract) -> Decision:
    """Deposit a scanned original, or seal a signed amendment: CDAJE staff of the territory."""
    return cdaje_staff(user, contract, "cej.add_document")
