"""The obligations derived from the Loire demo contract, as of a date: what was due, done or
late on a given morning, each read in bulk."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.models import Deadline, Plenary
from agenda.obligations import Kind, obligations_for, years_short_of_plenaries
from cej.models import Contract

pytestmark = pytest.mark.django_db
D = datetime.date


def _by_key(contract, as_of):
    return {o.key: o for o in obligations_for([contract], as_of=as_of)}


def _caf(contract):
    from partners.models import Partner

    return Partner.objects.get(slug__contains="caf", contract_parties__contract=contract)


def test_each_kind_of_obligation_is_derived(demo_contract):
    kinds = {o.kind for o in obligations_for([demo_contract], as_of=D(2016, 3, 1))}
    assert kinds == {
        Kind.REVIEW,
        Kind.DOCUMENTS,
        Kind.ADVANCE,
        Kind.BALANCE,
        Kind.ANNEX_END,
        Kind.CONTRACT_END,
        Kind.RENEWAL,
        Kind.PLENARY,
        Kind.DEADLINE,
    }


def test_an_advance_received_later_is_not_done_yet(demo_contract):
    caf = _caf(demo_contract)
    key = f"c{demo_contract.pk}-f{caf.pk}-2015-advance1"
    # Due on 30 June 2015, received on 26 June 2015 (demo/loire_cycle.py).
    before = _by_key(demo_contract, D(2015, 6, 25))[key]
    assert before.due_on == D(2015, 6, 30)
    assert not before.done and not before.late
    after = _by_key(demo_contract, D(2015, 7, 1))[key]
    assert after.done_on == D(2015, 6, 26) and not after.late
    assert after.partner_ids == frozenset([caf.pk])
    assert "Acompte n° 1 2015 (70 %)" in after.title


def test_a_document_received_late_is_late_until_received(demo_contract):
    msa = demo_contract.parties.get(partner__slug__contains="msa").partner
    key = f"c{demo_contract.pk}-f{msa.pk}-2016-activity"
    # Due on 30 April 2017, received on 16 May 2017: the demo's one late document.
    late = _by_key(demo_contract, D(2017, 5, 10))[key]
    assert late.late and not late.done and late.due_on == D(2017, 4, 30)
    done = _by_key(demo_contract, D(2017, 5, 20))[key]
    assert done.done_on == D(2017, 5, 16) and not done.late


def test_the_review_is_done_once_submitted(demo_contract):
    key = f"c{demo_contract.pk}-review-2015"
    # Submitted on 14 February 2016, a month before the plenary of 15 March 2016.
    assert not _by_key(demo_contract, D(2016, 2, 1))[key].done
    review = _by_key(demo_contract, D(2016, 3, 1))[key]
    assert review.done_on == D(2016, 2, 14) and review.due_on == D(2016, 3, 31)
    # 2017's is still in preparation: late once its day has passed.
    assert _by_key(demo_contract, D(2018, 4, 2))[f"c{demo_contract.pk}-review-2017"].late


def test_renewal_is_due_a_year_before_the_end_until_a_successor_exists(demo_contract):
    key = f"c{demo_contract.pk}-renewal"
    renewal = _by_key(demo_contract, D(2017, 2, 1))[key]
    assert renewal.due_on == D(2017, 1, 1) and renewal.late  # the successor came later
    successor = Contract.objects.get(predecessor=demo_contract)
    created = successor.created_at.date()
    assert _by_key(demo_contract, created + datetime.timedelta(days=1))[key].done


def test_ends_and_plenaries_are_never_late(demo_contract):
    items = obligations_for([demo_contract], as_of=D(2019, 1, 1))
    for item in items:
        if item.kind in (Kind.PLENARY, Kind.CONTRACT_END, Kind.ANNEX_END):
            assert item.done and not item.late
    plenary = next(o for o in items if o.kind == Kind.PLENARY and o.due_on == D(2016, 3, 15))
    assert not _by_key(demo_contract, D(2016, 3, 1))[plenary.key].done


def test_a_hand_added_deadline_closed_later_is_late_until_then(demo_contract):
    deadline = Deadline.objects.get(contract=demo_contract, due_on=D(2016, 2, 15))
    key = f"deadline-{deadline.pk}"
    late = _by_key(demo_contract, D(2016, 3, 1))[key]
    assert late.late and late.partner_ids == frozenset([deadline.responsible_id])
    assert _by_key(demo_contract, D(2016, 3, 5))[key].done_on == D(2016, 3, 4)


def test_staff_only_deadlines_are_marked_so(demo_contract):
    items = obligations_for([demo_contract], as_of=D(2016, 3, 1))
    staff_only = [o for o in items if not o.shared]
    assert [o.title for o in staff_only] == [
        "Envoyer aux membres de la CDAJE le dossier de la séance du 15 mars 2016"
    ]


def test_the_loire_cdaje_meets_at_least_three_times_a_year(demo_contract):
    territory = demo_contract.territory_id
    assert years_short_of_plenaries(territory, range(2014, 2019)) == []
    Plenary.objects.filter(territory_id=territory, held_on=D(2016, 6, 14)).delete()
    assert years_short_of_plenaries(territory, range(2014, 2019)) == [(2016, 2)]


def test_queries_do_not_grow_with_the_contracts(demo_contract):
    one = [demo_contract]
    every = list(Contract.objects.all())
    assert len(every) >= 3
    with CaptureQueriesContext(connection) as single:
        obligations_for(one, as_of=D(2016, 3, 1))
    with CaptureQueriesContext(connection) as many:
        items = obligations_for(every, as_of=D(2016, 3, 1))
    assert len(many) == len(single) <= 10, [q["sql"][:90] for q in many.captured_queries]
    assert {o.contract_id for o in items} >= {c.pk for c in every if c.signed_on}
