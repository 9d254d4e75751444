"""Reads of the money cycle for pages, PDFs, exports and open data alike: each line's
financing plan forecast and actual (`financing.psej`), and where each funder stands with
the beneficiary per year (`financing.cycle`). A fixed number of queries whatever the size
of the contract."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cej.money import ZERO, round_money
from financing import cycle, psej
from financing.models import (
    BudgetLine,
    Contribution,
    FunderPayment,
    Instrument,
    SupportingDocument,
    SupportingDocumentKind,
)
from financing.terms import ContractTerms, contract_terms, schedules
from partners.models import Partner


@dataclass(frozen=True)
class LinePlan:
    """One line's financing plan: `forecast` from the stored shares, `actual` (None until
    declared) computed on the actual figures within the forecast PSEJ (R7)."""

    line_id: int
    year: int
    instrument: str
    continued: bool
    forecast: psej.Plan
    actual: psej.Plan | None


@dataclass(frozen=True)
class DocumentDue:
    kind: str
    label: str
    due_on: datetime.date
    received_on: datetime.date | None
    late: bool


@dataclass(frozen=True)
class FunderYear:
    funder_id: int
    funder: str
    year: int
    position: cycle.Position
    documents: tuple[DocumentDue, ...]
    payments: tuple = ()

    @property
    def late(self) -> bool:
        return self.position.late or any(d.late for d in self.documents)


@dataclass
class Cycle:
    """Everything the money cycle of a contract shows: the beneficiary, the funders, each
    line's plan, and each funder's position per year."""

    beneficiary: Partner | None
    funders: list[Partner]
    plans: dict[int, LinePlan] = field(default_factory=dict)
    positions: list[FunderYear] = field(default_factory=list)

    def for_funder(self, funder_id: int) -> list[FunderYear]:
        return [p for p in self.positions if p.funder_id == funder_id]

    def position(self, funder_id: int, year: int) -> FunderYear | None:
        return next(
            (p for p in self.positions if p.funder_id == funder_id and p.year == year), None
        )


def line_plans(contract, terms: ContractTerms | None = None) -> dict[int, LinePlan]:
    """Every line's plan, by line id (two queries, plus two for the terms if not given)."""
    terms = terms or contract_terms(contract.pk)
    # Plain orders here and below: the models' default orderings join the partners' and
    # posts' tables for nothing, and compiling those joins was most of this read's time.
    shares = Contribution.objects.filter(line__contract_id=contract.pk)
    lines = (
        BudgetLine.objects.filter(contract_id=contract.pk)
        .order_by("pk")
        .only(
            "id",
            "year",
            "annex_convention_id",
            "continued",
            "amount",
            "other_receipts",
            "actual_expenses",
            "actual_receipts",
        )
    )
    return _plans(lines, shares, terms)


def plans_of_lines(lines, terms: ContractTerms) -> dict[int, LinePlan]:
    """The plan of each of these lines, already read, by line id (one query: their shares):
    a page of lines, where `line_plans` would plan the whole contract."""
    return _plans(
        lines, Contribution.objects.filter(line_id__in=[line.pk for line in lines]), terms
    )


def _plans(lines, contributions, terms: ContractTerms) -> dict[int, LinePlan]:
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for line_id, partner_id, amount in contributions.order_by().values_list(
        "line_id", "partner_id", "amount"
    ):
        shares[line_id][partner_id] = amount
    return {
        line.pk: line_plan(
            line_id=line.pk,
            year=line.year,
            annex_convention_id=line.annex_convention_id,
            continued=line.continued,
            amount=line.amount,
            other_receipts=line.other_receipts,
            actual_expenses=line.actual_expenses,
            actual_receipts=line.actual_receipts,
            shares=shares.get(line.pk, {}),
            terms=terms,
        )
        for line in lines
    }


def line_plan(
    *,
    line_id: int,
    year: int,
    annex_convention_id,
    continued: bool,
    amount: Decimal,
    other_receipts: Decimal,
    actual_expenses: Decimal | None,
    actual_receipts: Decimal | None,
    shares: dict[int, Decimal],
    terms: ContractTerms,
) -> LinePlan:
    """One line's plan from its columns and its stored shares (partner id → amount): for
    the callers that read the lines already (`financing.selectors.budget_report`)."""
    instrument = Instrument.ANNEX if annex_convention_id else Instrument.CEJ
    funders = terms.by_instrument.get(instrument, ())
    forecast_psej = {t.funder_id: shares.get(t.funder_id, ZERO) for t in funders}
    forecast = psej.Plan(
        expenses=amount,
        receipts=other_receipts,
        net_cost=round_money(amount or 0) - round_money(other_receipts or 0),
        psej=forecast_psej,
        own_share=shares.get(terms.beneficiary_id, ZERO),
    )
    actual = None
    if actual_expenses is not None and actual_receipts is not None:
        actual = psej.plan(
            expenses=actual_expenses,
            receipts=actual_receipts,
            continued=continued,
            terms=funders,
            caps=forecast_psej,
        )
    return LinePlan(
        line_id=line_id,
        year=year,
        instrument=instrument,
        continued=continued,
        forecast=forecast,
        actual=actual,
    )


def contract_cycle(
    contract,
    *,
    today: datetime.date | None = None,
    terms: ContractTerms | None = None,
    plans: dict[int, LinePlan] | None = None,
    documents: bool = True,
) -> Cycle:
    """The whole money cycle of a contract as of `today` (default: the current date).
    `terms` and `plans`: when the caller has read them already (the budget report).
    `documents=False`: for a caller that shows no supporting document (one query less;
    each position's `documents` is then empty)."""
    today = today or timezone.localdate()
    terms = terms or contract_terms(contract.pk)
    partners = Partner.objects.in_bulk(
        [*terms.funder_ids, terms.beneficiary_id]
        if terms.beneficiary_id
        else list(terms.funder_ids)
    )
    if plans is None:
        plans = line_plans(contract, terms)
    by_schedule = schedules(contract.pk)
    movements: dict[tuple[int, int], list] = defaultdict(list)
    for payment in FunderPayment.objects.filter(contract_id=contract.pk).order_by(
        "received_on", "pk"
    ):
        movements[payment.funder_id, payment.year].append(payment)
    received_docs = (
        {
            (d.funder_id, d.year, d.kind): d.received_on
            for d in SupportingDocument.objects.filter(contract_id=contract.pk).order_by()
        }
        if documents
        else {}
    )
    positions = []
    for funder_id in terms.funder_ids:
        schedule = by_schedule.get(funder_id)
        for year in contract.years:
            year_plans = [p for p in plans.values() if p.year == year]
            forecast = sum((p.forecast.psej.get(funder_id, ZERO) for p in year_plans), ZERO)
            declared = bool(year_plans) and all(p.actual is not None for p in year_plans)
            actual = (
                sum((p.actual.psej.get(funder_id, ZERO) for p in year_plans), ZERO)
                if declared
                else None
            )
            instalments = (
                [
                    cycle.Instalment(a.number, a.percent, a.due_on(year))
                    for a in schedule.advances.all()
                ]
                if schedule
                else []
            )
            balance_due = (
                schedule.balance_due(year) if schedule else datetime.date(year + 1, 12, 31)
            )
            year_payments = movements.get((funder_id, year), [])
            position = cycle.position(
                year=year,
                forecast_psej=forecast,
                actual_psej=actual,
                instalments=instalments,
                balance_due_on=balance_due,
                movements=[cycle.Movement(p.kind, p.amount, p.received_on) for p in year_payments],
                today=today,
            )
            due = ()
            if schedule and documents:
                due_on = schedule.documents_due(year)
                due = tuple(
                    DocumentDue(
                        kind=kind,
                        label=str(label),
                        due_on=due_on,
                        received_on=received_docs.get((funder_id, year, kind)),
                        late=received_docs.get((funder_id, year, kind)) is None and today > due_on,
                    )
                    for kind, label in SupportingDocumentKind.choices
                )
            positions.append(
                FunderYear(
                    funder_id=funder_id,
                    funder=partners[funder_id].name if funder_id in partners else "",
                    year=year,
                    position=position,
                    documents=due,
                    payments=tuple(year_payments),
                )
            )
    return Cycle(
        beneficiary=partners.get(terms.beneficiary_id),
        funders=[partners[f] for f in terms.funder_ids if f in partners],
        plans=plans,
        positions=positions,
    )
