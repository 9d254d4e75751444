"""The Loire demo's money (demo.loire_money, demo.loire_cycle), read back the way the pages
read it: `financing.cycle_selectors.contract_cycle` as of 1 December 2018."""

import datetime
from decimal import Decimal

import pytest

from cej.models import ContractParty, PartyRole
from demo.loire_cycle import AS_OF, PAYMENTS
from demo.loire_money import ACTUALS, TERMS
from financing.cycle_selectors import contract_cycle
from financing.models import (
    BudgetLine,
    ExecutionEntry,
    ExecutionKind,
    FunderPayment,
    FundingTerms,
    Instrument,
    PaymentSchedule,
    SupportingDocument,
)
from tests.factories import (
    FunderPaymentFactory,
    FundingTermsFactory,
    PartnerFactory,
    PaymentScheduleFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
ENVELOPE = D("198000.00")


@pytest.fixture
def cycle(demo):
    return contract_cycle(demo.contract, today=AS_OF)


def by_kind(demo):
    return {p.partner.kind: p for p in demo.contract.parties.select_related("partner")}


def test_the_departement_is_the_beneficiary_the_caf_and_the_msa_fund(demo, cycle):
    roles = {
        p.partner.kind: p.role
        for p in ContractParty.objects.filter(contract=demo.contract).select_related("partner")
    }
    assert roles == {
        "conseil_general": PartyRole.BENEFICIARY,
        "caf": PartyRole.FUNDER,
        "msa": PartyRole.FUNDER,
    }
    assert cycle.beneficiary.kind == "conseil_general"
    assert [f.kind for f in cycle.funders] == ["caf", "msa"]


def test_the_terms_and_the_schedule_are_the_documented_ones(demo):
    parties = by_kind(demo)
    for key, kind in (("caf", "caf"), ("msa", "msa")):
        for instrument, (share, new, continued, ceiling) in TERMS[key].items():
            terms = FundingTerms.objects.get(
                contract=demo.contract, funder=parties[kind].partner, instrument=instrument
            )
            assert (terms.share, terms.rate_new, terms.rate_continued, terms.ceiling) == (
                share,
                new,
                continued,
                ceiling,
            )
        schedule = PaymentSchedule.objects.get(contract=demo.contract, funder=parties[kind].partner)
        assert schedule.documents_due(2016) == datetime.date(2017, 4, 30)
        assert schedule.balance_due(2017) == datetime.date(2018, 9, 30)
        ((percent, due),) = [(a.percent, a.due_on(2015)) for a in schedule.advances.all()]
        assert (percent, due) == (D("70.00"), datetime.date(2015, 6, 30))
    caf_cej = TERMS["caf"][Instrument.CEJ]
    assert caf_cej == (D("90.00"), D("55.00"), D("60.00"), D("100000.00"))
    assert TERMS["msa"][Instrument.ANNEX][0] == D("10.00")


def test_every_year_allocates_198000_and_every_line_has_its_actual_figures(demo, cycle):
    lines = BudgetLine.objects.filter(contract=demo.contract).select_related("fiche")
    assert {(line.year, line.fiche.number) for line in lines} == set(ACTUALS)
    for year in demo.contract.years:
        assert lines.filter(year=year).total() == ENVELOPE
    for line in lines:
        assert (line.actual_expenses, line.actual_receipts) == ACTUALS[line.year, line.fiche.number]
        assert line.actual_expenses <= line.amount  # spent a little less than allocated
        plan = cycle.plans[line.pk]
        assert plan.actual is not None
        assert plan.forecast.psej_total + plan.forecast.own_share == line.net_cost
        assert plan.actual.psej_total + plan.actual.own_share == plan.actual.net_cost
        for funder_id, amount in plan.actual.psej.items():
            assert amount <= plan.forecast.psej[funder_id]  # R7


def test_the_forecast_psej_per_year_follows_the_terms(demo, cycle):
    """CEJ: coordination carried over (60 %) within its 100 000 € ceiling, communication new
    (55 %) on 35 000 € of net cost; annex convention 50 %: 36 000 € in 2014, then 25 000 €
    and 15 000 € once avenant n° 1 applied. The CAF takes 90 % of each, the MSA 10 %."""
    parties = by_kind(demo)
    caf, msa = parties["caf"].partner_id, parties["msa"].partner_id
    forecast = {(p.funder_id, p.year): p.position.forecast_psej for p in cycle.positions}
    assert forecast[caf, 2014] == D("54000.00") + D("17325.00") + D("16200.00")
    assert forecast[msa, 2014] == D("6000.00") + D("1925.00") + D("1800.00")
    for year in (2015, 2016, 2017):
        assert forecast[caf, year] == D("54000.00") + D("17325.00") + D("11250.00") + D("6750.00")
        assert forecast[msa, year] == D("9925.00")


def test_2014_to_2016_are_settled_and_the_2017_balance_is_outstanding(demo, cycle):
    assert len(cycle.positions) == 2 * 4
    for funder_year in cycle.positions:
        position = funder_year.position
        assert position.actual_psej is not None  # every year's actual figures declared
        assert position.advances_received >= position.advances_total  # the advances paid
        assert not any(a.late for a in position.advances)
        if funder_year.year < 2017:
            assert position.settled, funder_year
            assert position.received == position.actual_psej
            assert not position.late
        else:
            assert position.balance_due_on == datetime.date(2018, 9, 30)
            assert position.received == position.advances_total
            assert position.balance > 0
            assert position.outstanding == position.balance == position.owed - position.received
            assert position.balance_late and not position.to_recover
            assert not any(p.kind == "balance" for p in funder_year.payments)


def test_one_recovery_the_msa_in_2015(demo, cycle):
    """The MSA paid 100 % of its 2015 forecast PSEJ in the year; the actual figures came in
    lower: 400,80 € recovered by an ordre de reversement, paid back in October 2016."""
    msa = by_kind(demo)["msa"].partner_id
    refunds = FunderPayment.objects.filter(contract=demo.contract, kind="refund")
    (refund,) = refunds
    assert (refund.funder_id, refund.year) == (msa, 2015)
    assert refund.reference.startswith("Ordre de reversement")
    position = cycle.position(msa, 2015).position
    assert position.advances_received == position.forecast_psej == D("9925.00")
    assert position.balance == -refund.amount == D("-400.80")
    assert position.refunded == refund.amount
    assert position.settled
    others = [p for p in cycle.positions if (p.funder_id, p.year) != (msa, 2015)]
    assert all(p.position.balance >= 0 and not p.position.refunded for p in others)


def test_payments_carry_their_mandate_reference_and_date(demo):
    payments = FunderPayment.objects.filter(contract=demo.contract)
    assert payments.count() == sum(len(p) for p in PAYMENTS.values()) == 15
    first = payments.get(reference="Mandat CAF 2014-0412")
    assert (first.kind, first.year, first.amount) == ("advance", 2014, D("61267.50"))
    assert first.received_on == datetime.date(2014, 11, 14) > demo.contract.signed_on
    for payment in payments:
        assert payment.recorded_by is None  # written by the loader, not by a person
        assert payment.received_on.year in (payment.year, payment.year + 1)
        assert payment.recorded_at.date() == payment.received_on


def test_supporting_documents_in_time_but_one(demo, cycle):
    documents = SupportingDocument.objects.filter(contract=demo.contract)
    assert documents.count() == 2 * 4 * 2  # two funders, four years, two pieces
    late = []
    for funder_year in cycle.positions:
        for due in funder_year.documents:
            assert due.received_on is not None and not due.late
            if due.received_on > due.due_on:
                late.append((funder_year.funder, funder_year.year, due.kind))
    assert late == [("Caisse de mutualité sociale agricole Ardèche Drôme Loire", 2016, "activity")]


def test_the_departement_paid_exactly_its_actual_expenses(demo):
    for line in BudgetLine.objects.filter(contract=demo.contract):
        entries = ExecutionEntry.objects.filter(line=line)
        paid = entries.filter(kind=ExecutionKind.PAYMENT).total()
        committed = entries.filter(kind=ExecutionKind.COMMITMENT).total()
        assert paid == line.actual_expenses <= committed == line.amount


def test_the_actual_figures_are_dated_with_the_documents_sent(demo):
    line = BudgetLine.objects.get(contract=demo.contract, year=2015, fiche__number=15)
    declared = line.versions.order_by("-number").first()
    assert declared.action == "Réalisé déclaré"
    assert declared.author is None
    assert declared.created_at.date() == datetime.date(2016, 4, 22)
    assert declared.snapshot["actual_expenses"] == "8640.00"


def test_the_2017_balance_once_paid_settles_the_contract(demo, cycle):
    """What the funders' finance officers will record next: each 2017 balance, as due."""
    for funder_year in cycle.positions:
        if funder_year.year == 2017:
            FunderPaymentFactory(
                balance=True,
                contract=demo.contract,
                funder_id=funder_year.funder_id,
                year=2017,
                amount=funder_year.position.balance,
                received_on=datetime.date(2018, 12, 14),
            )
    after = contract_cycle(demo.contract, today=datetime.date(2019, 1, 2))
    assert all(p.position.settled and not p.late for p in after.positions)


def test_a_new_funder_with_terms_and_a_schedule_shows_in_the_cycle(demo):
    """The factories build a funder's terms and schedule as the services would store them
    (the forecast shares aside: nothing is recomputed, so it has no PSEJ yet)."""
    funder = PartnerFactory()
    ContractParty.objects.create(contract=demo.contract, partner=funder, order=4)
    FundingTermsFactory(contract=demo.contract, funder=funder, share=D("0.00"))
    PaymentScheduleFactory(contract=demo.contract, funder=funder, advances=[(D("40.00"), 31, 3)])
    cycle = contract_cycle(demo.contract, today=AS_OF)
    position = cycle.position(funder.pk, 2016).position
    assert position.forecast_psej == 0 and position.advances[0].due_on == datetime.date(2016, 3, 31)
    assert [f.pk for f in cycle.funders][-1] == funder.pk


def test_the_loaders_system_writes_name_no_one_and_need_a_signed_contract(
    contract_in_preparation, demo_user
):
    """`system=True` (the demo's path) skips the person, not the contract's state: nothing is
    paid on a contract in preparation, and a system write cannot claim a person."""
    from django.core.exceptions import PermissionDenied

    from financing.cycle_services import funder_payment_record

    caf = by_kind_of(contract_in_preparation)["caf"]

    def payment():
        return FunderPayment(
            contract=contract_in_preparation,
            funder=caf,
            year=2017,
            kind="balance",
            amount=D("10.00"),
            received_on=datetime.date(2018, 10, 1),
            reference="Mandat CAF 2018-9999",
        )

    with pytest.raises(PermissionDenied, match="pas encore signé"):
        funder_payment_record(payment=payment(), by=None, system=True)
    with pytest.raises(ValueError, match="names no person"):
        funder_payment_record(payment=payment(), by=demo_user("partner-caf"), system=True)
    assert not FunderPayment.objects.filter(reference="Mandat CAF 2018-9999").exists()


def by_kind_of(contract):
    return {p.partner.kind: p.partner for p in contract.parties.select_related("partner")}
