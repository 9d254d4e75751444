"""financing.cycle_services on the demo's lived cycle: what a payment write refuses, and a
correction that must not count twice."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from financing.cycle_services import funder_payment_record
from financing.models import FunderPayment

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_refund_corrected_counts_once(demo, demo_user):
    """The MSA's 2015 reversement (400,80 €) is corrected to 450,00 €: the check compares
    what the MSA paid with the other refunds and the corrected amount, not with the old
    amount as well."""
    refund = FunderPayment.objects.get(contract=demo.contract, year=2015, kind="refund")
    paid = sum(
        p.amount
        for p in FunderPayment.objects.filter(
            contract=demo.contract, funder=refund.funder, year=2015
        ).exclude(kind="refund")
    )
    refund.amount = D("450.00")
    funder_payment_record(payment=refund, by=demo_user("partner-msa"))
    assert FunderPayment.objects.get(pk=refund.pk).amount == D("450.00")
    # Up to everything the MSA paid for 2015, and not a cent more.
    refund.amount = paid
    funder_payment_record(payment=refund, by=demo_user("partner-msa"))
    refund.amount = paid + D("0.01")
    with pytest.raises(ValidationError, match="ne peut pas dépasser"):
        funder_payment_record(payment=refund, by=demo_user("partner-msa"))
    assert FunderPayment.objects.get(pk=refund.pk).amount == paid


def test_a_funder_records_only_its_own_payments(demo, demo_user):
    msa = FunderPayment.objects.filter(contract=demo.contract, kind="refund").get().funder
    payment = FunderPayment(
        contract=demo.contract,
        funder=msa,
        year=2017,
        kind="balance",
        amount=D("100.00"),
        received_on=datetime.date(2018, 10, 2),
        reference="Mandat 2018-1",
    )
    with pytest.raises(PermissionDenied, match="votre organisme"):
        funder_payment_record(payment=payment, by=demo_user("partner-caf"))
    assert not FunderPayment.objects.filter(reference="Mandat 2018-1").exists()
