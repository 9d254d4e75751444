"""Figures of a contract's budget for one year or the whole period: planned, committed and
paid, per instrument, *poste*, objective and fiche, partner; the envelope's remainder; the
overruns. Read once (lines with their execution, and their contributions), summed here.
Shared by the budget page and the budget report PDF."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cej.money import format_eur
from financing.models import BudgetLine, Contribution, Instrument
from financing.summary import BudgetTable, contract_budget_table

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
class ObjectiveFigures:
    label: str
    fiches: list[Figures] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


@dataclass
class BudgetReport:
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
    by_partner: list[Figures]
    lines: list
    overruns: list[str]

    @property
    def scope_label(self) -> str:
        return scope_label(self.contract, self.year)


def scope_label(contract, year: int | None) -> str:
    """« 2015 », or the whole period « 2014–2017 »."""
    if year:
        return str(year)
    return _("%(start)s–%(end)s") % {"start": contract.start_year, "end": contract.end_year}


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


def budget_report(contract, *, year=None) -> BudgetReport:
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
        table=contract_budget_table(contract, annex_conventions=annex_conventions),
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
