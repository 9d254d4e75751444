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
  30 September of the next year."""

from decimal import Decimal

from financing.models import FundingTerms, Instrument, PaymentSchedule

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
