"""Each contract's money cycle: the funders' terms and payment schedules, each line's
forecast split (`financing.psej`, computed here in bulk — the services would compute it
line by line), and for signed contracts the supporting documents received and what the
funders paid (advances, balances on the actual figures, *reversements*) up to AS_OF.

Mostly on time and settled; some balances still outstanding, some late, some sums unduly
paid still to recover, some documents late or missing — as a national set would be."""

import datetime
from decimal import Decimal

from cej.money import ZERO
from demo.scale.core import AS_OF, BATCH, moment_of, random_days
from demo.scale.state import ContractPlan, TerritoryState
from financing import cycle, psej
from financing.models import (
    Advance,
    FunderPayment,
    FunderPaymentKind,
    FundingTerms,
    Instrument,
    PaymentSchedule,
    SupportingDocument,
    SupportingDocumentKind,
    day_in_year,
)
from financing.terms import ContractTerms

D = Decimal
# (advances as (percent, day, month)), documents due (day, month), balance due (day, month)
SCHEDULES = [
    ([(D("70.00"), 30, 6)], (30, 4), (30, 9)),
    ([(D("50.00"), 31, 3), (D("30.00"), 30, 9)], (31, 5), (31, 10)),
    ([(D("60.00"), 15, 7)], (30, 4), (15, 9)),
]


def create_terms(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """The CAF's and the MSA's terms (the CAF takes most of the net cost, the MSA the share
    of its members), for the CEJ and, if there is one, the annex convention; one schedule
    per territory, both funders alike. Sets `plan.terms` and `plan.schedule`."""
    rng = state.rng
    caf_share = D(rng.randint(85, 95)).quantize(D("0.01"))
    shares = {state.caf.pk: caf_share, state.msa.pk: D("100.00") - caf_share}
    rate_new = D(rng.choice([50, 55, 55, 60])).quantize(D("0.01"))
    schedule = SCHEDULES[rng.randrange(len(SCHEDULES))]
    funders = sorted([state.caf, state.msa], key=lambda p: p.name)  # R5's order
    terms_rows, schedules = [], []
    for plan in plans:
        envelope = plan.contract.annual_envelope
        ceilings = {
            Instrument.CEJ: (envelope * D(rng.uniform(0.25, 0.45))).quantize(D("1000")),
            Instrument.ANNEX: (envelope * D(rng.uniform(0.08, 0.15))).quantize(D("1000")),
        }
        rates = {
            Instrument.CEJ: (rate_new, rate_new + 5),
            Instrument.ANNEX: (D("50.00"), D("50.00")),
        }
        by_instrument = {}
        for instrument in (Instrument.CEJ, Instrument.ANNEX):
            if instrument == Instrument.ANNEX and plan.annex is None:
                continue
            new, continued = rates[instrument]
            rows = [
                FundingTerms(
                    contract=plan.contract,
                    instrument=instrument,
                    funder=funder,
                    share=shares[funder.pk],
                    rate_new=new,
                    rate_continued=continued,
                    ceiling=ceilings[instrument].quantize(D("0.01")),
                )
                for funder in funders
            ]
            terms_rows += rows
            by_instrument[instrument] = tuple(psej.FunderTerms.of(row) for row in rows)
        plan.terms = ContractTerms(
            beneficiary_id=state.cd.pk,
            funder_ids=(state.caf.pk, state.msa.pk),
            by_instrument=by_instrument,
        )
        advances, documents, balance = schedule
        for funder in funders:
            row = PaymentSchedule(
                contract=plan.contract,
                funder=funder,
                documents_due_day=documents[0],
                documents_due_month=documents[1],
                balance_due_day=balance[0],
                balance_due_month=balance[1],
            )
            schedules.append((row, advances))
        plan.schedule = schedules[-1][0]  # the same days for both funders
    FundingTerms.objects.bulk_create(terms_rows, batch_size=BATCH)
    PaymentSchedule.objects.bulk_create([row for row, _a in schedules], batch_size=BATCH)
    Advance.objects.bulk_create(
        [
            Advance(schedule=row, number=n, percent=p, due_day=d, due_month=m)
            for row, advances in schedules
            for n, (p, d, m) in enumerate(advances, start=1)
        ],
        batch_size=BATCH,
    )
    for plan in plans:
        plan.advances = schedule[0]


def forecast_split(plan: ContractPlan, line) -> dict[int, Decimal]:
    """The line's forecast shares by partner id, as `financing.services.forecast_shares`
    stores them: each funder's PSEJ and the beneficiary's own share."""
    financing = psej.plan(
        expenses=line.amount,
        receipts=line.other_receipts,
        continued=line.continued,
        terms=plan.terms.for_line(line),
    )
    return {**financing.psej, plan.terms.beneficiary_id: financing.own_share}


def actual_psej(plan: ContractPlan, line, forecast: dict[int, Decimal]) -> dict[int, Decimal]:
    return psej.plan(
        expenses=line.actual_expenses,
        receipts=line.actual_receipts,
        continued=line.continued,
        terms=plan.terms.for_line(line),
        caps=forecast,
    ).psej


def create_payments(state: TerritoryState, plans: list[ContractPlan], years: dict) -> None:
    """`years`: (contract id, year) → [(forecast PSEJ by funder, actual PSEJ by funder or
    None)] of each line. Documents and payments of signed contracts, up to AS_OF."""
    payments, documents = [], []
    for plan in plans:
        contract = plan.contract
        if not plan.executed:
            continue
        schedule = plan.schedule
        for year in contract.years:
            if year > AS_OF.year:
                break
            lines = years.get((contract.pk, year), [])
            declared = bool(lines) and all(actual is not None for _f, actual in lines)
            for funder in (state.caf, state.msa):
                forecast = sum((f.get(funder.pk, ZERO) for f, _a in lines), ZERO)
                actual = (
                    sum((a.get(funder.pk, ZERO) for _f, a in lines), ZERO) if declared else None
                )
                if declared:
                    documents += _documents(state, contract, funder, year, schedule)
                payments += _payments(state, plan, funder, year, forecast, actual)
    FunderPayment.objects.bulk_create(payments, batch_size=BATCH)
    SupportingDocument.objects.bulk_create(documents, batch_size=BATCH)
    state.counts.funder_payments += len(payments)
    state.counts.supporting_documents += len(documents)


def _documents(state, contract, funder, year, schedule) -> list[SupportingDocument]:
    rng, due = state.rng, schedule.documents_due(year)
    rows = []
    for kind in SupportingDocumentKind.values:
        draw = rng.random()
        if draw < 0.03:
            continue  # never received
        received = due + random_days(rng, 3, 45) if draw < 0.12 else due - random_days(rng, 0, 40)
        if received > AS_OF:
            continue
        rows.append(
            SupportingDocument(
                contract=contract,
                funder=funder,
                year=year,
                kind=kind,
                received_on=received,
                reference=f"Envoi du {received:%d/%m/%Y}",
                recorded_by=state.users["finance"],
                recorded_at=moment_of(received, rng),
            )
        )
    return rows


def _payments(state, plan, funder, year, forecast, actual) -> list[FunderPayment]:
    """The advances of the schedule (after the signature), then on the actual figures the
    balance or the reversement; some paid late or not yet."""
    rng, contract, schedule = state.rng, plan.contract, plan.schedule
    rows, advances_received = [], ZERO
    amounts = cycle.advance_amounts(forecast, [p for p, _d, _m in plan.advances])
    for (_percent, day, month), amount in zip(plan.advances, amounts, strict=True):
        due = day_in_year(year, month, day)
        received = max(due - random_days(rng, 0, 12), contract.signed_on + random_days(rng, 15, 45))
        if amount <= 0 or received > AS_OF or rng.random() < 0.02:
            continue
        rows.append(
            _payment(state, contract, funder, year, FunderPaymentKind.ADVANCE, amount, received)
        )
        advances_received += amount
    if actual is not None and advances_received and rng.random() < 0.08:
        # Some funders pay the whole forecast in the year: the actual figures, lower, then
        # leave a sum to recover.
        complement = forecast - advances_received
        received = datetime.date(year, 12, 1) + random_days(rng, 0, 20)
        if complement > 0 and received <= AS_OF:
            rows.append(
                _payment(
                    state, contract, funder, year, FunderPaymentKind.ADVANCE, complement, received
                )
            )
            advances_received += complement
    if actual is None:
        return rows
    balance = actual - advances_received
    due = schedule.balance_due(year)
    if balance > 0 and rng.random() < 0.92:
        received = (
            due - random_days(rng, 0, 40) if rng.random() < 0.85 else due + random_days(rng, 5, 90)
        )
        if received <= AS_OF:
            rows.append(
                _payment(
                    state, contract, funder, year, FunderPaymentKind.BALANCE, balance, received
                )
            )
    elif balance < 0 and rng.random() < 0.8:
        received = due + random_days(rng, 20, 120)
        if received <= AS_OF:
            rows.append(
                _payment(
                    state, contract, funder, year, FunderPaymentKind.REFUND, -balance, received
                )
            )
    return rows


def _payment(state, contract, funder, year, kind, amount, day: datetime.date) -> FunderPayment:
    state.reference += 1
    short = funder.short_name
    reference = (
        f"Ordre de reversement {short} OR-{day.year}-{state.reference:05d}"
        if kind == FunderPaymentKind.REFUND
        else f"Mandat {short} {day.year}-{state.reference:05d}"
    )
    return FunderPayment(
        contract=contract,
        funder=funder,
        year=year,
        kind=kind,
        amount=amount,
        received_on=day,
        reference=reference,
        recorded_by=_officer(state, funder),
        recorded_at=moment_of(day, state.rng),
    )


def _officer(state: TerritoryState, funder):
    """The funder's account: its finance officer records what it paid."""
    return state.users["caf"] if funder.pk == state.caf.pk else state.partner_users[-1]
