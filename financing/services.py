"""Writes of the financing domain. Each function is one atomic state change that validates
every rule of DESIGN.md §4 before anything is stored."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cej.models import Contract
from cej.money import round_money
from financing.models import BudgetLine, Contribution, ExecutionEntry
from partners.models import Partner


def _lock_contract(contract_id: int) -> None:
    """Serialise budget writes of one contract, so that two concurrent lines can never push a
    year over its envelope between their checks (a no-op on SQLite, which locks the file)."""
    Contract.objects.select_for_update().filter(pk=contract_id).first()


@transaction.atomic
def budget_line_save(
    *,
    line: BudgetLine,
    contributions: Mapping[Partner, Decimal],
    by=None,
) -> BudgetLine:
    """Create or update a budget line together with its partner contributions, which must add
    up exactly to the planned amount. Partners absent from `contributions` stop contributing."""
    _lock_contract(line.contract_id)
    line.amount = round_money(line.amount)
    amounts = {partner: round_money(amount) for partner, amount in contributions.items()}
    line.updated_by = by
    line.full_clean()
    if error := line.contributions_error(amounts.values()):
        raise ValidationError({"amount": error})
    if line.pk:
        line.version += 1
    line.save()
    line.contributions.exclude(partner__in=list(amounts)).delete()
    for partner, amount in amounts.items():
        contribution = line.contributions.filter(partner=partner).first() or Contribution(
            line=line, partner=partner
        )
        contribution.amount = amount
        contribution.full_clean()
        contribution.save()
    return line


@transaction.atomic
def execution_entry_record(*, entry: ExecutionEntry, by=None) -> ExecutionEntry:
    """Record a commitment or a payment; refused if paid would exceed committed, or committed
    planned."""
    _lock_contract(entry.line.contract_id)
    entry.created_by = entry.created_by or by
    entry.full_clean()
    entry.save()
    return entry
