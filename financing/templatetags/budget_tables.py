"""The rows of the budget's two long tables, built in Python as the charts are.

A contract's budget has a row per line (with its contributions and three links) and, per
*poste*, a cell per year; the template engine spends some microseconds on each of the
dozens of nodes of such a row, and the page is rendered whole on its first view after a
change. Here a row costs about what one of its cells cost as template nodes. Same markup
as the templates had; every text is escaped, amounts go through cej.money."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cej.html import escape_text as esc
from cej.money import format_eur, format_percent
from cej.view_helpers import url_for_each

register = template.Library()


@register.filter
def budget_table_rows(budget):
    """`<tbody>{{ budget|budget_table_rows }}</tbody>`: the rows of a
    financing.figures.BudgetTable (templates/financing/_budget_table.html)."""
    notes = {
        "unallocated": f'<span class="cell-note">{esc(_("non encore alloué"))}</span>',
        "overrun": f'<span class="cell-note">{esc(_("dépassement"))}</span>',
    }
    not_covered = (
        f'<td class="num cell-not_covered"><span class="hint">{esc(_("non couverte"))}</span></td>'
    )
    columns = len(budget.years) + 2
    rows = []
    for row in budget.rows:
        label = esc(row.label)
        if row.kind == "group":
            rows.append(
                f'<tr class="row-group"><th scope="colgroup" colspan="{columns}">{label}</th></tr>'
            )
            continue
        cells = [
            not_covered
            if cell.state == "not_covered"
            else f'<td class="num cell-{cell.state or "plain"}">{format_eur(cell.amount)}'
            f"{notes.get(cell.state, '')}</td>"
            for cell in row.cells
        ]
        total = row.total
        rows.append(
            f'<tr class="row-{row.kind}"><th scope="row">{label}</th>{"".join(cells)}'
            f'<td class="num cell-{total.state or "plain"}">{format_eur(total.amount)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def budget_line_rows(lines, contract, can_change, can_record, cycle=None):
    """`<tbody>{% budget_line_rows report.lines contract can_change can_record report.cycle
    %}</tbody>`: a row per financing.figures.LineFigures of the budget page — its forecast
    financing (each funder's PSEJ, the beneficiary's share), its actual figures —, with the
    links this user may follow (templates/financing/_budget_body.html)."""
    funders = [(f.pk, f.short_name or f.name) for f in (cycle.funders if cycle else [])]
    own_label = esc(_("Part du bénéficiaire"))
    not_declared = f'<span class="hint">{esc(_("non déclaré"))}</span>'
    fiche_url = url_for_each("fiche_detail", "number", slug=contract.slug)
    edit_url = url_for_each("budget_line_edit", "pk", slug=contract.slug)
    entry_url = url_for_each("budget_entry_create", "pk", slug=contract.slug)
    history_url = url_for_each("budget_line_history", "pk", slug=contract.slug)
    edit_label, entry_label = esc(_("Modifier")), esc(_("Engager / payer"))
    history_label = esc(_("Historique"))
    rows = []
    for line in lines:
        name = esc(line.name)
        label = f" · {esc(line.label)}" if line.label else ""
        fiche = (
            f' · <a class="nowrap" href="{esc(fiche_url(line.fiche_number))}">'
            f"{esc(_('Fiche %(number)s') % {'number': line.fiche_number})}</a>"
            if line.fiche_number
            else ""
        )
        # A share breaks between the partner and the amount, never inside either.
        plan = line.plan
        contributions = (
            "".join(
                f"<li><span>{esc(_('PSEJ %(name)s') % {'name': short})} :</span> "
                f"<span>{format_eur(plan.forecast.psej.get(pk, 0))}</span></li>"
                for pk, short in funders
            )
            + f"<li><span>{own_label} :</span> "
            f"<span>{format_eur(plan.forecast.own_share)}</span></li>"
            if plan is not None
            else ""
        )
        actual = plan.actual if plan is not None else None
        actual_cell = (
            not_declared
            if actual is None
            else f"{format_eur(actual.expenses)}<br>"
            f'<span class="hint">{esc(_("PSEJ"))} {format_eur(actual.psej_total)}</span>'
        )
        committed_overrun = " cell-overrun" if line.committed > line.amount else ""
        paid_overrun = " cell-overrun" if line.paid > line.committed else ""
        actions = []
        if can_change:
            actions.append(
                f'<a href="{esc(edit_url(line.pk))}">{edit_label}'
                f'<span class="visually-hidden"> {name}</span></a>'
            )
        if can_record:
            actions.append(
                f'<a href="{esc(entry_url(line.pk))}">{entry_label}'
                f'<span class="visually-hidden"> {name}</span></a>'
            )
        actions.append(
            f'<a href="{esc(history_url(line.pk))}">{history_label}'
            f'<span class="visually-hidden"> {name}</span></a>'
        )
        rows.append(
            f"<tr><td>{line.year}</td>"
            f'<td>{esc(line.post_label)}<br><span class="hint">{esc(line.instrument_label)}'
            f"{label}{fiche}</span></td>"
            f'<td><ul class="plain-list compact contributions">{contributions}</ul></td>'
            f'<td class="num">{format_eur(line.amount)}</td>'
            f'<td class="num">{actual_cell}</td>'
            f'<td class="num{committed_overrun}">{format_eur(line.committed)}<br>'
            f'<span class="hint">{format_percent(line.committed, line.amount)}</span></td>'
            f'<td class="num{paid_overrun}">{format_eur(line.paid)}<br>'
            f'<span class="hint">{format_percent(line.paid, line.amount)}</span></td>'
            f'<td class="line-actions"><div class="action-links">{" ".join(actions)}</div></td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))


def _share(part, whole) -> str:
    return format_percent(part, whole)


@register.simple_tag
def year_rows(report):
    """`<tbody>{% year_rows report %}</tbody>`: planned, committed and paid per year of the
    budget page, against the envelope."""
    unallocated = f'<span class="cell-note">{esc(_("non encore alloué"))}</span>'
    overrun = f'<span class="cell-note">{esc(_("dépassement"))}</span>'
    rows = []
    for figures in report.per_year:
        remaining = figures.remaining
        if remaining > 0:
            remaining_class, note = "cell-unallocated", unallocated
        elif remaining < 0:
            remaining_class, note = "cell-overrun", overrun
        else:
            remaining_class, note = "cell-balanced", ""
        selected = ' class="row-selected"' if report.year == figures.key else ""
        committed_overrun = " cell-overrun" if figures.committed > figures.planned else ""
        paid_overrun = " cell-overrun" if figures.paid > figures.committed else ""
        rows.append(
            f'<tr{selected}><th scope="row">{esc(figures.label)}</th>'
            f'<td class="num">{format_eur(figures.envelope)}</td>'
            f'<td class="num">{format_eur(figures.planned)}</td>'
            f'<td class="num {remaining_class}">{format_eur(remaining)}{note}</td>'
            f'<td class="num{committed_overrun}">{format_eur(figures.committed)} '
            f'<span class="hint">{_share(figures.committed, figures.planned)}</span></td>'
            f'<td class="num{paid_overrun}">{format_eur(figures.paid)} '
            f'<span class="hint">{_share(figures.paid, figures.planned)}</span></td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def figures_rows(rows, total):
    """`<tbody>{% figures_rows rows total %}</tbody>`: planned (and its share of the total),
    committed and paid per row (templates/financing/_figures_table.html)."""
    if not rows:
        return mark_safe(f'<tr><td colspan="4" class="empty">{esc(_("Aucun montant."))}</td></tr>')
    return mark_safe(
        "\n".join(
            f'<tr><th scope="row">{esc(row.label)}</th>'
            f'<td class="num">{format_eur(row.planned)} '
            f'<span class="hint">{_share(row.planned, total.planned)}</span></td>'
            f'<td class="num{" cell-overrun" if row.committed > row.planned else ""}">'
            f"{format_eur(row.committed)}</td>"
            f'<td class="num{" cell-overrun" if row.paid > row.committed else ""}">'
            f"{format_eur(row.paid)}</td></tr>"
            for row in rows
        )
    )


@register.simple_tag
def objective_rows(report, contract):
    """`<tbody>{% objective_rows report contract %}</tbody>`: planned, committed and paid per
    objective and per fiche (linked to its page), then the lines without fiche."""
    fiche_url = url_for_each("fiche_detail", "number", slug=contract.slug)

    def cells(figures) -> str:
        return (
            f'<td class="num">{format_eur(figures.planned)}</td>'
            f'<td class="num">{format_eur(figures.committed)}</td>'
            f'<td class="num">{format_eur(figures.paid)}</td>'
        )

    rows = []
    for objective in report.by_objective:
        rows.append(
            f'<tr class="row-subtotal"><th scope="row">{esc(objective.label)}</th>'
            f"{cells(objective.total)}</tr>"
        )
        rows.extend(
            f'<tr><th scope="row" class="indent"><a href="{esc(fiche_url(fiche.key))}">'
            f"{esc(fiche.label)}</a></th>{cells(fiche)}</tr>"
            for fiche in objective.fiches
        )
    if report.unassigned.planned:
        rows.append(
            f'<tr class="row-subtotal"><th scope="row">{esc(report.unassigned.label)}</th>'
            f"{cells(report.unassigned)}</tr>"
        )
    return mark_safe("\n".join(rows))
