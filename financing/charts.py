"""Budget charts as inline SVG, rendered on the server: no JavaScript, readable by screen
readers (title and description state the figures), and the same markup goes into the
budget report PDF. Amounts are formatted by cej.money only."""

import textwrap
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
# Average glyph width of the fonts above, in em, rounded up: enough to lay labels out without
# measuring them (DejaVu Sans, the widest of them, averages about 0.5 em in French text).
GLYPH_EM = 0.55


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


def _wrap_label(label: str, max_chars: int) -> list[str]:
    """The label on as many lines as it needs, broken between words (a word longer than a
    line stays whole: the label column was sized for the longest word too)."""
    return textwrap.wrap(label, max(max_chars, 1), break_long_words=False) or [""]


def split_chart(
    items, *, chart_id: str = "split", title: str | None = None, width: int = 680
) -> SafeString:
    """Horizontal bars: each item's planned amount and its share of the total. `width` is the
    drawing's width at its natural size (the budget page's card, or the PDF's page): the
    label column takes what the longest label needs, up to 45 % of it, and longer labels wrap
    onto more lines instead of being cut."""
    items = [item for item in items if item.planned > 0]
    total = sum((item.planned for item in items), Decimal(0))
    title = title or _("Répartition du prévu par poste")
    font, line_h, value_w, gap = 13, 16, 190, 10
    glyph = font * GLYPH_EM
    longest = max((len(item.label) for item in items), default=0)
    longest_word = max((len(w) for item in items for w in item.label.split()), default=0)
    label_w = max(min(longest * glyph, width * 0.45), longest_word * glyph) + gap
    labels = [_wrap_label(item.label, int((label_w - gap) / glyph)) for item in items]
    rows = [max(36, line_h * len(lines) + 20) for lines in labels]
    height = 16 + (sum(rows) if rows else 36)
    bar_max = width - label_w - value_w
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
    y = 8
    for item, lines, row_h in zip(items, labels, rows, strict=True):
        middle = y + row_h / 2 - 4  # the bar's centre line, its label centred on it
        bar = float(item.planned / total) * bar_max if total else 0
        first = middle + 5 - (len(lines) - 1) * line_h / 2
        tspans = "".join(
            f'<tspan x="{label_w - gap:.1f}" y="{first + index * line_h:.1f}">{escape(line)}'
            "</tspan>"
            for index, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="end" font-size="{font}" fill="{INK}">{tspans}</text>'
            f'<rect x="{label_w:.1f}" y="{middle - 10:.1f}" width="{max(bar, 1):.1f}" '
            f'height="20" fill="{SERIES[0][2]}"/>'
            f'<text x="{label_w + bar + 8:.1f}" y="{middle + 5:.1f}" font-size="{font}" '
            f'fill="{INK}">'
            f"{escape(format_eur(item.planned))} ({escape(format_percent(item.planned, total))})"
            "</text>"
        )
        y += row_h
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
