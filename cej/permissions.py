"""Permission helpers shared by the apps, and the predicates of the contract's signature and
documents. Predicates answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.models import ContractStatus


def works_on_contract(user, contract) -> bool:
    """Staff of the contract's territory (or an administrator). Cached on the user object
    for the request, so templates can ask repeatedly at no cost."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    territory_ids = getattr(user, "_cej_territory_ids", None)
    if territory_ids is None:
        territory_ids = set(user.territories.values_list("pk", flat=True))
        user._cej_territory_ids = territory_ids
    return contract.territory_id in territory_ids


Decision = tuple[bool, str]


def _cdaje_staff(user, contract, permission: str) -> Decision:
    if not user.has_perm(permission):
        return False, _("Seule l'équipe CDAJE prépare la signature et dépose les documents.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    return True, ""


def can_record_signature(user, contract, *, unvalidated_fiches=None) -> Decision:
    """Record a representative's signature: CDAJE staff of the territory, on a contract that
    is not signed yet and whose fiches are all validated (what is signed must be final).
    `unvalidated_fiches` (numbers) may be passed when the caller already has them."""
    allowed, reason = _cdaje_staff(user, contract, "cej.add_signature")
    if not allowed:
        return allowed, reason
    if contract.status == ContractStatus.SIGNED:
        return False, _("Le contrat est signé : ses signatures ne changent plus.")
    if contract.status == ContractStatus.EXPIRED:
        return False, _("Le contrat est arrivé à échéance.")
    if unvalidated_fiches is None:
        from fiches.models import FicheStatus

        unvalidated_fiches = list(
            contract.fiches.exclude(status__in=[FicheStatus.VALIDATED, FicheStatus.WITHDRAWN])
            .order_by("number")
            .values_list("number", flat=True)
        )
    if unvalidated_fiches:
        return False, _(
            "Toutes les fiches doivent être validées avant la signature (à valider : %(list)s)."
        ) % {"list": ", ".join(_("n° %(number)s") % {"number": n} for n in unvalidated_fiches)}
    return True, ""


def can_cancel_signature(user, contract) -> Decision:
    allowed, reason = _cdaje_staff(user, contract, "cej.delete_signature")
    if not allowed:
        return allowed, reason
    if contract.status == ContractStatus.SIGNED:
        return False, _("Le contrat est signé : ses signatures ne changent plus.")
    return True, ""


def can_deposit_document(user, contract) -> Decision:
    """Deposit a scanned original, or seal a signed amendment: CDAJE staff of the territory."""
    return _cdaje_staff(user, contract, "cej.add_document")
