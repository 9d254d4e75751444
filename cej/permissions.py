"""Permission helpers shared by the apps, and the predicates of the contract's signature and
documents that need nothing above the contract core (recording a signature, which looks at
the fiches, is `pilotage.permissions`). Predicates answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.auth_backends import load_viewer
from cej.models import FROZEN_STATUSES, Amendment, AmendmentStatus, ContractStatus

OPEN_AMENDMENT_STATUSES = (AmendmentStatus.DRAFT, AmendmentStatus.APPROVAL)


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
    partner_ids = member_partner_ids(user)
    return bool(partner_ids) and contract.parties.filter(partner_id__in=partner_ids).exists()


def _territory_ids(user) -> set:
    load_viewer(user)
    return user._cej_territory_ids


def member_partner_ids(user) -> set:
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
    if contract.status in FROZEN_STATUSES:
        return False, frozen_refusal(contract)
    return True, ""


def can_deposit_document(user, contract) -> Decision:
    """Deposit a scanned original, or seal a signed amendment: CDAJE staff of the territory."""
    return cdaje_staff(user, contract, "cej.add_document")


def content_change_refusal(contract) -> str:
    """Why the contract's content (fiches, objectives, planned lines and contributions,
    parties, the annex convention's years) cannot be changed directly, or "" when it can.
    A signed contract binds its parties: its content changes only through an avenant, which
    the refusal names. An expired or terminated contract is frozen entirely."""
    if contract.status in FROZEN_STATUSES:
        return frozen_refusal(contract)
    if contract.status != ContractStatus.SIGNED:
        return ""
    current = open_amendment_number(contract)
    if current is not None:
        return _(
            "Le contrat est signé : son contenu ne change que par avenant. Proposez cette "
            "modification dans l'avenant n° %(number)s en cours (page du contrat › Avenants)."
        ) % {"number": current}
    return _(
        "Le contrat est signé : son contenu ne change que par avenant. Ouvrez un avenant depuis "
        "la page du contrat (« Ouvrir un avenant ») et proposez-y cette modification."
    )


def open_amendment_number(contract) -> int | None:
    """The number of the contract's avenant in preparation or in approval (one at most), or
    None. A page reads it with the contract, in the same query (`open_amendment_number`, set
    by `cej.view_helpers.scoped_contract`): the predicates its buttons ask then cost none."""
    try:
        return contract.open_amendment_number
    except AttributeError:
        return (
            Amendment.objects.filter(contract_id=contract.pk, status__in=OPEN_AMENDMENT_STATUSES)
            .order_by()
            .values_list("number", flat=True)
            .first()
        )


def execution_refusal(contract) -> str:
    """Why the contract's execution (commitments, payments, reviews) cannot be recorded, or
    "": it stays open once signed, and closes when the contract is frozen."""
    if contract.status in FROZEN_STATUSES:
        return frozen_refusal(contract)
    return ""


def frozen_refusal(contract) -> str:
    if contract.status == ContractStatus.TERMINATED:
        return _("Le contrat est résilié : il est figé, plus rien n'y change.")
    return _("Le contrat est arrivé à échéance : il est figé, plus rien n'y change.")
