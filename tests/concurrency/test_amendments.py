"""An avenant's last signatures recorded at the same moment: it is signed, sealed and applied
exactly once — one sealed act, one version per record it changes, no line twice.

The demo's avenant n° 2 revises fiche 14; here it also reallocates 12 000 € of 2017 from
the coordination line to a new communication line (nothing of 2017 committed yet)."""

from decimal import Decimal

import pytest

from cej.models import AmendmentSignature, AmendmentStatus, Document, DocumentKind
from fiches.models import FicheVersion
from financing.models import BudgetLine, BudgetLineVersion, BudgetPost
from pilotage.amendments import amendment_line_propose
from tests.concurrency.sessions import at_once, sessions, wait_for_lock
from tests.pilotage.avenant_steps import (
    LAST_SIGNED_ON,
    approve,
    demo_avenant,
    free_2017,
    sign,
    sign_all_but,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def avenant(demo, demo_user, seal):
    """Avenant n° 2 approved by the CDAJE and every party, awaiting its signatures."""
    contract, cdaje = demo.contract, demo_user("cdaje")
    free_2017(contract)
    avenant = demo_avenant(contract)
    coordination = BudgetLine.objects.get(contract=contract, year=2017, post__code="coordination")
    for line, post, amount, receipts in [
        (coordination, coordination.post, "108000", "0"),
        (None, BudgetPost.objects.get(code="communication"), "12000", "1500"),
    ]:
        amendment_line_propose(
            amendment=avenant,
            line=line,
            year=2017,
            post=post,
            fiche_number=line.fiche.number if line else None,
            label="" if line else "Lettre aux assistants maternels",
            amount=Decimal(amount),
            other_receipts=Decimal(receipts),
            continued=line.continued if line else False,
            by=cdaje,
        )
    return approve(avenant, cdaje)


def signing(avenant, signatory, user):
    return lambda: sign(avenant, signatory, user, on=LAST_SIGNED_ON)


def assert_applied_once(avenant):
    contract = avenant.contract
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.SIGNED
    assert Document.objects.filter(amendment=avenant, kind=DocumentKind.AMENDMENT).count() == 1
    assert list(
        FicheVersion.objects.filter(amendment=avenant).values_list("fiche__number", flat=True)
    ) == [14]
    assert sorted(
        BudgetLineVersion.objects.filter(amendment=avenant).values_list("kind", flat=True)
    ) == ["changed", "created"]
    lines_2017 = BudgetLine.objects.filter(contract=contract, year=2017)
    assert lines_2017.count() == 5  # coordination, communication ×2, the convention's two
    assert lines_2017.total() == Decimal("198000.00")
    assert lines_2017.filter(label="Lettre aux assistants maternels").count() == 1


def test_the_last_signature_waits_for_the_one_before_and_applies_once(avenant, demo_user):
    """Without the wait, each of the last two would miss the other's uncommitted signature
    and nobody would apply the avenant."""
    before_last, last = sign_all_but(avenant, demo_user("cdaje"), 2)
    with sessions() as begin:
        first = begin(
            "avant-dernière", signing(avenant, before_last, demo_user("cdaje")), hold=True
        )
        second = begin("dernière", signing(avenant, last, demo_user("admin")))
        wait_for_lock(second)
        assert not Document.objects.filter(amendment=avenant).exists()
        first.commit()
    first.outcome(), second.outcome()
    assert_applied_once(avenant)
    act = Document.objects.get(amendment=avenant)
    assert (act.created_by, act.dated) == (demo_user("admin"), LAST_SIGNED_ON)


def test_the_same_last_signature_recorded_twice_at_once_applies_once(avenant, demo_user):
    (last,) = sign_all_but(avenant, demo_user("cdaje"), 1)
    recorded = at_once(
        signing(avenant, last, demo_user("cdaje")), signing(avenant, last, demo_user("admin"))
    )
    assert sum(s.error is None for s in recorded) == 1, recorded
    refusal = next(s.error for s in recorded if s.error is not None)
    assert refusal.args == ("L'avenant est signé : il ne change plus.",)
    assert AmendmentSignature.objects.filter(amendment=avenant, signatory=last).count() == 1
    assert_applied_once(avenant)
