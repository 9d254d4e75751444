"""Reads of a contract's budget that pages, PDFs and the API share: plain data
(`financing.figures`), never a form. The budget page, its PDF report, the dashboard and the
contract document read the same functions."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from cej.money import format_eur
from financing.figures import (
    ZERO,
    BudgetReport,
    BudgetTable,
    Cell,
    Figures,
    ObjectiveFigures,
    Row,
)
from financing.models import BudgetLine, BudgetLineVersion, BudgetPost, Contribution, Instrument


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


def budget_table(contract, *, annex_conventions=None) -> BudgetTable:
    """The planned budget per *poste* and year, per instrument, the total and what remains
    of the annual envelope, from one aggregate query. Shared by the dashboard, the budget
    page, its report and the contract document."""
    years = contract.years
    if annex_conventions is None:
        annex_conventions = list(contract.annex_conventions.all())
    annex_years = sorted({y for a in annex_conventions for y in a.years})
    planned = {
        (row["year"], row["post_id"]): row["total"]
        for row in BudgetLine.objects.filter(contract=contract)
        .values("year", "post_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    used_post_ids = {post_id for _year, post_id in planned}
    posts = [
        post
        for post in BudgetPost.objects.all()
        if post.pk in used_post_ids or post.instrument == Instrument.CEJ or annex_conventions
    ]

    rows: list[Row] = []
    totals = dict.fromkeys(years, ZERO)
    for instrument, instrument_label in Instrument.choices:
        instrument_posts = [p for p in posts if p.instrument == instrument]
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
        for post in instrument_posts:
            cells = []
            for year in years:
                amount = planned.get((year, post.pk))
                if amount is None and not runs(year):
                    cells.append(Cell(None, "not_covered"))
                    continue
                amount = amount or ZERO
                subtotals[year] += amount
                cells.append(Cell(amount))
            post_total = sum((c.amount for c in cells if c.amount is not None), ZERO)
            rows.append(Row(post.label, "post", cells, Cell(post_total)))
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


def budget_report(contract, *, year=None) -> BudgetReport:
    """Figures of the contract's budget for `year` (as typed in `?year=`; the whole period if
    empty or unusable, with `error` saying why): read once (lines with their execution, and
    their contributions), summed here."""
    year, error = parse_year(contract, year)
    annex_conventions = list(contract.annex_conventions.all())
    all_lines = list(
        BudgetLine.objects.filter(contract=contract)
        .with_execution()
        .select_related("post", "fiche__objective", "annex_convention")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related("partner").order_by("partner__name"),
            )
        )
        .order_by("year", "post__instrument", "post__order", "fiche__number")
    )
    envelope = contract.annual_envelope

    per_year = {y: Figures(label=str(y), envelope=envelope, key=y) for y in contract.years}
    for line in all_lines:
        per_year[line.year].add(line)
    lines = [line for line in all_lines if year is None or line.year == year]

    total = Figures(
        label=_("Total"), envelope=envelope * (1 if year else len(contract.years)), key="total"
    )
    instruments = {
        value: Figures(label=str(label), key=value) for value, label in Instrument.choices
    }
    posts: dict[int, Figures] = {}
    objectives: dict[object, ObjectiveFigures] = {}
    fiches: dict[int, Figures] = {}
    unassigned = Figures(label=_("Sans fiche"))
    partners: dict[int, Figures] = {}
    for line in lines:
        total.add(line)
        instruments[line.instrument].add(line)
        posts.setdefault(line.post_id, Figures(label=line.post.label, key=line.post)).add(line)
        if line.fiche_id:
            fiche = line.fiche
            group = objectives.setdefault(
                fiche.objective_id,
                ObjectiveFigures(
                    label=_("Objectif %(number)s") % {"number": fiche.objective.number}
                ),
            )
            if fiche.pk not in fiches:
                fiches[fiche.pk] = Figures(
                    label=_("Fiche %(number)s : %(title)s")
                    % {"number": fiche.number, "title": fiche.title},
                    key=fiche,
                )
                group.fiches.append(fiches[fiche.pk])
            fiches[fiche.pk].add(line)
            group.total.add(line)
        else:
            unassigned.add(line)
        for contribution in line.contributions.all():
            share = partners.setdefault(
                contribution.partner_id,
                Figures(label=contribution.partner.name, key=contribution.partner),
            )
            share.planned += contribution.amount

    return BudgetReport(
        contract=contract,
        year=year,
        years=contract.years,
        error=error,
        table=budget_table(contract, annex_conventions=annex_conventions),
        per_year=list(per_year.values()),
        total=total,
        by_instrument=[f for f in instruments.values() if f.planned or f.committed],
        by_post=list(posts.values()),
        by_objective=[objectives[k] for k in sorted(objectives, key=_objective_order(lines))],
        unassigned=unassigned,
        by_partner=sorted(partners.values(), key=lambda f: -f.planned),
        lines=lines,
        overruns=_overruns(all_lines, per_year.values()),
    )


def _objective_order(lines):
    numbers = {
        line.fiche.objective_id: line.fiche.objective.number for line in lines if line.fiche_id
    }
    return lambda objective_id: numbers.get(objective_id, 0)


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
    versions = list(
        BudgetLineVersion.objects.filter(contract=contract, line_ref=pk)
        .select_related("author")
        .order_by("-number", "-pk")
    )
    line = (
        BudgetLine.objects.filter(contract=contract, pk=pk)
        .select_related("post", "fiche", "updated_by")
        .first()
    )
    return LineHistory(line=line, versions=versions)
