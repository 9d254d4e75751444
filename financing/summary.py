"""The per-year budget table of a contract: planned per *poste*, per instrument, the total,
and what remains of the annual envelope. Built from one aggregate query; shared by the
dashboard (and later the budget page and its PDF)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from financing.models import BudgetLine, BudgetPost, Instrument

ZERO = Decimal("0.00")


@dataclass
class Cell:
    amount: Decimal | None
    # "" (ordinary), "not_covered" (instrument does not run that year), "unallocated"
    # (envelope not fully planned), "overrun" (planned beyond the envelope), "balanced".
    state: str = ""


@dataclass
class Row:
    label: str
    kind: str  # "group", "post", "subtotal", "total", "envelope", "remaining"
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None


@dataclass
class BudgetTable:
    years: list[int]
    rows: list[Row]
    unallocated_years: list[int]
    overrun_years: list[int]
    annex_years: list[int]


def contract_budget_table(contract, *, annex_conventions=None) -> BudgetTable:
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
