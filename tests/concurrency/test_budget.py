"""Budget lines saved at the same moment: no lost update, no year pushed over its 198 000 €
envelope, no deadlock — for lines saved one by one and for an imported workbook.

The tests plan lines of the demo contract put back in preparation (a signed contract's lines
change only through an avenant), with 2015 as signed in 2014: 158 000 € planned, 40 000 €
remain (`make_room_in_2015`: avenant n° 1 has since allocated them). Each test below asks for
25 000 € more from two or more users at once: any one request fits, two do not."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cej.locking import lock_contract
from cej.models import Contract, ContractStatus
from cej.money import format_eur
from financing.exports import build_csv
from financing.imports import ImportApplyError, apply_import, prepare_import
from financing.models import BudgetLine, BudgetPost, ExecutionEntry, ExecutionKind, Instrument
from financing.services import (
    BudgetLineConflict,
    budget_line_delete,
    budget_line_save,
    execution_entry_record,
)
from partners.models import Partner
from tests.concurrency.sessions import at_once, sessions, wait_for_lock
from tests.financing.conftest import make_room_in_2015

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2015
REQUEST = Decimal("25000.00")
ENVELOPE = Decimal("198000.00")


@pytest.fixture
def contract(contract_in_preparation):
    """The demo contract in preparation, 40 000 € left to allocate in 2015."""
    return make_room_in_2015(contract_in_preparation)


@pytest.fixture
def caf(demo):
    return Partner.objects.get(slug="caf42")


def planned(contract, year=YEAR) -> Decimal:
    return BudgetLine.objects.filter(contract=contract, year=year).total()


def assert_within_envelope(contract):
    for year in contract.years:
        assert planned(contract, year) <= contract.annual_envelope, year


def line_of(contract, code, year=YEAR) -> BudgetLine:
    return BudgetLine.objects.get(contract=contract, year=year, post__code=code)


def new_post(number) -> BudgetPost:
    return BudgetPost.objects.create(
        code=f"poste-{number}", label=f"Poste {number}", instrument=Instrument.CEJ, order=10
    )


def create(contract, post, caf, amount=REQUEST, user=None):
    """A new line of `amount` for `post` in 2015 (its split computed from the terms)."""
    line = BudgetLine(contract=contract, year=YEAR, post=post, amount=amount)
    return lambda: budget_line_save(line=line, by=user)


def raise_by(line, amount, user=None, **changes):
    """Add `amount` to `line`, from the version read now."""
    line = BudgetLine.objects.get(pk=line.pk)
    line.amount += amount
    for field, value in changes.items():
        setattr(line, field, value)
    return lambda: budget_line_save(line=line, by=user, expected_version=line.version)


def envelope_error(session) -> str:
    error = session.error
    assert error is not None, f"{session.name} was saved"
    assert not isinstance(error, BudgetLineConflict), error
    return " ".join(getattr(error, "messages", [str(error)]))


def test_two_saves_of_the_same_line_from_the_same_version_keep_the_first(contract, demo_user):
    line = line_of(contract, "communication")
    with sessions() as begin:
        marc = begin("Marc", raise_by(line, Decimal(1000), demo_user("finance")), hold=True)
        alice = begin("Alice", raise_by(line, Decimal(2000), demo_user("admin"), label="Alice"))
        wait_for_lock(alice)
        marc.commit()
    saved = marc.outcome()
    with pytest.raises(BudgetLineConflict) as conflict:
        alice.outcome()
    assert conflict.value.base["amount"] == str(line.amount)
    assert conflict.value.current["amount"] == str(line.amount + 1000)
    assert conflict.value.latest.author == demo_user("finance")
    stored = BudgetLine.objects.get(pk=line.pk)
    assert (stored.amount, stored.label, stored.version) == (
        line.amount + 1000,
        "",
        line.version + 1,
    )
    assert saved.version == stored.version


def test_of_two_saves_of_one_line_released_together_exactly_one_is_stored(contract):
    line = line_of(contract, "communication")
    for round_ in range(3):
        first, second = at_once(
            raise_by(line, Decimal(100), label=f"premier {round_}"),
            raise_by(line, Decimal(100), label=f"second {round_}"),
        )
        winners = [s for s in (first, second) if s.error is None]
        assert len(winners) == 1, (first, second)
        loser = next(s for s in (first, second) if s.error is not None)
        assert isinstance(loser.error, BudgetLineConflict), loser.error
        line = BudgetLine.objects.get(pk=line.pk)
        assert line.label == winners[0].result.label
        assert line.version == loser.error.record.version
    assert line.amount == Decimal("38300.00")


def test_saves_of_two_lines_of_one_contract_wait_for_each_other_then_both_pass(
    contract,
):
    coordination, communication = (
        line_of(contract, code) for code in ("coordination", "communication")
    )
    with sessions() as begin:
        first = begin("coordination", raise_by(coordination, Decimal(1000)), hold=True)
        second = begin("communication", raise_by(communication, Decimal(1000)))
        wait_for_lock(second)  # the contract is locked by the first…
        first.commit()
    assert first.outcome().amount == coordination.amount + 1000
    assert second.outcome().amount == communication.amount + 1000  # …not forever.
    # Released together, many times: neither blocks the other for good.
    for _round in range(5):
        both = at_once(raise_by(coordination, Decimal(1)), raise_by(communication, Decimal(1)))
        assert [s.error for s in both] == [None, None]
        coordination, communication = (BudgetLine.objects.get(pk=s.result.pk) for s in both)
    assert planned(contract) == Decimal("158000.00") + 2000 + 10


def test_a_line_created_while_another_takes_the_rest_of_the_year_is_refused(contract, caf):
    # Posts are created beforehand: a new post renews every contract's page-cache token,
    # which would wait for the held transaction.
    first_post, second_post = new_post(1), new_post(2)
    with sessions() as begin:
        first = begin("premier", create(contract, first_post, caf), hold=True)
        second = begin("second", create(contract, second_post, caf))
        wait_for_lock(second)  # it reads the year's total only once the first has committed
        first.commit()
    assert first.outcome().amount == REQUEST
    assert envelope_error(second) == (
        f"L'enveloppe 2015 serait dépassée de {format_eur(Decimal('10000'))} : "
        f"{format_eur(Decimal('183000'))} déjà prévus sur les autres lignes + "
        f"{format_eur(REQUEST)} pour cette ligne, pour une enveloppe annuelle de "
        f"{format_eur(ENVELOPE)}."
    )
    assert planned(contract) == Decimal("183000.00")


def test_many_lines_created_at_once_never_exceed_the_envelope(contract, caf):
    sessions_ = at_once(*(create(contract, new_post(n), caf) for n in range(1, 7)))
    saved = [s for s in sessions_ if s.error is None]
    assert len(saved) == 1, sessions_
    for session in sessions_:
        if session.error is not None:
            assert envelope_error(session).startswith("L'enveloppe 2015 serait dépassée de")
    assert planned(contract) == Decimal("183000.00")
    assert_within_envelope(contract)


def test_the_same_line_created_twice_at_once_exists_once(contract, caf):
    post = new_post(1)
    created = at_once(
        create(contract, post, caf, Decimal(1000)),
        create(contract, post, caf, Decimal(2000)),
    )
    assert sum(s.error is None for s in created) == 1, created
    refusal = next(s.error for s in created if s.error is not None)
    assert refusal.messages == ["Une ligne existe déjà pour ce poste et cette année."]
    assert BudgetLine.objects.filter(contract=contract, post=post).count() == 1


def test_two_lines_raised_at_once_never_exceed_the_envelope(contract):
    raised = at_once(
        raise_by(line_of(contract, "coordination"), REQUEST),
        raise_by(line_of(contract, "communication"), REQUEST),
    )
    assert sum(s.error is None for s in raised) == 1, raised
    loser = next(s for s in raised if s.error is not None)
    assert envelope_error(loser).startswith("L'enveloppe 2015 serait dépassée de")
    assert planned(contract) == Decimal("183000.00")


# An imported workbook -----------------------------------------------------------------


def raised_workbook(contract) -> bytes:
    """The CSV export with the 2015 coordination line raised by 25 000 €, all by the CAF."""
    rows = build_csv(contract).decode("utf-8-sig").splitlines()
    for index, row in enumerate(rows):
        cells = row.split(";")
        if cells[:3] == [str(YEAR), "CEJ", "coordination"]:
            cells[7] = "145000,00"  # Prévu: 120 000 € + 25 000 €
            cells[9] = "85000,00"  # CAF: 60 000 € + 25 000 €
            rows[index] = ";".join(cells)
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


@pytest.fixture
def import_plan(contract):
    plan = prepare_import(contract=contract, data=raised_workbook(contract), filename="budget.csv")
    assert not plan.errors, [str(e) for e in plan.errors]
    assert plan.counts["changed"] == 1
    return plan


def test_an_import_applied_first_makes_a_concurrent_line_wait_then_refuses_it(
    contract, caf, demo_user, import_plan
):
    creation = create(contract, new_post(1), caf)
    with sessions() as begin:
        applied = begin(
            "import", lambda: apply_import(plan=import_plan, by=demo_user("finance")), hold=True
        )
        line = begin("ligne", creation)
        wait_for_lock(line)
        applied.commit()
    assert applied.outcome()["changed"] == 1
    assert envelope_error(line).startswith("L'enveloppe 2015 serait dépassée de")
    assert line_of(contract, "coordination").amount == Decimal("145000.00")
    assert planned(contract) == Decimal("183000.00")


def test_a_line_saved_first_makes_a_concurrent_import_wait_then_refuses_it_whole(
    contract, caf, demo_user, import_plan
):
    with sessions() as begin:
        line = begin("ligne", create(contract, new_post(1), caf), hold=True)
        applied = begin("import", lambda: apply_import(plan=import_plan, by=demo_user("finance")))
        wait_for_lock(applied)
        line.commit()
    assert line.outcome().amount == REQUEST
    assert isinstance(applied.error, ImportApplyError), applied.error
    assert "L'enveloppe 2015 serait dépassée de" in str(applied.error.issues[0])
    assert line_of(contract, "coordination").amount == Decimal("120000.00")
    assert planned(contract) == Decimal("183000.00")


# Commitments --------------------------------------------------------------------------


@pytest.fixture
def open_line(contract, caf):
    """A 2015 line of 20 000 € with nothing committed yet."""
    line = BudgetLine(contract=contract, year=YEAR, post=new_post(1), amount=Decimal(20000))
    return budget_line_save(line=line)


def commit(line, amount, user=None):
    """Commit `amount` against `line` as the entry form does: with the line read now."""
    entry = ExecutionEntry(
        line=BudgetLine.objects.get(pk=line.pk),
        kind=ExecutionKind.COMMITMENT,
        date=datetime.date(2015, 6, 1),
        amount=amount,
    )
    return lambda: execution_entry_record(entry=entry, by=user)


def committed(line) -> Decimal:
    return line.entries.filter(kind=ExecutionKind.COMMITMENT).total()


def test_two_commitments_at_once_never_exceed_the_planned_amount(open_line):
    recorded = at_once(commit(open_line, Decimal(15000)), commit(open_line, Decimal(15000)))
    assert sum(s.error is None for s in recorded) == 1, recorded
    refusal = next(s.error for s in recorded if s.error is not None)
    assert refusal.messages == [
        f"Les engagements ({format_eur(Decimal(30000))}) dépasseraient le prévu de la ligne "
        f"({format_eur(Decimal(20000))}) de {format_eur(Decimal(10000))}."
    ]
    assert committed(open_line) == Decimal(15000)


def test_a_commitment_is_checked_against_the_planned_amount_lowered_meanwhile(open_line, caf):
    """The entry form read the line at 20 000 €; the line is lowered to 10 000 € before the
    commitment is recorded. The commitment is checked against 10 000 €, not 20 000 €."""
    lowered = BudgetLine.objects.get(pk=open_line.pk)
    lowered.amount = Decimal(10000)
    lowering = lambda: budget_line_save(  # noqa: E731
        line=lowered, expected_version=lowered.version
    )
    commitment = commit(open_line, Decimal(15000))
    with sessions() as begin:
        lower = begin("baisse", lowering, hold=True)
        entry = begin("engagement", commitment)
        wait_for_lock(entry)
        lower.commit()
    assert lower.outcome().amount == Decimal(10000)
    assert entry.error is not None, "committed 15 000 € on a line planned at 10 000 €"
    assert entry.error.messages == [
        f"Les engagements ({format_eur(Decimal(15000))}) dépasseraient le prévu de la ligne "
        f"({format_eur(Decimal(10000))}) de {format_eur(Decimal(5000))}."
    ]
    assert committed(open_line) == 0


def test_a_commitment_on_a_line_deleted_meanwhile_is_refused_in_french(open_line, demo_user):
    commitment = commit(open_line, Decimal(5000))
    deletion = lambda: budget_line_delete(line=open_line, by=demo_user("finance"))  # noqa: E731
    with sessions() as begin:
        delete = begin("suppression", deletion, hold=True)
        entry = begin("engagement", commitment)
        wait_for_lock(entry)
        delete.commit()
    delete.outcome()
    assert entry.error is not None and entry.error.messages == [
        "Cette ligne a été supprimée entre-temps."
    ]
    assert not BudgetLine.objects.filter(pk=open_line.pk).exists()


# The contract signed meanwhile ------------------------------------------------------------


def signing(contract):
    """The contract's last signature being recorded: the contract locked, then signed."""

    def sign():
        lock_contract(contract.pk)
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.SIGNED)

    return sign


def test_a_line_saved_while_the_contract_is_signed_is_refused_once_it_is(contract, caf):
    """The budget page let the officer save (the contract was in preparation) while its last
    signature was being recorded: the save waits for it, then is refused — a signed
    contract's lines change only through an avenant."""
    post = new_post(1)
    with sessions() as begin:
        signature = begin("signature", signing(contract), hold=True)
        line = begin("ligne", create(contract, post, caf))
        wait_for_lock(line)
        signature.commit()
    signature.outcome()
    assert isinstance(line.error, PermissionDenied), line.error
    assert "son contenu ne change que par avenant" in str(line.error)
    assert not BudgetLine.objects.filter(contract=contract, post=post).exists()
