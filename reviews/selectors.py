"""Reads of the annual reviews for the pages and the PDF alike: per fiche the state of its
actions, its indicators target against actual with the variance, its money (planned,
committed, paid; PSEJ due); per funder the PSEJ due and received for the year; the needs
and supply report with its coverage rate. Plain data, a fixed number of queries whatever
the size of the contract."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from cej.money import ZERO
from fiches.models import Fiche, FicheStatus, Indicator, IndicatorDirection
from financing.cycle_selectors import contract_cycle, line_plan
from financing.figures import Figures
from financing.models import BudgetLine, Contribution
from financing.terms import contract_terms
from reviews.models import (
    ActionState,
    AnnualReview,
    CareType,
    NeedsArea,
    ReviewStatus,
)

ONE_DECIMAL = Decimal("0.1")
# The kinds of care as the tables' headers name them (the full labels are the model's).
SHORT_LABELS = {
    CareType.COLLECTIVE: _("Accueil collectif"),
    CareType.MICRO_CRECHE: _("Micro-crèches"),
    CareType.FAMILY_CRECHE: _("Crèches familiales"),
    CareType.CHILDMINDERS: _("Assistants maternels"),
    CareType.HOME_CARE: _("Garde à domicile"),
    CareType.PRESCHOOL: _("École préélémentaire"),
}


@dataclass
class IndicatorRow:
    """One indicator in one year: target, actual, and how far apart (`variance` in the
    indicator's unit, `variance_rate` in % of the target), favourable or not by its
    direction (None while the actual or the target is missing)."""

    code: str  # « 4.1 »: fiche number, indicator number
    name: str
    unit: str
    source: str
    direction: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal | None
    actual: Decimal | None
    comment: str

    @property
    def variance(self) -> Decimal | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual - self.target

    @property
    def variance_rate(self) -> Decimal | None:
        if self.variance is None or not self.target:
            return None
        return (self.variance * 100 / self.target).quantize(ONE_DECIMAL, ROUND_HALF_UP)

    @property
    def favourable(self) -> bool | None:
        if self.variance is None:
            return None
        if self.direction == IndicatorDirection.DOWN:
            return self.variance <= 0
        return self.variance >= 0


@dataclass
class FicheReview:
    """A fiche in the year's review: where its actions stand, what was done, its indicators
    and its money."""

    fiche: Fiche
    state: str
    narrative: str
    indicators: list[IndicatorRow]
    money: Figures
    psej_due: Decimal  # actual PSEJ where declared, else forecast

    @property
    def state_label(self) -> str:
        return str(ActionState(self.state).label)


@dataclass
class FunderRow:
    """One funder's PSEJ for the year: forecast, due (on the actual figures once
    declared, else the advances due so far), received (net of refunds)."""

    funder: str
    forecast: Decimal
    actual: Decimal | None
    due: Decimal
    received: Decimal
    outstanding: Decimal
    to_recover: Decimal


@dataclass
class NeedsRow:
    name: str
    children_under_3: int
    unmet_requests: int | None
    places: list[int]  # in the order of NeedsTable.care_types
    total: int

    @property
    def coverage(self) -> Decimal | None:
        return coverage_rate(self.total, self.children_under_3)


@dataclass
class NeedsTable:
    """*État des besoins et de l'offre d'accueil*: places per kind of care and area, the
    children under three, the coverage rate (places per 100 children under three)."""

    care_types: list[tuple[str, str]]
    rows: list[NeedsRow]
    totals: list[int]
    children_under_3: int
    unmet_requests: int | None
    total: int

    @property
    def coverage(self) -> Decimal | None:
        return coverage_rate(self.total, self.children_under_3)


@dataclass
class ReviewReport:
    review: AnnualReview
    fiches: list[FicheReview]
    unassigned: Figures  # lines of the year funding no fiche (coordination, communication)
    total: Figures
    funders: list[FunderRow]
    needs: NeedsTable
    states: dict[str, int] = field(default_factory=dict)  # state label → fiche count

    @property
    def indicators(self) -> list[IndicatorRow]:
        return [row for fiche in self.fiches for row in fiche.indicators]


def coverage_rate(places: int, children: int) -> Decimal | None:
    if not children:
        return None
    return (Decimal(places) * 100 / Decimal(children)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def review_list(contract) -> list[tuple[int, AnnualReview | None]]:
    """Each year of the contract with its review (None when not opened yet)."""
    reviews = {
        r.year: r
        for r in AnnualReview.objects.filter(contract=contract)
        .select_related("document")
        .order_by()
    }
    return [(year, reviews.get(year)) for year in contract.years]


def review_report(review: AnnualReview, *, today=None) -> ReviewReport:
    contract, year = review.contract, review.year
    # Each fiche with its row in this review, in one query (a fiche added by avenant after
    # the review was opened has none yet: in progress, no narrative).
    fiches = list(
        Fiche.objects.filter(contract_id=contract.pk)
        .exclude(status=FicheStatus.WITHDRAWN)
        .select_related("lead_partner")
        .annotate(
            row=FilteredRelation("review_states", condition=Q(review_states__review_id=review.pk)),
            review_state=F("row__state"),
            review_narrative=F("row__narrative"),
        )
        .order_by("number")
    )
    indicators = _indicator_rows(contract, year)
    # The contract's lines read once, with their execution: their plans for the money
    # cycle, and this year's for the fiches' money.
    terms = contract_terms(contract.pk)
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for line_id, partner_id, amount in (
        Contribution.objects.filter(line__contract_id=contract.pk)
        .order_by()
        .values_list("line_id", "partner_id", "amount")
    ):
        shares[line_id][partner_id] = amount
    lines = list(
        BudgetLine.objects.filter(contract_id=contract.pk)
        .with_execution()
        .order_by("pk")
        .only(
            "id",
            "year",
            "fiche_id",
            "annex_convention_id",
            "continued",
            "amount",
            "other_receipts",
            "actual_expenses",
            "actual_receipts",
        )
    )
    plans = {
        line.pk: line_plan(
            line_id=line.pk,
            year=line.year,
            annex_convention_id=line.annex_convention_id,
            continued=line.continued,
            amount=line.amount,
            other_receipts=line.other_receipts,
            actual_expenses=line.actual_expenses,
            actual_receipts=line.actual_receipts,
            shares=shares.get(line.pk, {}),
            terms=terms,
        )
        for line in lines
    }
    # The review shows no supporting document: the cycle need not read them.
    cycle = contract_cycle(contract, today=today, terms=terms, plans=plans, documents=False)
    money: dict[int | None, Figures] = defaultdict(Figures)
    psej_due: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.year != year:
            continue
        money[line.fiche_id].add(line)
        plan = plans[line.pk]
        shown = plan.actual or plan.forecast
        psej_due[line.fiche_id] += sum(shown.psej.values(), ZERO)
    fiche_reviews = []
    states: dict[str, int] = defaultdict(int)
    for fiche in fiches:
        state = fiche.review_state or ActionState.IN_PROGRESS
        states[str(ActionState(state).label)] += 1
        fiche_reviews.append(
            FicheReview(
                fiche=fiche,
                state=state,
                narrative=fiche.review_narrative or "",
                indicators=indicators.get(fiche.pk, []),
                money=money.get(fiche.pk) or Figures(),
                psej_due=psej_due.get(fiche.pk, ZERO),
            )
        )
    total = Figures(label=str(year))
    for figures in money.values():
        total.planned += figures.planned
        total.committed += figures.committed
        total.paid += figures.paid
    funders = []
    for funder in cycle.funders:
        position = cycle.position(funder.pk, year)
        if position is None:
            continue
        p = position.position
        funders.append(
            FunderRow(
                funder=funder.name,
                forecast=p.forecast_psej,
                actual=p.actual_psej,
                due=p.owed,
                received=p.received,
                outstanding=p.outstanding,
                to_recover=p.to_recover,
            )
        )
    return ReviewReport(
        review=review,
        fiches=fiche_reviews,
        unassigned=money.get(None) or Figures(),
        total=total,
        funders=funders,
        needs=needs_table(review),
        states=dict(states),
    )


def _indicator_rows(contract, year: int) -> dict[int, list[IndicatorRow]]:
    """Per fiche id, its indicators with their figures of the year (one query)."""
    by_fiche: dict[int, list[IndicatorRow]] = defaultdict(list)
    for indicator in (
        Indicator.objects.filter(contract_id=contract.pk)
        .annotate(
            entry=FilteredRelation("years", condition=Q(years__year=year)),
            fiche_number=F("fiche__number"),
            target=F("entry__target"),
            actual=F("entry__actual"),
            comment=F("entry__comment"),
        )
        .order_by("fiche__number", "number")
        .only(
            "id",
            "number",
            "name",
            "unit",
            "source",
            "direction",
            "baseline_year",
            "baseline_value",
            "fiche_id",
        )
    ):
        by_fiche[indicator.fiche_id].append(
            IndicatorRow(
                code=f"{indicator.fiche_number}.{indicator.number}",
                name=indicator.name,
                unit=indicator.unit,
                source=indicator.source,
                direction=indicator.direction,
                baseline=indicator.baseline_value,
                baseline_year=indicator.baseline_year,
                target=indicator.target,
                actual=indicator.actual,
                comment=indicator.comment or "",
            )
        )
    return by_fiche


def needs_table(review: AnnualReview) -> NeedsTable:
    """The review's needs and supply figures (one query)."""
    care_types = [(value, str(SHORT_LABELS[value])) for value in CareType.values]
    order = {value: index for index, (value, _label) in enumerate(care_types)}
    rows, totals = [], [0] * len(care_types)
    children, unmet, any_unmet = 0, 0, False
    areas: dict[int, dict] = {}
    # The areas and their places in one query (an area may have no place yet).
    for area_id, name, children_under_3, unmet_requests, care_type, count in (
        NeedsArea.objects.filter(review_id=review.pk)
        .order_by("order", "name", "pk")
        .values_list(
            "pk",
            "name",
            "children_under_3",
            "unmet_requests",
            "places__care_type",
            "places__places",
        )
    ):
        area = areas.setdefault(
            area_id,
            {
                "name": name,
                "children": children_under_3,
                "unmet": unmet_requests,
                "places": [0] * len(care_types),
            },
        )
        if care_type is not None:
            area["places"][order[care_type]] = count
    for area in areas.values():
        places = area["places"]
        for index, value in enumerate(places):
            totals[index] += value
        children += area["children"]
        if area["unmet"] is not None:
            unmet += area["unmet"]
            any_unmet = True
        rows.append(
            NeedsRow(
                name=area["name"],
                children_under_3=area["children"],
                unmet_requests=area["unmet"],
                places=places,
                total=sum(places),
            )
        )
    return NeedsTable(
        care_types=care_types,
        rows=rows,
        totals=totals,
        children_under_3=children,
        unmet_requests=unmet if any_unmet else None,
        total=sum(totals),
    )


def is_final(review: AnnualReview) -> bool:
    return review.status == ReviewStatus.ADOPTED
