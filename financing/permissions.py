"""Who may change a contract's budget. Reading it (the budget page and its exports) is a
matter of scope: `Contract.objects.for_user`. Predicates answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.models import FROZEN_STATUSES, ContractStatus
from cej.permissions import (
    content_change_refusal,
    execution_refusal,
    member_partner_ids,
    works_on_contract,
)

Decision = tuple[bool, str]


def can_change_budget(user, contract) -> Decision:
    """Plan lines, edit their contributions, import a workbook: finance officers of the
    contract's territory, and administrators, while the contract is in preparation (a signed
    contract's planned lines change only through an avenant)."""
    if not user.has_perm("financing.change_budgetline"):
        return False, _("Seuls les agents financiers modifient le budget.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := content_change_refusal(contract):
        return False, refusal
    return True, ""


def can_record_execution(user, contract) -> Decision:
    """Record commitments and payments: the same people."""
    if not user.has_perm("financing.add_executionentry"):
        return False, _("Seuls les agents financiers saisissent engagements et paiements.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := execution_refusal(contract):
        return False, refusal
    return True, ""


def cycle_refusal(contract) -> str:
    """Why no money can move on the contract yet, or "". Nothing is due before the contract
    is signed. Once it is, the cycle stays open even after the contract ends or is
    terminated: the balance of its last year is paid, and sums unduly paid are recovered,
    the year after."""
    if contract.status in (ContractStatus.SIGNED, *FROZEN_STATUSES):
        return ""
    return _("Le contrat n'est pas encore signé : aucun versement n'est encore dû.")


def can_declare_actuals(user, contract) -> Decision:
    """Declare a line's actual figures (*réalisé*): the beneficiary's finance officers of the
    contract's territory, once the contract is signed; an execution, open after signature."""
    if not user.has_perm("financing.add_executionentry"):
        return False, _("Seuls les agents financiers déclarent le réalisé.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := cycle_refusal(contract):
        return False, refusal
    return True, ""


def can_record_funder_payment(user, contract, funder_id: int) -> Decision:
    """Record a payment received or a sum paid back, for one funder: that funder's finance
    officers (members of the funder with the role), and administrators."""
    if not user.has_perm("financing.add_funderpayment"):
        return False, _("Seuls les agents financiers des financeurs saisissent les versements.")
    if not user.is_superuser and funder_id not in member_partner_ids(user):
        return False, _("Vous ne saisissez que les versements de votre organisme.")
    if refusal := cycle_refusal(contract):
        return False, refusal
    return True, ""


def can_record_supporting_document(user, contract, funder_id: int) -> Decision:
    """Record that a funder received a supporting document: that funder's finance officers,
    the finance officers of the contract's territory (who sent it), administrators."""
    allowed, reason = can_record_funder_payment(user, contract, funder_id)
    if allowed:
        return allowed, reason
    if user.has_perm("financing.add_executionentry") and works_on_contract(user, contract):
        if refusal := cycle_refusal(contract):
            return False, refusal
        return True, ""
    return False, reason
