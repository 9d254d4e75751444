"""Reads of objectives and fiches, scoped to the user's contracts."""

from cej.querysets import ScopedByContractQuerySet


class ObjectiveQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"


class FicheQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"

    def active(self):
        from fiches.models import FicheStatus

        return self.exclude(status=FicheStatus.WITHDRAWN)

    def with_partners(self):
        return self.select_related("objective", "lead_partner").prefetch_related(
            "associated_partners", "aims"
        )


class IndicatorQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"


class IndicatorYearQuerySet(ScopedByContractQuerySet):
    contract_path = "indicator__contract__"
