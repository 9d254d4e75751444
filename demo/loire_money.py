"""The Loire demo's money: who carries the actions and who pays the PSEJ, the funders'
terms and payment schedule. Illustrative figures, stated in docs/psej.md: the real rates,
shares and ceilings of the Loire CEJ are not public.

- The Département (beneficiary) carries the actions; the CAF and the MSA (funders) pay the
  PSEJ on each action's net cost: the CAF for 90 % of it, the MSA for the 10 % that its
  members (*ressortissants agricoles*) represent — an illustrative split.
- CEJ: 55 % for a new action, 60 % for an action carried over from the 2010–2013 contract
  (coordination), within 100 000 € of net cost per action and year.
- Annex convention: 50 % for every action, within 40 000 € per action and year.
- One schedule for both funders: an advance of 70 % of the year's forecast PSEJ by 30 June,
  the actual figures and activity data by 30 April of the next year, the balance by
  30 September of the next year.
- The lines' forecast (what the contract allocates, 198 000,00 € a year) and their actual
  figures, declared on every line 2014–2017 (`ACTUALS`), below the forecast: the
  Département's own commitments and payments on each line (`record_execution`) add up to
  its actual expenses. What the funders paid and when: `demo.loire_cycle`."""

import datetime
from decimal import Decimal

from cej.money import round_money
from financing.models import (
    BudgetLine,
    ExecutionEntry,
    ExecutionKind,
    FundingTerms,
    Instrument,
    PaymentSchedule,
)
from financing.services import execution_entry_record

D = Decimal

# funder key: {instrument: (share %, rate for a new action %, rate for a continued one %,
# ceiling of net cost retained per action and year €)}
TERMS = {
    "caf": {
        Instrument.CEJ: (D("90.00"), D("55.00"), D("60.00"), D("100000.00")),
        Instrument.ANNEX: (D("90.00"), D("50.00"), D("50.00"), D("40000.00")),
    },
    "msa": {
        Instrument.CEJ: (D("10.00"), D("55.00"), D("60.00"), D("100000.00")),
        Instrument.ANNEX: (D("10.00"), D("50.00"), D("50.00"), D("40000.00")),
    },
}
# (percent, day, month) of each advance; documents and balance: (day, month) of year N+1.
ADVANCES = [(D("70.00"), 30, 6)]
DOCUMENTS_DUE = (30, 4)
BALANCE_DUE = (30, 9)

# Forecast receipts other than the PSEJ, and whether the action was already in the
# previous contract, per budget post (illustrative): families' and other partners' shares.
LINE_FORECAST = {
    "coordination": {"other_receipts": D("0.00"), "continued": True},
    "communication": {"other_receipts": D("3000.00"), "continued": False},
    "accueil-enfants-handicapes": {"other_receipts": D("4000.00"), "continued": False},
}

# What the contract allocates per year, as signed (seed total: 198 000 €; the split is
# illustrative). The CEJ posts every year: post code → (fiche funded, forecast expenses).
CEJ_LINES = {"coordination": (12, D("120000.00")), "communication": (14, D("38000.00"))}
# The annex convention in 2014, the only year it first covered (seed).
ANNEX_LINE_2014 = ("accueil-enfants-handicapes", 4, D("40000.00"))

# Actual figures (*réalisé*) of every line, by year and fiche funded: (expenses, receipts
# other than the PSEJ). Illustrative, a little below the forecast as spending usually is;
# fiche n° 15's pôle ressource was only prefigured in 2015, hence its low 2015 expenses
# (demo.loire_cycle: the MSA's overpayment that year).
ACTUALS = {
    (2014, 12): (D("117843.20"), D("0.00")),
    (2014, 14): (D("36412.75"), D("2860.00")),
    (2014, 4): (D("38950.00"), D("4120.00")),
    (2015, 12): (D("119106.40"), D("0.00")),
    (2015, 14): (D("37208.10"), D("3150.00")),
    (2015, 4): (D("24380.00"), D("0.00")),
    (2015, 15): (D("8640.00"), D("0.00")),
    (2016, 12): (D("118722.95"), D("0.00")),
    (2016, 14): (D("35960.30"), D("2940.00")),
    (2016, 4): (D("24915.50"), D("0.00")),
    (2016, 15): (D("14210.00"), D("0.00")),
    (2017, 12): (D("119980.00"), D("0.00")),
    (2017, 14): (D("37540.60"), D("3080.00")),
    (2017, 4): (D("24760.00"), D("0.00")),
    (2017, 15): (D("14870.25"), D("0.00")),
}


def actual_of(line: BudgetLine) -> tuple[Decimal, Decimal]:
    """The line's actual (expenses, receipts): every demo line names its fiche."""
    return ACTUALS[line.year, line.fiche.number]


def record_execution(line: BudgetLine) -> None:
    """The Département's own execution of a line (illustrative): committed in full once the
    year's budget is voted (after the signature for 2014), 70 % of what it actually spent
    paid in the year and the rest the next June, so that paid = the actual expenses
    declared to the funders (≤ committed ≤ planned)."""
    spent, _receipts = actual_of(line)
    committed_on = (
        datetime.date(2014, 10, 15) if line.year == 2014 else datetime.date(line.year, 2, 15)
    )
    advance_on = (
        datetime.date(2014, 11, 20) if line.year == 2014 else datetime.date(line.year, 7, 15)
    )
    in_year = round_money(spent * D("0.70"))
    for kind, date, amount, reference in [
        (ExecutionKind.COMMITMENT, committed_on, line.amount, f"ENG-{line.year}-{line.pk:04d}"),
        (ExecutionKind.PAYMENT, advance_on, in_year, f"MAN-{line.year}-{line.pk:04d}-A"),
        (
            ExecutionKind.PAYMENT,
            datetime.date(line.year + 1, 6, 30),
            spent - in_year,
            f"MAN-{line.year}-{line.pk:04d}-S",
        ),
    ]:
        execution_entry_record(
            entry=ExecutionEntry(
                line=line, kind=kind, date=date, amount=amount, reference=reference
            )
        )


def set_terms(contract, partners, *, by=None) -> int:
    """The funders' terms and schedules of the contract (in preparation), once."""
    from financing.cycle_services import funding_terms_save, payment_schedule_save

    created = 0
    for key, by_instrument in TERMS.items():
        for instrument, (share, rate_new, rate_continued, ceiling) in by_instrument.items():
            if FundingTerms.objects.filter(
                contract=contract, funder=partners[key], instrument=instrument
            ).exists():
                continue
            funding_terms_save(
                terms=FundingTerms(
                    contract=contract,
                    funder=partners[key],
                    instrument=instrument,
                    share=share,
                    rate_new=rate_new,
                    rate_continued=rate_continued,
                    ceiling=ceiling,
                ),
                by=by,
            )
            created += 1
        if not PaymentSchedule.objects.filter(contract=contract, funder=partners[key]).exists():
            payment_schedule_save(
                schedule=PaymentSchedule(
                    contract=contract,
                    funder=partners[key],
                    documents_due_day=DOCUMENTS_DUE[0],
                    documents_due_month=DOCUMENTS_DUE[1],
                    balance_due_day=BALANCE_DUE[0],
                    balance_due_month=BALANCE_DUE[1],
                ),
                advances=ADVANCES,
                by=by,
            )
            created += 1 + len(ADVANCES)
    return created
