"""A trend drawn as a small inline SVG on the server (*sparkline*): the targets as a dashed
line, the actual values as a solid line with a dot per year, no axes. Readable without
sight: its title and description state the figures. Used by the indicators' pages, the
fiche page, the dashboard and the reviews."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cej.money import format_number

TARGET_COLOUR, ACTUAL_COLOUR = "#545466", "#1f4e79"


def figure(value: Decimal | None) -> str:
    """An indicator's value as French text: « 1 250 », « 12,5 » (no trailing zeros), « — »."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    decimals = 0 if value == value.to_integral_value() else (1 if (value * 10) % 1 == 0 else 2)
    return format_number(value, decimals=decimals)


_label = figure


def sparkline(trend, *, width: int = 120, height: int = 32) -> SafeString:
    """`trend`: an `indicator_selectors.IndicatorTrend` (its points in year order)."""
    points = trend.points
    values = [v for p in points for v in (p.target, p.actual) if v is not None]
    if trend.baseline_value is not None:
        values.append(trend.baseline_value)
    description = " ; ".join(
        _("%(year)s : cible %(target)s, réalisé %(actual)s")
        % {"year": p.year, "target": _label(p.target), "actual": _label(p.actual)}
        for p in points
    )
    title = _("Tendance de l'indicateur « %(name)s » (%(unit)s)") % {
        "name": trend.name,
        "unit": trend.unit,
    }
    head = (
        f'<svg class="sparkline" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    )
    if not values or len(points) < 2:
        return mark_safe(head + "</svg>")
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    pad = 4
    step = (width - 2 * pad) / (len(points) - 1)

    def xy(index: int, value: Decimal) -> str:
        y = pad + (height - 2 * pad) * float((high - value) / span)
        return f"{pad + index * step:.1f},{y:.1f}"

    def line(attr: str) -> list[str]:
        return [
            xy(i, getattr(p, attr)) for i, p in enumerate(points) if getattr(p, attr) is not None
        ]

    parts = [head]
    targets = line("target")
    if len(targets) > 1:
        parts.append(
            f'<polyline points="{" ".join(targets)}" fill="none" stroke="{TARGET_COLOUR}" '
            'stroke-width="1.5" stroke-dasharray="3 2"/>'
        )
    actuals = line("actual")
    if len(actuals) > 1:
        parts.append(
            f'<polyline points="{" ".join(actuals)}" fill="none" stroke="{ACTUAL_COLOUR}" '
            'stroke-width="2"/>'
        )
    for point in actuals:
        x, y = point.split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{ACTUAL_COLOUR}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
