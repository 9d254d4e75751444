"""Reads of the evaluation indicators that pages, PDFs, the dashboard and the reviews share:
plain data, each indicator with one point per year of its contract (target, actual,
variance), in a fixed number of queries whatever the number of fiches and indicators."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from fiches.models import Indicator, IndicatorDirection, IndicatorVersion, IndicatorYear


@dataclass
class YearPoint:
    """One year of an indicator: *cible* (target, contract content) and *réalisé* (actual,
    execution) with its comment, evidence and who entered it."""

    year: int
    target: Decimal | None = None
    actual: Decimal | None = None
    comment: str = ""
    evidence_id: int | None = None
    recorded_at: datetime.datetime | None = None
    recorded_by: str = ""

    @property
    def variance(self) -> Decimal | None:
        """Actual minus target (None unless both are known)."""
        if self.target is None or self.actual is None:
            return None
        return self.actual - self.target


@dataclass
class IndicatorTrend:
    """An indicator and its points, one per year of the contract, in year order."""

    pk: int
    fiche_id: int
    number: int
    name: str
    unit: str
    source: str
    direction: str
    baseline_year: int | None
    baseline_value: Decimal | None
    version: int
    points: list[YearPoint] = field(default_factory=list)

    def point(self, year: int) -> YearPoint | None:
        return next((p for p in self.points if p.year == year), None)

    def on_track(self, point: YearPoint) -> bool | None:
        """Whether the actual meets the target, in the indicator's direction of progress."""
        if point.variance is None:
            return None
        if self.direction == IndicatorDirection.DOWN:
            return point.variance <= 0
        return point.variance >= 0

    @property
    def rows(self) -> list[tuple[YearPoint, bool | None]]:
        """(point, on track) per year, for templates that cannot call methods."""
        return [(p, self.on_track(p)) for p in self.points]


def _trends(indicators, years: list[int]) -> list[IndicatorTrend]:
    """Two queries: the indicators (already filtered) and their years."""
    fields = [
        "pk",
        "fiche_id",
        "number",
        "name",
        "unit",
        "source",
        "direction",
        "baseline_year",
        "baseline_value",
        "version",
    ]
    found = [
        IndicatorTrend(**dict(zip(fields, row, strict=True)))
        for row in indicators.order_by().values_list(*fields)
    ]
    if not found:
        return []
    by_indicator = defaultdict(dict)
    rows = (
        IndicatorYear.objects.filter(indicator_id__in=[t.pk for t in found])
        .order_by()
        .values_list(
            "indicator_id",
            "year",
            "target",
            "actual",
            "comment",
            "evidence_id",
            "actual_recorded_at",
            "actual_recorded_by__first_name",
            "actual_recorded_by__last_name",
            "actual_recorded_by__username",
        )
    )
    for indicator_id, year, target, actual, comment, evidence, at, first, last, username in rows:
        by_indicator[indicator_id][year] = YearPoint(
            year,
            target,
            actual,
            comment,
            evidence,
            at,
            f"{first or ''} {last or ''}".strip() or username or "",
        )
    for trend in found:
        points = by_indicator[trend.pk]
        trend.points = [points.get(year) or YearPoint(year) for year in years]
    found.sort(key=lambda t: (t.fiche_id, t.number))
    return found


def indicator_trends(contract) -> dict[int, list[IndicatorTrend]]:
    """Every indicator of the contract by fiche id (`{fiche_id: [IndicatorTrend…]}`), each
    with its target and actual for every year of the contract: for the dashboard's
    sparklines, the annual reviews and the final evaluation. Two queries."""
    result = defaultdict(list)
    for trend in _trends(Indicator.objects.filter(contract_id=contract.pk), contract.years):
        result[trend.fiche_id].append(trend)
    return dict(result)


def fiche_indicators(contract, fiche) -> list[IndicatorTrend]:
    """The fiche's indicators, in number order. Two queries."""
    trends = _trends(Indicator.objects.filter(fiche_id=fiche.pk), contract.years)
    return sorted(trends, key=lambda t: t.number)


def indicator_versions(indicator, limit: int = 5) -> list[IndicatorVersion]:
    """The indicator's latest versions, newest first (one query)."""
    return list(
        IndicatorVersion.objects.filter(indicator=indicator)
        .select_related("author", "amendment")
        .order_by("-number")[:limit]
    )
