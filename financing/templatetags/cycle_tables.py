"""The rows of the financing plan and of the funders' payment position, built in Python as
the budget's other long tables are (financing/templatetags/budget_tables.py). Shared by the
budget page, its PDF report and the « situation financière » PDF. Every text is escaped,
amounts go through cej.money, dates through cej.dates. A late item says so in words and
carries the class `cell-late` (never colour alone, RGAA 3.1)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.html import escape_text as esc
from cej.money import format_eur, format_percent

register = template.Library()


def _late_flag() -> str:
    return f' <strong class="late-flag">{esc(_("en retard"))}</strong>'


def _item(html: str, late: bool) -> str:
    if late:
        return f'<li class="cell-late">{html}{_late_flag()}</li>'
    return f"<li>{html}</li>"


def _money_or_dash(amount) -> str:
    return "–" if amount is None else format_eur(amount)


@register.simple_tag
def plan_year_rows(report):
    """`<tbody>{% plan_year_rows report %}</tbody>`: per year of the contract, the forecast
    and actual financing plan: expenses, other receipts, net cost, each funder's PSEJ and
    the beneficiary's own share. The actual row says how many lines are declared."""
    funders = report.funders
    columns = 6 + len(funders)
    rows = []
    plans = report.plan_per_year + ([report.plan_total] if report.year is None else [])
    for plan in plans:
        is_total = plan is report.plan_total
        label = (
            esc(_("Total %(scope)s") % {"scope": report.scope_label}) if is_total else plan.label
        )
        selected = " row-selected" if report.year == plan.key else ""
        kind = " row-total" if is_total else ""
        forecast = plan.forecast
        rows.append(
            f'<tr class="plan-forecast{kind}{selected}"><th scope="rowgroup" rowspan="2">'
            f'{label}</th><th scope="row">{esc(_("Prévu"))}</th>'
            f'<td class="num">{format_eur(forecast.expenses)}</td>'
            f'<td class="num">{format_eur(forecast.receipts)}</td>'
            f'<td class="num">{format_eur(forecast.net_cost)}</td>'
            + "".join(
                f'<td class="num">{format_eur(forecast.psej.get(f.pk, 0))}</td>' for f in funders
            )
            + f'<td class="num">{format_eur(forecast.own_share)}</td></tr>'
        )
        if not plan.declared:
            rows.append(
                f'<tr class="plan-actual{kind}{selected}"><th scope="row">{esc(_("Réalisé"))}'
                f'</th><td colspan="{columns - 2}" class="hint">'
                f"{esc(_('Réalisé non encore déclaré.'))}</td></tr>"
            )
            continue
        actual = plan.actual
        note = ""
        if not plan.complete:
            counted = _("%(declared)s lignes sur %(lines)s") % {
                "declared": plan.declared,
                "lines": plan.lines,
            }
            note = f'<br><span class="hint">{esc(counted)}</span>'

        rows.append(
            f'<tr class="plan-actual{kind}{selected}"><th scope="row">{esc(_("Réalisé"))}'
            f"{note}</th>"
            f'<td class="num">{format_eur(actual.expenses)}</td>'
            f'<td class="num">{format_eur(actual.receipts)}</td>'
            f'<td class="num">{format_eur(actual.net_cost)}</td>'
            + "".join(
                f'<td class="num">{format_eur(actual.psej.get(f.pk, 0))}</td>' for f in funders
            )
            + f'<td class="num">{format_eur(actual.own_share)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def share_rows(report):
    """`<tbody>{% share_rows report %}</tbody>`: « Financement prévisionnel », each funder's
    PSEJ and the beneficiary's own share of the net cost, forecast and actual."""
    whole = report.plan_total.forecast.net_cost if report.plan_total else 0
    return mark_safe(
        "\n".join(
            f'<tr><th scope="row">{esc(share.label)}</th>'
            f'<td class="num">{format_eur(share.forecast)}</td>'
            f'<td class="num">{format_percent(share.forecast, whole)}</td>'
            f'<td class="num">{_money_or_dash(share.actual)}</td></tr>'
            for share in report.financing
        )
    )


def _advances(position) -> str:
    items = []
    for advance in position.advances:
        text = _("%(amount)s (%(percent)s %%) dû le %(date)s") % {
            "amount": format_eur(advance.amount),
            "percent": str(advance.percent).replace(".", ",").removesuffix(",00"),
            "date": format_date_long(advance.due_on),
        }
        items.append(_item(esc(text), advance.late))
    if not items:
        return "–"
    return f'<ul class="plain-list compact">{"".join(items)}</ul>'


def _documents(funder_year) -> str:
    """The supporting documents of a funder's year on one line: « Justificatifs : Bilan
    financier reçu le …, Données d'activité attendues le … »."""
    items = []
    for document in funder_year.documents:
        if document.received_on:
            state = _("reçu le %(date)s") % {"date": format_date_long(document.received_on)}
        else:
            state = _("attendu le %(date)s") % {"date": format_date_long(document.due_on)}
        text = f"{esc(document.label)} : {esc(state)}"
        items.append(
            f'<span class="cell-late">{text}{_late_flag()}</span>' if document.late else text
        )
    return f"{esc(_('Justificatifs'))} : " + (" ; ".join(items) if items else "–")


def _balance(position) -> str:
    due = esc(_("dû le %(date)s") % {"date": format_date_long(position.balance_due_on)})
    if position.balance is None:
        return f'<span class="hint">{esc(_("sur le réalisé"))}, {due}</span>'
    late = position.balance_late
    return (
        f"{format_eur(max(position.balance, 0))}<br>"
        f'<span class="hint">{due}</span>{_late_flag() if late else ""}'
    )


@register.simple_tag
def position_rows(positions, show_funder=True):
    """`<tbody>{% position_rows report.positions %}</tbody>`: per funder and year, the
    PSEJ forecast and actual, the advances with their due dates, the balance with its, what
    is owed, received, outstanding and to recover, the supporting documents."""
    if not positions:
        return mark_safe(
            f'<tr><td colspan="10" class="empty">{esc(_("Aucun financeur."))}</td></tr>'
        )
    columns = 10 if show_funder else 9
    rows = []
    for item in positions:
        position = item.position
        late = " row-late" if item.late else ""
        funder = f'<th scope="row">{esc(item.funder)}</th>' if show_funder else ""
        year_cell = f"<td>{item.year}</td>" if show_funder else f'<th scope="row">{item.year}</th>'
        outstanding_late = position.late and position.outstanding > 0
        recover = (
            f'{format_eur(position.to_recover)}<br><strong class="recover-flag">'
            f"{esc(_('à reverser'))}</strong>"
            if position.to_recover
            else format_eur(0)
        )
        rows.append(
            f'<tr class="position{late}">{funder}{year_cell}'
            f'<td class="num">{format_eur(position.forecast_psej)}</td>'
            f'<td class="num">{_money_or_dash(position.actual_psej)}</td>'
            f"<td>{_advances(position)}</td>"
            f'<td class="num{" cell-late" if position.balance_late else ""}">'
            f"{_balance(position)}</td>"
            f'<td class="num">{format_eur(position.owed)}</td>'
            f'<td class="num">{format_eur(position.received)}</td>'
            f'<td class="num{" cell-late" if outstanding_late else ""}">'
            f"{format_eur(position.outstanding)}{_late_flag() if outstanding_late else ''}</td>"
            f'<td class="num{" cell-recover" if position.to_recover else ""}">{recover}</td>'
            "</tr>"
            # The documents below the figures, across the table: a column of their own made
            # every row as tall as its longest sentence and pushed the amounts out of view.
            f'<tr class="position-documents{late}"><td colspan="{columns}" class="hint">'
            f"{_documents(item)}</td></tr>"
        )
    return mark_safe("\n".join(rows))


@register.filter
def get_amount(amounts, key):
    """`{{ plan.psej|get_amount:funder.pk|eur }}`: the amount of `key` in a dict, 0 if none."""
    return amounts.get(key, 0) if amounts else 0
