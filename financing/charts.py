"""Budget charts as inline SVG, rendered on the server: no JavaScript, readable by screen
readers (title and description state the figures), and the same markup goes into the
budget report PDF. Amounts are formatted by cej.money only."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cej.money import format_eur, format_number, format_percent

# Noto Sans first: the PDFs embed it (static/fonts); browsers without it use the system's.
FONT = (
    'font-family="Noto Sans, system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"'
)
SERIES = [
    # attribute of Figures, label, colour (≥ 3:1 against white, distinguishable in grey)
    ("planned", _("Prévu"), "#1f4e79"),
    ("committed", _("Engagé"), "#b34700"),
    ("paid", _("Payé"), "#1d6b3a"),
]
INK, MUTED, GRID = "#1e1e2a", "#545466", "#d9dbe3"


def _nice_step(maximum: Decimal, ticks: int = 4) -> Decimal:
    """A round tick step (1, 2, 2.5 or 5 × 10^n) so that `ticks` steps cover `maximum`."""
    raw = maximum / ticks if maximum > 0 else Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _k_euros(value: Decimal) -> str:
    return f"{format_number(value / 1000, decimals=0)}\u00a0k€"


def execution_chart(per_year, *, envelope: Decimal, chart_id: str = "execution") -> SafeString:
    """Grouped bars per year — planned, committed, paid — against the annual envelope."""
    width, height = 680, 290
    left, right, top, bottom = 70, 16, 44, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [getattr(f, attr) for f in per_year for attr, _l, _c in SERIES]
    step = _nice_step(max([envelope, *values, Decimal(1)]))
    top_value = step * 4
    while top_value < max([envelope, *values]):
        top_value += step

    def y(value: Decimal) -> float:
        return top + plot_h - float(value / top_value) * plot_h

    title = _("Prévu, engagé et payé par année")
    desc = " ; ".join(
        _("%(year)s : prévu %(planned)s, engagé %(committed)s, payé %(paid)s")
        % {
            "year": f.label,
            "planned": format_eur(f.planned),
            "committed": format_eur(f.committed),
            "paid": format_eur(f.paid),
        }
        for f in per_year
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}.</desc>',
    ]
    tick = Decimal(0)
    while tick <= top_value:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{escape(_k_euros(tick))}</text>'
        )
        tick += step
    group_w = plot_w / max(len(per_year), 1)
    bar_w = min(34.0, group_w / (len(SERIES) + 1.5))
    for index, figures in enumerate(per_year):
        x0 = left + index * group_w + (group_w - bar_w * len(SERIES)) / 2
        for offset, (attr, label, colour) in enumerate(SERIES):
            value = getattr(figures, attr)
            bar_top = y(value)
            parts.append(
                f'<rect x="{x0 + offset * bar_w:.1f}" y="{bar_top:.1f}" width="{bar_w - 3:.1f}" '
                f'height="{top + plot_h - bar_top:.1f}" fill="{colour}">'
                f"<title>{escape(figures.label)} — {escape(label)} : "
                f"{escape(format_eur(value))}</title></rect>"
            )
        parts.append(
            f'<text x="{left + index * group_w + group_w / 2:.1f}" y="{height - 10}" '
            f'text-anchor="middle" font-size="13" fill="{INK}">{escape(figures.label)}</text>'
        )
    envelope_y = y(envelope)
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{envelope_y:.1f}" y2="{envelope_y:.1f}" '
        f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{width - right}" y="{envelope_y - 6:.1f}" text-anchor="end" font-size="12" '
        f'fill="{INK}">{escape(_("Enveloppe annuelle"))} {escape(format_eur(envelope))}</text>'
    )
    legend_x = left
    for _attr, label, colour in SERIES:
        parts.append(
            f'<rect x="{legend_x}" y="10" width="14" height="14" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="22" font-size="13" fill="{INK}">{escape(label)}</text>'
        )
        legend_x += 30 + 9 * len(str(label))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def split_chart(items, *, chart_id: str = "split", title: str | None = None) -> SafeString:
    """Horizontal bars: each item's planned amount and its share of the total."""
    items = [item for item in items if item.planned > 0]
    total = sum((item.planned for item in items), Decimal(0))
    title = title or _("Répartition du prévu par poste")
    row_h, label_w, width = 36, 250, 680
    height = 16 + row_h * max(len(items), 1)
    bar_max = width - label_w - 190
    desc = " ; ".join(
        f"{item.label} : {format_eur(item.planned)} ({format_percent(item.planned, total)})"
        for item in items
    ) or _("Aucun montant prévu")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}.</desc>',
    ]
    for index, item in enumerate(items):
        y = 8 + index * row_h
        bar = float(item.planned / total) * bar_max if total else 0
        label = item.label if len(item.label) <= 38 else item.label[:36] + "…"
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(label)}<title>{escape(item.label)}</title></text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(bar, 1):.1f}" height="20" '
            f'fill="{SERIES[0][2]}"/>'
            f'<text x="{label_w + bar + 8:.1f}" y="{y + 18}" font-size="13" fill="{INK}">'
            f"{escape(format_eur(item.planned))} ({escape(format_percent(item.planned, total))})"
            "</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
