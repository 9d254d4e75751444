"""Who may change a contract's budget. Reading it (the budget page and its exports) is a
matter of scope: `Contract.objects.for_user`. Predicates answer (allowed, reason)."""

from django.utils.translation import gettext as _

from cej.permissions import content_change_refusal, execution_refusal, works_on_contract

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
