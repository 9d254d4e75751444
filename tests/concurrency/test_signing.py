"""Signatures recorded at the same moment: a representative signs once, and the contract is
signed and sealed exactly once when its last signatures arrive together."""

import datetime

import pytest

from cej.models import AnnexConvention, ContractStatus, Document, DocumentKind, Signature
from cej.selectors import missing_signatories
from pilotage.signing import signature_record
from tests.concurrency.sessions import at_once, sessions, wait_for_lock

pytestmark = pytest.mark.django_db(transaction=True)

SIGNED_ON = datetime.date(2014, 10, 1)
# What signing the Loire contract seals: the contract and its annex convention, once each.
SEALED = [DocumentKind.ANNEX_CONVENTION, DocumentKind.SIGNED_CONTRACT]


@pytest.fixture
def unsigned(demo, seal):
    """The Loire contract before anybody signed it (its fiches are validated)."""
    contract = demo.contract
    Signature.objects.filter(contract=contract).delete()
    contract.status = ContractStatus.DRAFT
    contract.signed_on = None
    contract.signing_place = ""
    contract.save()
    AnnexConvention.objects.filter(contract=contract).update(signed_on=None)
    return contract


def sign(contract, signatory, by, place="Saint-Étienne"):
    return lambda: signature_record(
        contract=contract, signatory=signatory, signed_on=SIGNED_ON, place=place, by=by
    )


def sign_all_but(contract, by, count):
    pending = missing_signatories(contract)
    for signatory in pending[: len(pending) - count]:
        sign(contract, signatory, by)()
    return missing_signatories(contract)


def sealed_documents(contract):
    """The sealed acts of the signature (the demo's adopted annual reviews are sealed too,
    by their adoption: not this test's business)."""
    return sorted(
        Document.objects.filter(contract=contract, sealed=True)
        .exclude(kind__in=[DocumentKind.ANNUAL_REVIEW, DocumentKind.FINAL_EVALUATION])
        .values_list("kind", flat=True)
    )


def test_a_representative_recorded_twice_at_once_signs_once(unsigned, demo_user):
    cdaje, admin = demo_user("cdaje"), demo_user("admin")
    chair = missing_signatories(unsigned)[0]
    first, second = at_once(
        sign(unsigned, chair, cdaje, "Saint-Étienne"), sign(unsigned, chair, admin, "Roanne")
    )
    assert sum(s.error is None for s in (first, second)) == 1, (first, second)
    refusal = next(s.error for s in (first, second) if s.error is not None)
    assert refusal.messages == ["Ce représentant a déjà signé ce contrat."]
    signature = Signature.objects.get(contract=unsigned, signatory=chair)
    winner = first if first.error is None else second
    assert signature.pk == winner.result.pk
    assert Signature.objects.filter(contract=unsigned).count() == 1


def test_two_representatives_of_one_party_signing_at_once_are_both_recorded(unsigned, demo_user):
    """The CAF signs twice (its chair and its director)."""
    chair, director = [s for s in missing_signatories(unsigned) if s.partner.slug == "caf42"]
    signed = at_once(
        sign(unsigned, chair, demo_user("cdaje")), sign(unsigned, director, demo_user("admin"))
    )
    assert [s.error for s in signed] == [None, None]
    assert set(Signature.objects.filter(contract=unsigned).values_list("signatory", flat=True)) == {
        chair.pk,
        director.pk,
    }
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.IN_SIGNATURE


def test_the_last_signature_waits_for_the_one_before_and_seals_once(unsigned, demo_user):
    """Without the wait, each of the last two would miss the other's uncommitted signature
    and nobody would seal the contract."""
    cdaje = demo_user("cdaje")
    before_last, last = sign_all_but(unsigned, cdaje, 2)
    with sessions() as begin:
        first = begin("avant-dernière", sign(unsigned, before_last, cdaje), hold=True)
        second = begin("dernière", sign(unsigned, last, demo_user("admin")))
        wait_for_lock(second)
        assert sealed_documents(unsigned) == []
        first.commit()
    first.outcome(), second.outcome()
    unsigned.refresh_from_db()
    assert (unsigned.status, unsigned.signed_on) == (ContractStatus.SIGNED, SIGNED_ON)
    assert sealed_documents(unsigned) == [
        DocumentKind.ANNEX_CONVENTION,
        DocumentKind.SIGNED_CONTRACT,
    ]
    assert Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT).created_by == demo_user("admin")
