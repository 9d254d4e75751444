"""Reads of budget lines and their execution, scoped to the user's contracts."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cej.querysets import ScopedByContractQuerySet

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def money_sum(field: str, **filters):
    """`Sum(field)` that is 0,00 rather than NULL on no rows, as a Decimal."""
    from django.db.models import Q

    return Coalesce(
        Sum(field, filter=Q(**filters) if filters else None),
        ZERO,
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def _execution_total_subquery(kind: str):
    from financing.models import ExecutionEntry

    totals = (
        ExecutionEntry.objects.filter(line=OuterRef("pk"), kind=kind)
        .order_by()
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(totals, output_field=DecimalField(max_digits=12, decimal_places=2)), ZERO
    )


class BudgetLineQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"

    def total(self) -> Decimal:
        return self.aggregate(total=money_sum("amount"))["total"]

    def with_execution(self):
        """Annotate `committed` and `paid` per line (subqueries, so that joining other
        tables never multiplies the sums)."""
        from financing.models import ExecutionKind

        return self.annotate(
            committed=_execution_total_subquery(ExecutionKind.COMMITMENT),
            paid=_execution_total_subquery(ExecutionKind.PAYMENT),
        )


class ContributionQuerySet(ScopedByContractQuerySet):
    contract_path = "line__contract__"


class ExecutionEntryQuerySet(ScopedByContractQuerySet):
    contract_path = "line__contract__"

    def total(self) -> Decimal:
        return self.aggregate(total=money_sum("amount"))["total"]
