"""Predicates of the pages that combine the apps. They answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.models import FROZEN_STATUSES, AmendmentStatus, ContractStatus
from cej.permissions import (
    OPEN_AMENDMENT_STATUSES,
    Decision,
    cdaje_staff,
    frozen_refusal,
    works_on_contract,
)
from fiches.models import FicheStatus


def can_record_signature(user, contract, *, unvalidated_fiches=None) -> Decision:
    """Record a representative's signature: CDAJE staff of the territory, on a contract that
    is not signed yet and whose fiches all have the CDAJE's favourable opinion (what is
    signed must be final).
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
            "Toutes les fiches doivent avoir reçu l'avis favorable de la CDAJE avant la "
            "signature (en attente : %(list)s)."
        ) % {"list": ", ".join(_("n° %(number)s") % {"number": n} for n in unvalidated_fiches)}
    return True, ""


# Avenants (`pilotage.amendments`). Reading one is a matter of scope: whoever sees the
# contract sees its avenants.


def can_open_amendment(user, contract) -> Decision:
    """Open an avenant: CDAJE staff of the territory, on a signed contract with no other
    avenant in progress."""
    if not user.has_perm("cej.add_amendment"):
        return False, _("Seule l'équipe CDAJE prépare les avenants.")
    allowed, reason = cdaje_staff(user, contract, "cej.add_amendment")
    if not allowed:
        return allowed, reason
    if contract.status in FROZEN_STATUSES:
        return False, frozen_refusal(contract)
    if contract.status != ContractStatus.SIGNED:
        return False, _(
            "Le contrat n'est pas encore signé : modifiez-le directement, un avenant ne "
            "modifie qu'un contrat signé."
        )
    current = contract.amendments.filter(status__in=OPEN_AMENDMENT_STATUSES).first()
    if current is not None:
        return False, _(
            "L'avenant n° %(number)s est en cours : terminez-le ou abandonnez-le avant d'en "
            "ouvrir un autre."
        ) % {"number": current.number}
    return True, ""


def _amendment_in_progress(amendment, *statuses) -> Decision:
    contract = amendment.contract
    if contract.status in FROZEN_STATUSES:
        return False, frozen_refusal(contract)
    if amendment.status not in statuses:
        if amendment.status == AmendmentStatus.SIGNED:
            return False, _("L'avenant est signé : il ne change plus.")
        if amendment.status == AmendmentStatus.ABANDONED:
            return False, _("L'avenant est abandonné : il ne change plus.")
        return False, _(
            "La CDAJE a rendu son avis sur l'avenant : ses modifications ne changent plus "
            "(repassez-le en préparation pour les reprendre)."
        )
    return True, ""


def can_edit_amendment(user, amendment) -> Decision:
    """Propose or withdraw the avenant's changes to fiches, the annex convention and the
    representatives: CDAJE staff, while the avenant is in preparation."""
    if not cdaje_staff(user, amendment.contract, "cej.change_amendment")[0]:
        return False, _("Seule l'équipe CDAJE prépare les avenants.")
    return _amendment_in_progress(amendment, AmendmentStatus.DRAFT)


def can_edit_amendment_budget(user, amendment) -> Decision:
    """Propose the avenant's changes to the planned lines: CDAJE staff and finance officers
    of the territory, while the avenant is in preparation."""
    contract = amendment.contract
    if not (user.has_perm("cej.change_amendment") or user.has_perm("financing.change_budgetline")):
        return False, _("Seuls l'équipe CDAJE et les agents financiers préparent le budget.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    return _amendment_in_progress(amendment, AmendmentStatus.DRAFT)


def can_record_amendment_opinion(user, amendment) -> Decision:
    """Record the CDAJE's opinion given in plenary, or withdraw it while no party has
    decided yet: the CDAJE coordination."""
    if not cdaje_staff(user, amendment.contract, "fiches.validate_fiche")[0]:
        return False, _("Les avis de la CDAJE sont saisis par sa coordination.")
    return _amendment_in_progress(amendment, AmendmentStatus.DRAFT, AmendmentStatus.APPROVAL)


def can_record_amendment_decision(user, amendment) -> Decision:
    """Record a party's deliberation, or a representative's signature: CDAJE staff, once
    the CDAJE has given its opinion."""
    allowed, reason = cdaje_staff(user, amendment.contract, "cej.add_amendmentsignature")
    if not allowed:
        return allowed, reason
    if amendment.status == AmendmentStatus.DRAFT and amendment.contract.status not in (
        FROZEN_STATUSES
    ):
        return False, _("La CDAJE doit d'abord rendre son avis sur l'avenant en plénière.")
    return _amendment_in_progress(amendment, AmendmentStatus.APPROVAL)


def can_abandon_amendment(user, amendment) -> Decision:
    """Abandon an avenant until its last signature: CDAJE staff. Signatures already given do
    not prevent it — an avenant binds nobody until every representative has signed, and one
    whose last signature has become impossible (a commitment recorded since below a proposed
    reduction, say) must not stay open for ever, blocking the next."""
    if not cdaje_staff(user, amendment.contract, "cej.change_amendment")[0]:
        return False, _("Seule l'équipe CDAJE prépare les avenants.")
    return _amendment_in_progress(amendment, AmendmentStatus.DRAFT, AmendmentStatus.APPROVAL)


def can_record_contract_decision(user, contract) -> Decision:
    """Record the deliberation by which a party approved the contract itself."""
    allowed, reason = cdaje_staff(user, contract, "cej.add_partnerdecision")
    if not allowed:
        return allowed, reason
    if contract.status in FROZEN_STATUSES:
        return False, frozen_refusal(contract)
    return True, ""
