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
def budget_line_rows(lines, contract, can_change, can_record):
    """`<tbody>{% budget_line_rows report.lines contract can_change can_record %}</tbody>`:
    a row per financing.figures.LineFigures of the budget page, with the links this user
    may follow (templates/financing/_budget_body.html)."""
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
            f'<a href="{esc(fiche_url(line.fiche_number))}">'
            f"{esc(_('Fiche %(number)s') % {'number': line.fiche_number})}</a>"
            if line.fiche_number
            else "–"
        )
        contributions = "".join(
            f"<li>{esc(short_name)} : {format_eur(amount)}</li>"
            for _name, short_name, amount in line.contributions
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
            f"{label}</span></td>"
            f"<td>{fiche}</td>"
            f'<td><ul class="plain-list compact">{contributions}</ul></td>'
            f'<td class="num">{format_eur(line.amount)}</td>'
            f'<td class="num{committed_overrun}">{format_eur(line.committed)}<br>'
            f'<span class="hint">{format_percent(line.committed, line.amount)}</span></td>'
            f'<td class="num{paid_overrun}">{format_eur(line.paid)}<br>'
            f'<span class="hint">{format_percent(line.paid, line.amount)}</span></td>'
            f'<td class="line-actions">{" ".join(actions)}</td></tr>'
        )
    return mark_safe("\n".join(rows))
