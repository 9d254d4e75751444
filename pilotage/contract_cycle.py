"""Where a contract stands in its life: the contract list's stage of each contract
(préparation, signature, « bilan 2016 à rendre », évaluation, renouvellement, échu), and the
dashboard's follow-up — the chain predecessor ← this → successor, each year's annual review,
and per fiche its indicator trend and the state of its actions in each year's review.

Constant queries: four for a page of the list whatever its length, six for a dashboard
whatever its number of fiches or indicators."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from cej.models import Contract, ContractStatus
from fiches.models import Fiche, FicheStatus
from reviews.evaluation_selectors import (
    IndicatorTrend,
    ReviewYear,
    YearState,
    action_states,
    indicator_trends,
    review_years,
)
from reviews.models import (
    ActionState,
    AnnualReview,
    EvaluationStatus,
    FinalEvaluation,
    ReviewStatus,
)


@dataclass
class Stage:
    """A contract's stage in its cycle: `code` for the badge's style, `label` in words."""

    code: str
    label: str


def cycle_stages(pks, *, today) -> dict[int, Stage]:
    """{contract id: its stage} for the contracts `pks`, as of `today`. A signed contract's
    year N review is due once year N is over; after its last year comes the final
    evaluation; once its successor exists, it is being renewed."""
    contracts = list(
        Contract.objects.filter(pk__in=pks)
        .order_by()
        .values_list("pk", "status", "start_year", "end_year")
    )
    adopted = defaultdict(set)
    for contract_id, year in (
        AnnualReview.objects.filter(contract_id__in=pks, status=ReviewStatus.ADOPTED)
        .order_by()
        .values_list("contract_id", "year")
    ):
        adopted[contract_id].add(year)
    evaluations = dict(
        FinalEvaluation.objects.filter(contract_id__in=pks)
        .order_by()
        .values_list("contract_id", "status")
    )
    renewed = set(
        Contract.objects.filter(predecessor_id__in=pks)
        .order_by()
        .values_list("predecessor_id", flat=True)
    )
    return {
        pk: _stage(
            status,
            start,
            end,
            adopted=adopted[pk],
            evaluation=evaluations.get(pk),
            renewed=pk in renewed,
            today=today,
        )
        for pk, status, start, end in contracts
    }


def _stage(status, start, end, *, adopted, evaluation, renewed, today) -> Stage:
    if status == ContractStatus.DRAFT:
        return Stage("preparation", _("En préparation"))
    if status == ContractStatus.IN_SIGNATURE:
        return Stage("signature", _("En signature"))
    if status == ContractStatus.TERMINATED:
        return Stage("ended", _("Résilié"))
    if status == ContractStatus.EXPIRED:
        return Stage("ended", _("Échu"))
    if renewed:
        return Stage("renewal", _("Renouvellement : contrat suivant en préparation"))
    # The reviews of the years that are over, before the last one (which the final
    # evaluation goes with).
    for year in range(start, min(end, today.year)):
        if year not in adopted:
            return Stage("review", _("Bilan %(year)s à rendre") % {"year": year})
    if today.year >= end or evaluation is not None:
        if evaluation == EvaluationStatus.ADOPTED:
            return Stage("evaluation", _("Évaluation finale adoptée : contrat suivant à préparer"))
        return Stage("evaluation", _("Évaluation finale en cours"))
    return Stage("execution", _("En exécution (année %(year)s)") % {"year": today.year})


@dataclass
class ChainLink:
    slug: str
    title: str
    period_label: str
    status: str
    status_label: str


@dataclass
class FicheFollowUp:
    number: int
    title: str
    trend: IndicatorTrend | None  # its first indicator
    indicator_count: int
    states: list[YearState]
    continues: int | None  # the number of the fiche it continues in the previous contract


@dataclass
class FollowUp:
    """The dashboard's view of the contract's life after signature."""

    predecessor: ChainLink | None
    successor: ChainLink | None
    years: list[int]
    reviews: list[ReviewYear]
    evaluation_status: str  # "" when none is started
    fiches: list[FicheFollowUp]
    # The predecessor's final evaluation, this contract's starting diagnostic, if it has one.
    starting_diagnostic: bool = False

    @property
    def has_follow_up(self) -> bool:
        # Reviews or indicators to show, or fiches carried over from the previous contract
        # (their lineage shows here too).
        return any(r.status for r in self.reviews) or any(
            f.trend or f.continues for f in self.fiches
        )


def _link(row) -> ChainLink:
    slug, title, start, end, status = row
    labels = dict(ContractStatus.choices)
    return ChainLink(slug, title, f"{start}–{end}", status, str(labels.get(status, status)))


def follow_up(contract) -> FollowUp:
    chain = {"predecessor": None, "successor": None}
    for row in (
        Contract.objects.filter(Q(pk=contract.predecessor_id) | Q(predecessor_id=contract.pk))
        .order_by("pk")
        .values_list("slug", "title", "start_year", "end_year", "status", "predecessor_id")
    ):
        side = "successor" if row[5] == contract.pk else "predecessor"
        chain[side] = chain[side] or _link(row[:5])
    trends = indicator_trends(contract)
    states = action_states(contract)
    state_labels = dict(ActionState.choices)
    fiches = []
    for pk, number, title, continues in (
        Fiche.objects.filter(contract_id=contract.pk)
        .exclude(status=FicheStatus.WITHDRAWN)
        .order_by("number")
        .values_list("pk", "number", "title", "continues__number")
    ):
        own = trends.get(pk, [])
        fiches.append(
            FicheFollowUp(
                number=number,
                title=title,
                trend=own[0] if own else None,
                indicator_count=len(own),
                states=[
                    YearState(
                        year,
                        states.get((pk, year), ""),
                        str(state_labels.get(states.get((pk, year)), "")),
                    )
                    for year in contract.years
                ],
                continues=continues,
            )
        )
    evaluations = dict(
        FinalEvaluation.objects.filter(contract_id__in=[contract.pk, contract.predecessor_id])
        .order_by()
        .values_list("contract_id", "status")
    )
    evaluation = evaluations.get(contract.pk)
    return FollowUp(
        predecessor=chain["predecessor"],
        successor=chain["successor"],
        years=contract.years,
        reviews=review_years(contract),
        evaluation_status=evaluation or "",
        fiches=fiches,
        starting_diagnostic=contract.predecessor_id in evaluations,
    )
