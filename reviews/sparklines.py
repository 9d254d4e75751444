"""A small inline SVG of an indicator's trend over the contract's years: the actual values
(solid line and dots) against the targets (dashed), drawn on the server. Its label states
the figures, for screen readers and for the PDF's text."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cej.money import format_number

ACTUAL, TARGET = "#1f4e79", "#b34700"


def _figure(value: Decimal | None) -> str:
    if value is None:
        return "—"
    decimals = 0 if value == value.to_integral_value() else 2
    return format_number(value, decimals=decimals)


def trend_label(trend) -> str:
    parts = [
        _("%(year)s : cible %(target)s, réalisé %(actual)s")
        % {"year": y.year, "target": _figure(y.target), "actual": _figure(y.actual)}
        for y in trend.years
    ]
    return f"{trend.name} ({trend.unit}) — " + " ; ".join(parts)


def sparkline(trend, *, width: int = 120, height: int = 32) -> SafeString:
    """The trend of `trend` (reviews.evaluation_selectors.IndicatorTrend)."""
    years = trend.years
    values = [v for y in years for v in (y.target, y.actual) if v is not None]
    label = escape(trend_label(trend))
    if not values or len(years) < 2:
        return mark_safe(f'<span class="sparkline-empty" title="{label}">—</span>')
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    pad = 4
    step = (width - 2 * pad) / (len(years) - 1)

    def point(index: int, value: Decimal) -> tuple[float, float]:
        y = height - pad - float((value - low) / span) * (height - 2 * pad)
        return round(pad + index * step, 1), round(y, 1)

    def series(attr: str) -> list[tuple[float, float]]:
        return [
            point(i, getattr(y, attr)) for i, y in enumerate(years) if getattr(y, attr) is not None
        ]

    targets, actuals = series("target"), series("actual")
    shapes = []
    if len(targets) > 1:
        coords = " ".join(f"{x},{y}" for x, y in targets)
        shapes.append(
            f'<polyline points="{coords}" fill="none" stroke="{TARGET}" stroke-width="1.5" '
            'stroke-dasharray="3 2"/>'
        )
    if len(actuals) > 1:
        coords = " ".join(f"{x},{y}" for x, y in actuals)
        shapes.append(
            f'<polyline points="{coords}" fill="none" stroke="{ACTUAL}" stroke-width="2"/>'
        )
    shapes += [f'<circle cx="{x}" cy="{y}" r="2.2" fill="{ACTUAL}"/>' for x, y in actuals]
    return mark_safe(
        f'<svg class="sparkline" role="img" aria-label="{label}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{''.join(shapes)}</svg>"
    )
