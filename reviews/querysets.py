"""Reads of reviews and evaluations, scoped to the user's contracts."""

from cej.querysets import ScopedByContractQuerySet


class AnnualReviewQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"


class FinalEvaluationQuerySet(ScopedByContractQuerySet):
    contract_path = "contract__"
