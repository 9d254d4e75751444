"""The review's charts as inline SVG drawn on the server, as on the budget page
(`financing.charts`): no JavaScript, the figures stated in the title and description for
screen readers, the same markup in the page and in the PDF.

- `variance_chart`: each indicator's gap to its target, in % of the target, bars left
  (below) or right (above) of the target line, coloured by whether the gap is favourable;
- `execution_chart`: each fiche's planned, committed and paid;
- `coverage_chart`: the coverage rate of each area of the needs and supply report."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cej.money import format_eur, format_number
from financing.charts import FONT, GRID, INK, MUTED, SERIES

FAVOURABLE, UNFAVOURABLE, NEUTRAL = "#1d6b3a", "#b3261e", "#545466"
LIMIT = Decimal(100)  # bars stop at ±100 % (the figure is written beside them)


def _svg(width, height, chart_id, title, desc) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}.</desc>',
    ]


def signed_percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{format_number(abs(value), decimals=1)}\u00a0%"


def variance_chart(rows, *, chart_id: str = "variances", width: int = 680) -> SafeString:
    """`rows`: `reviews.selectors.IndicatorRow` (those without a target or actual are said
    « non renseigné »)."""
    rows = list(rows)
    title = _("Écart au prévu de chaque indicateur (en % de la cible)")
    desc = " ; ".join(
        f"{row.code} {row.name} : "
        + (
            _("cible %(target)s, réalisé %(actual)s, écart %(rate)s")
            % {
                "target": format_number(row.target),
                "actual": format_number(row.actual),
                "rate": signed_percent(row.variance_rate),
            }
            if row.variance is not None
            else str(_("non renseigné"))
        )
        for row in rows
    ) or str(_("Aucun indicateur"))
    row_h, top, label_w, value_w = 24, 30, 60, 80
    height = top + max(len(rows), 1) * row_h + 10
    plot_left, plot_right = label_w, width - value_w
    middle = (plot_left + plot_right) / 2
    half = (plot_right - plot_left) / 2
    parts = _svg(width, height, chart_id, title, desc)
    for tick in (-100, -50, 0, 50, 100):
        x = middle + half * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - 8}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="{1.5 if tick == 0 else 1}"/>'
            f'<text x="{x:.1f}" y="{top - 12}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{escape(signed_percent(Decimal(tick)) if tick else _("cible"))}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(row.code)}</text>'
        )
        rate = row.variance_rate
        if rate is None:
            parts.append(
                f'<text x="{middle + 6:.1f}" y="{y + 16}" font-size="11" fill="{MUTED}">'
                f"{escape(_('non renseigné'))}</text>"
            )
            continue
        shown = max(min(rate, LIMIT), -LIMIT)
        length = half * float(abs(shown)) / 100
        x = middle if shown >= 0 else middle - length
        colour = FAVOURABLE if row.favourable else UNFAVOURABLE
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 5}" width="{max(length, 1.5):.1f}" height="14" '
            f'fill="{colour}"><title>{escape(row.code)} {escape(row.name)} : '
            f"{escape(signed_percent(rate))}</title></rect>"
            f'<text x="{plot_right + 6}" y="{y + 16}" font-size="12" fill="{colour}">'
            f"{escape(signed_percent(rate))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def execution_chart(fiches, *, chart_id: str = "fiche-money", width: int = 680) -> SafeString:
    """`fiches`: (label, `financing.figures.Figures`) pairs; a bar per series."""
    fiches = [(label, figures) for label, figures in fiches if figures.planned or figures.committed]
    title = _("Prévu, engagé et payé de l'année par fiche")
    desc = " ; ".join(
        _("%(label)s : prévu %(planned)s, engagé %(committed)s, payé %(paid)s")
        % {
            "label": label,
            "planned": format_eur(f.planned),
            "committed": format_eur(f.committed),
            "paid": format_eur(f.paid),
        }
        for label, f in fiches
    ) or str(_("Aucun montant prévu"))
    bar_h, group_h, top, label_w, value_w = 7, 30, 30, 70, 110
    height = top + max(len(fiches), 1) * group_h + 6
    biggest = max(
        [max(f.planned, f.committed, f.paid) for _label, f in fiches] or [Decimal(1)]
    ) or Decimal(1)
    plot_w = width - label_w - value_w
    parts = _svg(width, height, chart_id, title, desc)
    legend_x = label_w
    for _attr, label, colour in SERIES:
        parts.append(
            f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 17}" y="16" font-size="12" fill="{INK}">{escape(label)}</text>'
        )
        legend_x += 30 + 8 * len(str(label))
    for index, (label, figures) in enumerate(fiches):
        y = top + index * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<text x="{width - value_w + 6}" y="{y + 15}" font-size="11" fill="{MUTED}">'
            f"{escape(format_eur(figures.planned))}</text>"
        )
        for offset, (attr, series, colour) in enumerate(SERIES):
            value = getattr(figures, attr)
            length = plot_w * float(value / biggest)
            parts.append(
                f'<rect x="{label_w}" y="{y + offset * (bar_h + 1)}" width="{max(length, 1):.1f}" '
                f'height="{bar_h}" fill="{colour}"><title>{escape(label)} — {escape(series)} : '
                f"{escape(format_eur(value))}</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def coverage_chart(needs, *, chart_id: str = "coverage", width: int = 680) -> SafeString:
    """`needs`: `reviews.selectors.NeedsTable`; a bar per area, the overall rate dashed."""
    rows = [row for row in needs.rows if row.coverage is not None]
    title = _("Taux de couverture par zone (places pour 100 enfants de moins de 3 ans)")
    desc = " ; ".join(
        f"{row.name} : {format_number(row.coverage, decimals=1)}" for row in rows
    ) or str(_("Aucune zone"))
    if needs.coverage is not None:
        desc += " ; " + _("ensemble : %(rate)s") % {
            "rate": format_number(needs.coverage, decimals=1)
        }
    label_w = min(260, 12 + 7 * max((len(row.name) for row in rows), default=10))
    row_h, top, value_w = 26, 12, 70
    height = top + max(len(rows), 1) * row_h + 24
    plot_w = width - label_w - value_w
    scale = max([row.coverage for row in rows] + [needs.coverage or 0, Decimal(100)])
    parts = _svg(width, height, chart_id, title, desc)
    for index, row in enumerate(rows):
        y = top + index * row_h
        length = plot_w * float(row.coverage / scale)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(row.name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(length, 1):.1f}" height="16" '
            f'fill="{SERIES[0][2]}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 16}" font-size="12" fill="{INK}">'
            f"{escape(format_number(row.coverage, decimals=1))}</text>"
        )
    if needs.coverage is not None:
        x = label_w + plot_w * float(needs.coverage / scale)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 20}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{escape(_("ensemble"))} '
            f"{escape(format_number(needs.coverage, decimals=1))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
