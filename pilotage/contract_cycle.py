"""Where a contract stands in its life: the contract list's stage of each contract
(préparation, signature, « bilan 2016 à rendre », évaluation, renouvellement, échu), and the
dashboard's follow-up — the chain predecessor ← this → successor, each year's annual review,
and per fiche its indicator trend and the state of its actions in each year's review.

Constant queries: one for a page of the list whatever its length, four for a dashboard
whatever its number of fiches or indicators."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from cej.models import Contract, ContractStatus
from fiches.models import IndicatorYear
from reviews.evaluation_selectors import IndicatorTrend, ReviewYear, YearState, YearValue
from reviews.models import (
    ActionState,
    AnnualReview,
    EvaluationStatus,
    ReviewStatus,
)


@dataclass
class Stage:
    """A contract's stage in its cycle: `code` for the badge's style, `label` in words."""

    code: str
    label: str


def cycle_stages(pks, *, today) -> dict[int, Stage]:
    """{contract id: its stage} for the contracts `pks`, as of `today`, in one query. A
    signed contract's year N review is due once year N is over; after its last year comes
    the final evaluation; once its successor exists, it is being renewed."""
    adopted = AnnualReview.objects.filter(status=ReviewStatus.ADOPTED)
    # The first year after an adopted one that is not adopted itself: the first review due
    # once the first year's is in.
    after_adopted = (
        adopted.filter(contract_id=OuterRef("pk"))
        .annotate(following=F("year") + 1)
        .exclude(
            Exists(adopted.filter(contract_id=OuterRef("contract_id"), year=OuterRef("following")))
        )
        .order_by("year")
        .values("following")[:1]
    )
    rows = (
        Contract.objects.filter(pk__in=pks)
        .order_by()
        .annotate(
            first_adopted=Exists(
                adopted.filter(contract_id=OuterRef("pk"), year=OuterRef("start_year"))
            ),
            first_missing=Subquery(after_adopted),
            renewed=Exists(Contract.objects.filter(predecessor_id=OuterRef("pk"))),
        )
        .values_list(
            "pk",
            "status",
            "start_year",
            "end_year",
            "first_adopted",
            "first_missing",
            "final_evaluation__status",
            "renewed",
        )
    )
    stages = {}
    for pk, status, start, end, first_adopted, first_missing, evaluation, renewed in rows:
        missing = first_missing if first_adopted else start
        stages[pk] = _stage(
            status,
            start,
            end,
            missing=missing,
            evaluation=evaluation,
            renewed=renewed,
            today=today,
        )
    return stages


def _stage(status, start, end, *, missing, evaluation, renewed, today) -> Stage:
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
    if missing is not None and missing < min(end, today.year):
        return Stage("review", _("Bilan %(year)s à rendre") % {"year": missing})
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


def follow_up(contract, fiches) -> FollowUp:
    """`fiches`: the dashboard's fiche rows (pk, number, title, the number of the fiche each
    continues), read already. Three queries: the chain with the evaluations' status, the
    indicators' years, the reviews with their fiches' states."""
    chain = {"predecessor": None, "successor": None}
    evaluations = {}
    for pk, slug, title, start, end, status, predecessor_id, evaluation in (
        Contract.objects.filter(
            Q(pk=contract.pk) | Q(pk=contract.predecessor_id) | Q(predecessor_id=contract.pk)
        )
        .order_by("pk")
        .values_list(
            "pk",
            "slug",
            "title",
            "start_year",
            "end_year",
            "status",
            "predecessor_id",
            "final_evaluation__status",
        )
    ):
        evaluations[pk] = evaluation
        if pk == contract.pk:
            continue
        side = "successor" if predecessor_id == contract.pk else "predecessor"
        chain[side] = chain[side] or _link((slug, title, start, end, status))
    years = contract.years
    trends = _first_trends(contract)
    statuses, states = {}, {}
    for year, status, fiche_id, state in (
        AnnualReview.objects.filter(contract_id=contract.pk)
        .order_by()
        .values_list("year", "status", "fiches__fiche_id", "fiches__state")
    ):
        statuses[year] = status
        if fiche_id is not None:
            states[fiche_id, year] = state
    state_labels, status_labels = dict(ActionState.choices), dict(ReviewStatus.choices)
    rows = []
    for fiche in fiches:
        own = trends.get(fiche.pk, [])
        rows.append(
            FicheFollowUp(
                number=fiche.number,
                title=fiche.title,
                trend=own[0] if own else None,
                indicator_count=len(own),
                states=[
                    YearState(
                        year,
                        states.get((fiche.pk, year), ""),
                        str(state_labels.get(states.get((fiche.pk, year)), "")),
                    )
                    for year in years
                ],
                continues=fiche.continues if contract.predecessor_id else None,
            )
        )
    return FollowUp(
        predecessor=chain["predecessor"],
        successor=chain["successor"],
        years=years,
        reviews=[
            ReviewYear(year, statuses.get(year, ""), str(status_labels.get(statuses.get(year), "")))
            for year in years
        ],
        evaluation_status=evaluations.get(contract.pk) or "",
        fiches=rows,
        starting_diagnostic=bool(
            contract.predecessor_id and evaluations.get(contract.predecessor_id)
        ),
    )


def _first_trends(contract) -> dict[int, list[IndicatorTrend]]:
    """{fiche id: its indicators that have figures, in number order}: one query."""
    years = contract.years
    found = {}
    for indicator_id, fiche_id, number, name, unit, direction, year, target, actual in (
        IndicatorYear.objects.filter(indicator__contract_id=contract.pk)
        .order_by()
        .values_list(
            "indicator_id",
            "indicator__fiche_id",
            "indicator__number",
            "indicator__name",
            "indicator__unit",
            "indicator__direction",
            "year",
            "target",
            "actual",
        )
    ):
        trend = found.get(indicator_id)
        if trend is None:
            trend = found[indicator_id] = (
                fiche_id,
                IndicatorTrend(
                    pk=indicator_id,
                    number=number,
                    name=name,
                    unit=unit,
                    direction=direction,
                    source="",
                    baseline_year=None,
                    baseline_value=None,
                    years=[YearValue(y, None, None) for y in years],
                ),
            )
        if year in years:
            trend[1].years[years.index(year)] = YearValue(year, target, actual)
    trends = defaultdict(list)
    for fiche_id, trend in sorted(found.values(), key=lambda item: (item[0], item[1].number)):
        trends[fiche_id].append(trend)
    return trends
