"""The plain data the budget reads return (`financing.selectors`): figures of a slice of
the budget, the budget report, and the planned budget per *poste* and year. No query here:
pages, PDFs, exports and the API read these the same way."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

ZERO = Decimal("0.00")


@dataclass
class Figures:
    """Planned, committed and paid for one slice of the budget."""

    label: str = ""
    planned: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    envelope: Decimal | None = None
    key: object = None

    def add(self, line) -> None:
        self.planned += line.amount
        self.committed += line.committed
        self.paid += line.paid

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.planned

    @property
    def overrun(self) -> bool:
        return (
            self.committed > self.planned
            or self.paid > self.committed
            or (self.envelope is not None and self.planned > self.envelope)
        )


@dataclass
class LineFigures:
    """One budget line as the report shows it: its *poste* and instrument, the fiche it
    funds, its planned amount split into partner contributions, and what is committed and
    paid against it."""

    pk: int
    year: int
    post_label: str
    instrument: str  # Instrument: the annex convention's lines are "annex"
    instrument_label: str
    label: str
    fiche_number: int | None
    amount: Decimal
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    # (partner name, partner short name, amount), by partner name.
    contributions: list[tuple[str, str, Decimal]] = field(default_factory=list)
    # financing.cycle_selectors.LinePlan: its financing plan, forecast and actual.
    plan: object = None

    @property
    def name(self) -> str:
        """« 2015 — Coordination — libellé », as `BudgetLine.__str__` names it."""
        return f"{self.year} — {self.post_label}" + (f" — {self.label}" if self.label else "")

    def __str__(self):
        return self.name


@dataclass
class PlanTotals:
    """Sums of financing plans (`financing.psej.Plan`): expenses, other receipts, net cost,
    each funder's PSEJ (by funder id) and the beneficiary's own share."""

    expenses: Decimal = ZERO
    receipts: Decimal = ZERO
    net_cost: Decimal = ZERO
    psej: dict = field(default_factory=dict)
    own_share: Decimal = ZERO

    def add(self, plan) -> None:
        self.expenses += plan.expenses
        self.receipts += plan.receipts
        self.net_cost += plan.net_cost
        for funder_id, amount in plan.psej.items():
            self.psej[funder_id] = self.psej.get(funder_id, ZERO) + amount
        self.own_share += plan.own_share

    @property
    def psej_total(self) -> Decimal:
        return sum(self.psej.values(), ZERO)


@dataclass
class PlanFigures:
    """The financing plan of a slice of the budget (a year, the period): forecast
    (*prévu*) over every line, actual (*réalisé*) over the lines whose actual figures are
    declared; `complete` when all of them are."""

    label: str
    key: object = None
    forecast: PlanTotals = field(default_factory=PlanTotals)
    actual: PlanTotals = field(default_factory=PlanTotals)
    lines: int = 0
    declared: int = 0

    def add(self, plan) -> None:
        self.lines += 1
        self.forecast.add(plan.forecast)
        if plan.actual is not None:
            self.declared += 1
            self.actual.add(plan.actual)

    @property
    def complete(self) -> bool:
        return bool(self.lines) and self.declared == self.lines


@dataclass
class Share:
    """One row of « Financement prévisionnel »: a funder's PSEJ or the beneficiary's own
    share, forecast and actual (None until every line of the scope is declared)."""

    label: str
    short_label: str
    forecast: Decimal
    actual: Decimal | None
    funder_id: int | None = None


@dataclass
class ObjectiveFigures:
    label: str
    fiches: list[Figures] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


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
    """The planned budget per *poste* and year, per instrument (CEJ, annex convention), the
    total and what remains of the annual envelope."""

    years: list[int]
    rows: list[Row]
    unallocated_years: list[int]
    overrun_years: list[int]
    annex_years: list[int]

    @property
    def annex_short(self) -> bool:
        """Some year of the contract is left unallocated where the annex convention does not
        run (« dans l'attente de la définition d'actions nouvelles »)."""
        return bool(self.annex_years) and any(
            y not in self.annex_years for y in self.unallocated_years
        )


@dataclass
class BudgetReport:
    """A contract's budget for one year or the whole period: planned, committed and paid per
    year, instrument, *poste*, objective and fiche, partner; every line; the overruns."""

    contract: object
    year: int | None
    years: list[int]
    error: str
    table: BudgetTable
    per_year: list[Figures]
    total: Figures
    by_instrument: list[Figures]
    by_post: list[Figures]
    by_objective: list[ObjectiveFigures]
    unassigned: Figures
    lines: list[LineFigures]
    overruns: list[str]
    # The financing plan and the money cycle (financing.cycle_selectors.Cycle).
    cycle: object = None
    plan_per_year: list[PlanFigures] = field(default_factory=list)
    plan_total: PlanFigures | None = None
    financing: list[Share] = field(default_factory=list)
    positions: list = field(default_factory=list)  # the Cycle's FunderYear, in the scope

    @property
    def funders(self) -> list:
        return self.cycle.funders if self.cycle else []

    @property
    def late_positions(self) -> list:
        return [p for p in self.positions if p.late]

    @property
    def scope_label(self) -> str:
        return scope_label(self.contract, self.year)


def scope_label(contract, year: int | None) -> str:
    """« 2015 », or the whole period « 2014–2017 »."""
    if year:
        return str(year)
    return _("%(start)s–%(end)s") % {"start": contract.start_year, "end": contract.end_year}
