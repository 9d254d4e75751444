"""The contract's years side by side, per objective and fiche: each indicator's targets and
actual values, the money planned, committed and paid, the state of the fiche's actions in
each annual review, and what the final evaluation says of it. The final evaluation's page
and PDF read it, and the dashboard reads its per-fiche trend and review status.

A constant handful of queries whatever the number of fiches, indicators or lines."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from cej.models import Contract
from fiches.models import Fiche, FicheStatus, Indicator, IndicatorYear, Objective
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from reviews.models import (
    ActionState,
    AnnualReview,
    EvaluationFiche,
    FinalEvaluation,
    Recommendation,
    ReviewStatus,
)

ZERO = Decimal("0.00")


@dataclass
class YearValue:
    """One year of an indicator: its target and what was measured (None: not entered)."""

    year: int
    target: Decimal | None
    actual: Decimal | None

    @property
    def reached(self) -> bool | None:
        return None if self.target is None or self.actual is None else self.actual >= self.target


@dataclass
class IndicatorTrend:
    """An indicator over the contract's years, with its starting point."""

    pk: int
    number: int
    name: str
    unit: str
    direction: str
    source: str
    baseline_year: int | None
    baseline_value: Decimal | None
    years: list[YearValue]

    def reached(self, value: YearValue) -> bool | None:
        if value.target is None or value.actual is None:
            return None
        if self.direction == "down":
            return value.actual <= value.target
        return value.actual >= value.target

    @property
    def last_actual(self) -> YearValue | None:
        measured = [y for y in self.years if y.actual is not None]
        return measured[-1] if measured else None


@dataclass
class YearMoney:
    year: int
    planned: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass
class YearState:
    """Where the fiche's actions stood in a year's review (`state` "" when not reviewed)."""

    year: int
    state: str
    label: str


@dataclass
class FicheYears:
    fiche: Fiche
    indicators: list[IndicatorTrend]
    money: list[YearMoney]
    states: list[YearState]
    note: EvaluationFiche | None = None

    @property
    def total(self) -> YearMoney:
        return YearMoney(
            year=0,
            planned=sum((m.planned for m in self.money), ZERO),
            committed=sum((m.committed for m in self.money), ZERO),
            paid=sum((m.paid for m in self.money), ZERO),
        )

    @property
    def recommendation(self) -> str:
        return self.note.recommendation if self.note else Recommendation.CONTINUE

    @property
    def recommendation_label(self) -> str:
        return str(Recommendation(self.recommendation).label)

    @property
    def lessons(self) -> str:
        return self.note.lessons if self.note else ""


@dataclass
class ReviewYear:
    """A year of the contract and its annual review's status ("" when none is started)."""

    year: int
    status: str
    label: str


@dataclass
class ContractYears:
    contract: Contract
    years: list[int]
    reviews: list[ReviewYear]
    objectives: list[tuple[Objective, list[FicheYears]]]
    evaluation: FinalEvaluation | None
    money: list[YearMoney] = field(default_factory=list)  # every line, fiche or not

    @property
    def year_rows(self) -> list[tuple[YearMoney, ReviewYear]]:
        return list(zip(self.money, self.reviews, strict=True))

    @property
    def fiches(self) -> list[FicheYears]:
        return [row for _objective, rows in self.objectives for row in rows]


def _reviews(contract) -> tuple[list[ReviewYear], dict]:
    """Each year of the contract with its annual review's status, and {(fiche id, year):
    action state}: one query, the reviews joined to their fiches."""
    statuses, states = {}, {}
    for year, status, fiche_id, state in (
        AnnualReview.objects.filter(contract_id=contract.pk)
        .order_by()
        .values_list("year", "status", "fiches__fiche_id", "fiches__state")
    ):
        statuses[year] = status
        if fiche_id is not None:
            states[fiche_id, year] = state
    labels = dict(ReviewStatus.choices)
    years = [
        ReviewYear(
            year=year, status=statuses.get(year, ""), label=str(labels.get(statuses.get(year), ""))
        )
        for year in contract.years
    ]
    return years, states


def indicator_trends(contract) -> dict[int, list[IndicatorTrend]]:
    """{fiche id: its indicators over the contract's years}: two queries."""
    years = contract.years
    values = defaultdict(dict)
    for indicator_id, year, target, actual in (
        IndicatorYear.objects.filter(indicator__contract_id=contract.pk)
        .order_by()
        .values_list("indicator_id", "year", "target", "actual")
    ):
        values[indicator_id][year] = (target, actual)
    trends = defaultdict(list)
    for indicator in (
        Indicator.objects.filter(contract_id=contract.pk)
        .order_by("fiche_id", "number")
        .only(
            "pk",
            "fiche_id",
            "number",
            "name",
            "unit",
            "direction",
            "source",
            "baseline_year",
            "baseline_value",
        )
    ):
        per_year = values.get(indicator.pk, {})
        trends[indicator.fiche_id].append(
            IndicatorTrend(
                pk=indicator.pk,
                number=indicator.number,
                name=indicator.name,
                unit=indicator.unit,
                direction=indicator.direction,
                source=indicator.source,
                baseline_year=indicator.baseline_year,
                baseline_value=indicator.baseline_value,
                years=[YearValue(year, *per_year.get(year, (None, None))) for year in years],
            )
        )
    return trends


def _money(contract) -> dict:
    """{(fiche id or None, year): YearMoney}: two queries."""
    money = {}
    for fiche_id, year, planned in (
        BudgetLine.objects.filter(contract_id=contract.pk)
        .order_by()
        .values("fiche_id", "year")
        .annotate(planned=Sum("amount"))
        .values_list("fiche_id", "year", "planned")
    ):
        money[fiche_id, year] = YearMoney(year=year, planned=planned or ZERO)
    for fiche_id, year, kind, total in (
        ExecutionEntry.objects.filter(line__contract_id=contract.pk)
        .order_by()
        .values("line__fiche_id", "line__year", "kind")
        .annotate(total=Sum("amount"))
        .values_list("line__fiche_id", "line__year", "kind", "total")
    ):
        row = money.setdefault((fiche_id, year), YearMoney(year=year))
        if kind == ExecutionKind.COMMITMENT:
            row.committed += total or ZERO
        else:
            row.paid += total or ZERO
    return money


UNREAD = object()


@dataclass
class PageState:
    """What the final evaluation's page decides on before reading the contract's years:
    the evaluation's id, status and version (None if not started), and the contract's
    successor, if it has one."""

    evaluation: FinalEvaluation | None
    successor_slug: str | None
    successor_title: str | None


def page_state(contract) -> PageState:
    """One query: the contract's row joined to its evaluation, with its successor."""
    successors = Contract.objects.filter(predecessor_id=OuterRef("pk")).order_by("pk")
    pk, status, version, slug, title = (
        Contract.objects.filter(pk=contract.pk)
        .order_by()
        .annotate(
            successor_slug=Subquery(successors.values("slug")[:1]),
            successor_title=Subquery(successors.values("title")[:1]),
        )
        .values_list(
            "final_evaluation__pk",
            "final_evaluation__status",
            "final_evaluation__version",
            "successor_slug",
            "successor_title",
        )
        .get()
    )
    evaluation = None
    if pk is not None:
        evaluation = FinalEvaluation(pk=pk, contract_id=contract.pk, status=status, version=version)
    return PageState(evaluation=evaluation, successor_slug=slug, successor_title=title)


def contract_years(contract, *, evaluation=UNREAD) -> ContractYears:
    """The whole contract, year by year (nine queries whatever its size; eight when the
    caller read its `evaluation` already — None if it has none)."""
    years = contract.years
    if evaluation is UNREAD:
        evaluation = FinalEvaluation.objects.filter(contract_id=contract.pk).first()
    notes = {}
    if evaluation is not None:
        notes = {note.fiche_id: note for note in evaluation.fiches.all()}
    trends = indicator_trends(contract)
    money = _money(contract)
    reviews, states = _reviews(contract)
    state_labels = dict(ActionState.choices)
    fiches_of = defaultdict(list)
    for fiche in (
        Fiche.objects.filter(contract_id=contract.pk)
        .exclude(status=FicheStatus.WITHDRAWN)
        .select_related("lead_partner")
        .order_by("number")
    ):
        fiches_of[fiche.objective_id].append(
            FicheYears(
                fiche=fiche,
                indicators=trends.get(fiche.pk, []),
                money=[money.get((fiche.pk, year)) or YearMoney(year=year) for year in years],
                states=[
                    YearState(
                        year,
                        states.get((fiche.pk, year), ""),
                        str(state_labels.get(states.get((fiche.pk, year)), "")),
                    )
                    for year in years
                ],
                note=notes.get(fiche.pk),
            )
        )
    objectives = [
        (objective, fiches_of.get(objective.pk, []))
        for objective in Objective.objects.filter(contract_id=contract.pk).order_by("number")
    ]
    totals = []
    for year in years:
        total = YearMoney(year=year)
        for (_fiche_id, line_year), row in money.items():
            if line_year == year:
                total.planned += row.planned
                total.committed += row.committed
                total.paid += row.paid
        totals.append(total)
    return ContractYears(
        contract=contract,
        years=years,
        reviews=reviews,
        objectives=objectives,
        evaluation=evaluation,
        money=totals,
    )
