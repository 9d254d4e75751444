"""Reads of a contract's budget that pages, PDFs and the API share: plain data
(`financing.figures`), never a form. The budget page, its PDF report, the dashboard and the
contract document read the same functions."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from cej.money import format_eur, round_money
from financing.cycle_figures import plan_slices
from financing.cycle_selectors import contract_cycle, line_plan
from financing.figures import (
    ZERO,
    BudgetReport,
    BudgetTable,
    Cell,
    Figures,
    LineFigures,
    ObjectiveFigures,
    Row,
)
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    Instrument,
)
from financing.terms import contract_terms


def parse_year(contract, raw) -> tuple[int | None, str]:
    """`?year=` as a year of the contract, or None for the whole period, with a French
    message when the value is not usable."""
    if raw in (None, "", "all"):
        return None, ""
    try:
        if len(str(raw)) > 9:  # no year, and int() of 5 000 digits is refused or slow
            raise ValueError(raw)
        year = int(raw)
    except (TypeError, ValueError):
        return None, _("« %(value)s » n'est pas une année : la période entière est affichée.") % {
            "value": str(raw)[:20]
        }
    if not contract.covers_year(year):
        return None, _(
            "Le contrat ne couvre pas %(year)s (il couvre %(period)s) : la période entière est "
            "affichée."
        ) % {"year": year, "period": contract.period_label}
    return year, ""


# --- the planned budget per poste and year ----------------------------------------------


def budget_table(contract, *, annex_conventions=None, planned=None) -> BudgetTable:
    """The planned budget per *poste* and year, per instrument, the total and what remains
    of the annual envelope. Shared by the dashboard, the budget page, its report and the
    contract document. `planned`: the amounts per (year, post id) when the caller has read
    the lines already; otherwise one aggregate query sums them."""
    years = contract.years
    if annex_conventions is None:
        annex_conventions = list(contract.annex_conventions.order_by())
    annex_years = sorted({y for a in annex_conventions for y in a.years})
    if planned is None:
        planned = {
            (year, post_id): round_money(total)
            for year, post_id, total in BudgetLine.objects.filter(contract=contract)
            .values_list("year", "post_id")
            .annotate(total=Sum("amount"))
            .order_by()
        }
    used_post_ids = {post_id for _year, post_id in planned}
    # (pk, label, instrument) in the posts' display order (BudgetPost's: instrument, order,
    # label), sorted here: no model instance is needed, nor an ORDER BY to build.
    posts = [
        post[:3]
        for post in sorted(
            BudgetPost.objects.order_by().values_list("pk", "label", "instrument", "order"),
            key=lambda post: (post[2], post[3], post[1]),
        )
        if post[0] in used_post_ids or post[2] == Instrument.CEJ or annex_conventions
    ]

    rows: list[Row] = []
    totals = dict.fromkeys(years, ZERO)
    for instrument, instrument_label in Instrument.choices:
        instrument_posts = [p for p in posts if p[2] == instrument]
        if not instrument_posts:
            continue
        runs = (lambda y: True) if instrument == Instrument.CEJ else (lambda y: y in annex_years)
        label = str(instrument_label)
        if instrument == Instrument.ANNEX and annex_years:
            label = _("%(label)s (%(years)s)") % {
                "label": label,
                "years": ", ".join(str(y) for y in annex_years),
            }
        rows.append(Row(label=label, kind="group"))
        subtotals = dict.fromkeys(years, ZERO)
        for post_id, post_label, _instrument in instrument_posts:
            cells = []
            for year in years:
                amount = planned.get((year, post_id))
                if amount is None and not runs(year):
                    cells.append(Cell(None, "not_covered"))
                    continue
                amount = amount or ZERO
                subtotals[year] += amount
                cells.append(Cell(amount))
            post_total = sum((c.amount for c in cells if c.amount is not None), ZERO)
            rows.append(Row(post_label, "post", cells, Cell(post_total)))
        rows.append(
            Row(
                _("Sous-total %(instrument)s") % {"instrument": instrument_label},
                "subtotal",
                [
                    Cell(subtotals[y]) if runs(y) or subtotals[y] else Cell(None, "not_covered")
                    for y in years
                ],
                Cell(sum(subtotals.values(), ZERO)),
            )
        )
        for year in years:
            totals[year] += subtotals[year]

    envelope = contract.annual_envelope
    remaining = {year: envelope - totals[year] for year in years}
    rows.append(
        Row(
            _("Total prévu"),
            "total",
            [Cell(totals[y]) for y in years],
            Cell(sum(totals.values(), ZERO)),
        )
    )
    rows.append(
        Row(
            _("Enveloppe annuelle"),
            "envelope",
            [Cell(envelope) for _y in years],
            Cell(envelope * len(years)),
        )
    )
    rows.append(
        Row(
            _("Reste à allouer"),
            "remaining",
            [Cell(remaining[y], _remaining_state(remaining[y])) for y in years],
            Cell(sum(remaining.values(), ZERO), _remaining_state(sum(remaining.values(), ZERO))),
        )
    )
    return BudgetTable(
        years=years,
        rows=rows,
        unallocated_years=[y for y in years if remaining[y] > 0],
        overrun_years=[y for y in years if remaining[y] < 0],
        annex_years=annex_years,
    )


def _remaining_state(amount: Decimal) -> str:
    if amount > 0:
        return "unallocated"
    if amount < 0:
        return "overrun"
    return "balanced"


# --- the budget report ----------------------------------------------------------------------


def budget_report(contract, *, year=None, today=None) -> BudgetReport:
    """Figures of the contract's budget for `year` (as typed in `?year=`; the whole period if
    empty or unusable, with `error` saying why), with each line's financing plan and where
    each funder stands as of `today` (default: the current date). Eleven reads whatever the
    number of lines and payments — the lines with their poste and fiche, their execution
    totals, their contributions, the posts, and the money cycle's seven
    (`financing.cycle_selectors.contract_cycle`, given the lines) — as plain rows (no model
    instance: a contract's page shows every line), summed here."""
    year, error = parse_year(contract, year)
    annex_conventions = list(contract.annex_conventions.order_by())  # only their years count
    terms = contract_terms(contract.pk)
    all_lines = _report_lines(contract, terms)
    cycle = contract_cycle(
        contract,
        today=today,
        terms=terms,
        plans={line.pk: line.plan for line, _post_id, _fiche in all_lines},
    )
    envelope = contract.annual_envelope

    per_year = {y: Figures(label=str(y), envelope=envelope, key=y) for y in contract.years}
    planned: dict[tuple[int, int], Decimal] = {}
    for line, post_id, _fiche in all_lines:
        per_year[line.year].add(line)
        planned[line.year, post_id] = planned.get((line.year, post_id), ZERO) + line.amount
    lines = [row for row in all_lines if year is None or row[0].year == year]

    total = Figures(
        label=_("Total"), envelope=envelope * (1 if year else len(contract.years)), key="total"
    )
    instruments = {
        value: Figures(label=str(label), key=value) for value, label in Instrument.choices
    }
    posts: dict[int, Figures] = {}
    objectives: dict[int, ObjectiveFigures] = {}
    objective_numbers: dict[int, int] = {}
    fiches: dict[int, Figures] = {}
    unassigned = Figures(label=_("Sans fiche"))
    # Each slice made when first met (not a default built for every line), labels included.
    for line, post_id, fiche in lines:
        total.add(line)
        instruments[line.instrument].add(line)
        if post_id not in posts:
            posts[post_id] = Figures(label=line.post_label, key=post_id)
        posts[post_id].add(line)
        if fiche is not None:
            number, title, objective_id, objective_number = fiche
            if objective_id not in objectives:
                objective_numbers[objective_id] = objective_number
                objectives[objective_id] = ObjectiveFigures(
                    label=_("Objectif %(number)s") % {"number": objective_number}
                )
            group = objectives[objective_id]
            if number not in fiches:
                fiches[number] = Figures(
                    label=_("Fiche %(number)s : %(title)s") % {"number": number, "title": title},
                    key=number,
                )
                group.fiches.append(fiches[number])
            fiches[number].add(line)
            group.total.add(line)
        else:
            unassigned.add(line)

    plan_per_year, plan_total, financing = plan_slices(
        cycle, [line for line, _post_id, _fiche in all_lines], year
    )
    return BudgetReport(
        contract=contract,
        year=year,
        years=contract.years,
        error=error,
        table=budget_table(contract, annex_conventions=annex_conventions, planned=planned),
        per_year=list(per_year.values()),
        total=total,
        by_instrument=[f for f in instruments.values() if f.planned or f.committed],
        by_post=list(posts.values()),
        by_objective=[
            objectives[k] for k in sorted(objectives, key=lambda k: objective_numbers[k])
        ],
        unassigned=unassigned,
        lines=[line for line, _post_id, _fiche in lines],
        overruns=_overruns([line for line, _post_id, _fiche in all_lines], per_year.values()),
        cycle=cycle,
        plan_per_year=plan_per_year,
        plan_total=plan_total,
        financing=financing,
        positions=[p for p in cycle.positions if year is None or p.year == year],
    )


def _report_lines(contract, terms) -> list[tuple[LineFigures, int, tuple | None]]:
    """Every line of the contract in the report's order (year, instrument, poste, fiche,
    the line without fiche first), with its post id and its fiche (number, title, objective
    id, objective number) or None, read with what is committed and paid against it; then
    the contributions (the forecast shares of its financing plan). The rows are sorted here,
    where it costs less than building the ORDER BY of joined columns."""
    lines = list(
        BudgetLine.objects.filter(contract=contract)
        .annotate(
            committed=_executed(ExecutionKind.COMMITMENT), paid=_executed(ExecutionKind.PAYMENT)
        )
        .order_by()
        .values_list(
            "pk",
            "year",
            "amount",
            "label",
            "annex_convention_id",
            "other_receipts",
            "continued",
            "actual_expenses",
            "actual_receipts",
            "post_id",
            "post__label",
            "post__instrument",
            "post__order",
            "fiche__number",
            "fiche__title",
            "fiche__objective_id",
            "fiche__objective__number",
            "committed",
            "paid",
        )
    )
    # The contributions by the lines' ids, not by a join on the lines of the contract:
    # PostgreSQL would rather scan every contribution of the database.
    line_ids = [line[0] for line in lines]
    contributions: dict[int, list] = defaultdict(list)
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for line_id, partner_id, name, short_name, amount in (
        Contribution.objects.filter(line_id__in=line_ids)
        .order_by()
        .values_list("line_id", "partner_id", "partner__name", "partner__short_name", "amount")
    ):
        contributions[line_id].append((name, short_name, amount))
        shares[line_id][partner_id] = amount
    labels = {value: str(label) for value, label in Instrument.choices}
    rows = []
    for (
        pk,
        year,
        amount,
        label,
        annex_convention_id,
        other_receipts,
        continued,
        actual_expenses,
        actual_receipts,
        post_id,
        post_label,
        post_instrument,
        post_order,
        fiche_number,
        fiche_title,
        objective_id,
        objective_number,
        committed,
        paid,
    ) in lines:
        instrument = Instrument.ANNEX if annex_convention_id else Instrument.CEJ
        line = LineFigures(
            pk=pk,
            year=year,
            post_label=post_label,
            instrument=instrument,
            instrument_label=labels[instrument],
            label=label,
            fiche_number=fiche_number,
            amount=amount,
            committed=round_money(committed),  # SQLite's sums come back unrounded
            paid=round_money(paid),
            contributions=sorted(contributions[pk]),  # by partner name
            plan=line_plan(
                line_id=pk,
                year=year,
                annex_convention_id=annex_convention_id,
                continued=continued,
                amount=amount,
                other_receipts=other_receipts,
                actual_expenses=actual_expenses,
                actual_receipts=actual_receipts,
                shares=shares.get(pk, {}),
                terms=terms,
            ),
        )
        fiche = (
            (fiche_number, fiche_title, objective_id, objective_number)
            if fiche_number is not None
            else None
        )
        order = (year, post_instrument, post_order, fiche_number or 0, pk)
        rows.append((order, (line, post_id, fiche)))
    rows.sort(key=lambda row: row[0])
    return [row for _order, row in rows]


def _executed(kind: str) -> RawSQL:
    """What is committed (or paid) against the line of each row: a correlated sum written
    out, for the ORM spent more building the equivalent Subquery than the database running
    it, and a grouped query of its own cost a query more."""
    quote, entry = connection.ops.quote_name, ExecutionEntry._meta
    return RawSQL(
        f"SELECT COALESCE(SUM(e.{quote(entry.get_field('amount').column)}), 0)"
        f" FROM {quote(entry.db_table)} e"
        f" WHERE e.{quote(entry.get_field('line').column)}"
        f" = {quote(BudgetLine._meta.db_table)}.{quote(BudgetLine._meta.pk.column)}"
        f" AND e.{quote(entry.get_field('kind').column)} = %s",
        [kind],
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def _overruns(lines, years) -> list[str]:
    """Every breach, in French: reported, never hidden."""
    messages = []
    for figures in years:
        if figures.remaining is not None and figures.remaining < 0:
            messages.append(
                _("%(year)s : le prévu (%(planned)s) dépasse l'enveloppe de %(excess)s.")
                % {
                    "year": figures.label,
                    "planned": format_eur(figures.planned),
                    "excess": format_eur(-figures.remaining),
                }
            )
    for line in lines:
        if line.committed > line.amount:
            messages.append(
                _(
                    "%(line)s : engagé %(committed)s pour %(planned)s prévus "
                    "(dépassement de %(excess)s)."
                )
                % {
                    "line": line,
                    "committed": format_eur(line.committed),
                    "planned": format_eur(line.amount),
                    "excess": format_eur(line.committed - line.amount),
                }
            )
        if line.paid > line.committed:
            messages.append(
                _(
                    "%(line)s : payé %(paid)s pour %(committed)s engagés "
                    "(dépassement de %(excess)s)."
                )
                % {
                    "line": line,
                    "paid": format_eur(line.paid),
                    "committed": format_eur(line.committed),
                    "excess": format_eur(line.paid - line.committed),
                }
            )
    return messages


# --- a line's history -------------------------------------------------------------------


@dataclass
class LineHistory:
    """A budget line's versions, newest first, and the line itself unless it was deleted
    (its history stays readable)."""

    line: BudgetLine | None
    versions: list[BudgetLineVersion]


def line_history(contract, pk) -> LineHistory:
    """Empty (`line` None, no version) when the contract never had a line `pk`."""
    versions = sorted(
        BudgetLineVersion.objects.filter(contract=contract, line_ref=pk)
        .select_related("author")
        .order_by(),
        key=lambda version: (version.number, version.pk),
        reverse=True,
    )
    line = (
        BudgetLine.objects.filter(contract=contract, pk=pk)
        .select_related("post", "fiche", "updated_by")
        .first()
    )
    return LineHistory(line=line, versions=versions)
