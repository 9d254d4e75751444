"""Predicates of the pages that combine the apps. They answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.models import ContractStatus
from cej.permissions import Decision, cdaje_staff
from fiches.models import FicheStatus


def can_record_signature(user, contract, *, unvalidated_fiches=None) -> Decision:
    """Record a representative's signature: CDAJE staff of the territory, on a contract that
    is not signed yet and whose fiches are all validated (what is signed must be final).
    `unvalidated_fiches` (numbers) may be passed when the caller already has them."""
    allowed, reason = cdaje_staff(user, contract, "cej.add_signature")
    if not allowed:
        return allowed, reason
    if contract.status == ContractStatus.SIGNED:
        return False, _("Le contrat est signé : ses signatures ne changent plus.")
    if contract.status == ContractStatus.EXPIRED:
        return False, _("Le contrat est arrivé à échéance.")
    if unvalidated_fiches is None:
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
