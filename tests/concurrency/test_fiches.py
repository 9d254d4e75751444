"""Two people saving or moving the same fiche at the same moment: exactly one wins, the other
is told, and what is stored is the winner's — never a silent overwrite. On the demo contract
put back in preparation: a signed contract's fiches change only through an avenant."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from cej.locking import lock_contract
from cej.models import Contract, ContractStatus
from fiches import services
from fiches.models import Fiche, FicheStatus
from financing import services as financing_services
from financing.models import BudgetLine, BudgetPost, Instrument
from tests.concurrency.sessions import Pause, at_once, sessions, wait_for_lock
from tests.financing.conftest import make_room_in_2015

pytestmark = pytest.mark.django_db(transaction=True)

PLENARY = datetime.date(2015, 3, 10)


@pytest.fixture
def fiche(contract_in_preparation):
    """Fiche 3 of the demo, its contract in preparation, reopened so that it can be edited."""
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=3)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED, validated_on=None)
    fiche.refresh_from_db()
    return fiche


def edit(fiche, user, **changes):
    """`user` saves `changes` from the version they opened (`fiche.version`)."""
    fresh = Fiche.objects.get(pk=fiche.pk)
    return lambda: services.fiche_update(
        fiche=fresh,
        changes=changes,
        associated_partners=list(fresh.associated_partners.all()),
        aims=list(fresh.aims.all()),
        expected_version=fiche.version,
        by=user,
    )


def move(fiche, name, user, **kwargs):
    fresh = Fiche.objects.get(pk=fiche.pk)
    return lambda: services.fiche_transition(fiche=fresh, name=name, by=user, **kwargs)


def test_a_save_made_while_another_is_being_committed_is_refused(fiche, demo_user):
    opened = fiche.version
    with sessions() as begin:
        alice = begin("Alice", edit(fiche, demo_user("admin"), title="Titre d'Alice"), hold=True)
        sophie = begin("Sophie", edit(fiche, demo_user("cdaje"), findings="<p>Constat</p>"))
        wait_for_lock(sophie)  # Sophie's save waits for Alice's transaction…
        alice.commit()  # …which commits: Sophie's is then refused.
    assert alice.outcome().version == opened + 1
    with pytest.raises(services.EditConflict) as conflict:
        sophie.outcome()
    assert conflict.value.base_number == opened
    assert conflict.value.latest.number == opened + 1
    assert conflict.value.current["title"] == "Titre d'Alice"
    stored = Fiche.objects.get(pk=fiche.pk)
    assert (stored.version, stored.title) == (opened + 1, "Titre d'Alice")
    assert "Constat" not in stored.findings
    assert list(stored.versions.values_list("number", flat=True).order_by("number")) == [
        *range(1, opened + 2)
    ]


def test_of_two_saves_released_together_exactly_one_is_stored(fiche, demo_user):
    opened = fiche.version
    for round_ in range(3):
        alice, sophie = at_once(
            edit(fiche, demo_user("admin"), title=f"Alice {round_}"),
            edit(fiche, demo_user("cdaje"), title=f"Sophie {round_}"),
        )
        winners = [s for s in (alice, sophie) if s.error is None]
        losers = [s for s in (alice, sophie) if s.error is not None]
        assert len(winners) == 1, (alice, sophie)
        assert isinstance(losers[0].error, services.EditConflict), losers[0].error
        fiche.refresh_from_db()
        assert fiche.version == opened + round_ + 1
        assert fiche.title == winners[0].result.title
        assert losers[0].error.current["title"] == fiche.title
    assert fiche.versions.count() == opened + 3


def test_two_editors_posting_at_once_get_one_save_and_one_conflict_page(fiche, demo_user):
    """The same through the edit page: one is saved, the other sees the French conflict
    page (409) with their text kept."""
    url = f"/contracts/{fiche.contract.slug}/fiches/{fiche.number}/edit/"
    opened = {
        "version": fiche.version,
        "objective": fiche.objective_id,
        "title": fiche.title,
        "findings": fiche.findings,
        "goals": fiche.goals,
        "actions": fiche.actions,
        "target_public": fiche.target_public,
        "lead_partner": fiche.lead_partner_id or "",
        "associated_partners": [p.pk for p in fiche.associated_partners.all()],
        "calendar": fiche.calendar,
        "indicators": fiche.indicators,
        "budget_note": fiche.budget_note,
        "aims": [a.pk for a in fiche.aims.all()],
    }

    def post(username, **changes):
        client = Client()
        client.force_login(demo_user(username))
        return lambda: client.post(url, {**opened, **changes})

    responses = [
        s.outcome()
        for s in at_once(
            post("admin", title="Titre d'Alice"),
            post("cdaje", findings="<p>Constat de Sophie</p>"),
        )
    ]
    assert sorted(r.status_code for r in responses) == [302, 409]
    conflict = next(r for r in responses if r.status_code == 409)
    html = re.sub(r"\s+", " ", conflict.content.decode())
    assert "Quelqu’un a enregistré cette fiche pendant que vous la modifiiez" in html
    fiche.refresh_from_db()
    assert fiche.version == opened["version"] + 1
    saved_by_alice = fiche.title == "Titre d'Alice"
    assert saved_by_alice != ("Constat de Sophie" in fiche.findings)
    assert ("Constat de Sophie" if saved_by_alice else "Titre d&#x27;Alice") in html


def test_two_fiches_created_at_once_take_the_next_two_numbers(contract_in_preparation, demo_user):
    contract = contract_in_preparation
    objective = contract.objectives.get(number=2)

    def create(user, title):
        return lambda: services.fiche_create(
            contract=contract,
            changes={"objective": objective, "title": title},
            associated_partners=[],
            aims=[],
            by=user,
        )

    created = at_once(create(demo_user("cdaje"), "Première"), create(demo_user("admin"), "Seconde"))
    # After the 14 signed fiches and n° 15, added by avenant n° 1.
    assert sorted(s.outcome().number for s in created) == [16, 17]
    assert Fiche.objects.filter(contract=contract).count() == 17


def test_the_same_transition_twice_at_once_happens_once(fiche, demo_user):
    first, second = at_once(
        move(fiche, "submit", demo_user("cdaje")), move(fiche, "submit", demo_user("admin"))
    )
    outcomes = [s.error for s in (first, second)]
    assert sum(e is None for e in outcomes) == 1, (first, second)
    refusal = next(e for e in outcomes if e is not None)
    assert isinstance(refusal, PermissionDenied)
    assert str(refusal).startswith("Impossible depuis le statut « Soumise »")
    stored = Fiche.objects.get(pk=fiche.pk)
    assert (stored.status, stored.version) == (FicheStatus.SUBMITTED, fiche.version + 1)
    assert stored.versions.filter(action="Soumettre à la CDAJE").count() == 1


def test_a_transition_committed_first_refuses_the_other(fiche, demo_user):
    """Withdrawn by one while the other validates it: the validation waits, then is refused
    from the status the withdrawal left."""
    services.fiche_transition(fiche=fiche, name="submit", by=demo_user("cdaje"))
    fiche.refresh_from_db()
    with sessions() as begin:
        withdraw = begin("retrait", move(fiche, "withdraw", demo_user("cdaje")), hold=True)
        validate = begin(
            "validation", move(fiche, "validate", demo_user("admin"), plenary_date=PLENARY)
        )
        wait_for_lock(validate)
        withdraw.commit()
    assert withdraw.outcome().status == FicheStatus.WITHDRAWN
    with pytest.raises(PermissionDenied, match="Impossible depuis le statut « Retirée »"):
        validate.outcome()
    stored = Fiche.objects.get(pk=fiche.pk)
    assert (stored.status, stored.validated_on) == (FicheStatus.WITHDRAWN, None)


def test_an_edit_racing_a_validation_is_refused_not_applied_to_the_validated_text(fiche, demo_user):
    services.fiche_transition(fiche=fiche, name="submit", by=demo_user("cdaje"))
    fiche.refresh_from_db()
    with sessions() as begin:
        validate = begin(
            "validation",
            move(fiche, "validate", demo_user("admin"), plenary_date=PLENARY),
            hold=True,
        )
        editor = begin("édition", edit(fiche, demo_user("cdaje"), title="Titre tardif"))
        wait_for_lock(editor)
        validate.commit()
    assert validate.outcome().status == FicheStatus.VALIDATED
    with pytest.raises(services.EditConflict):
        editor.outcome()
    stored = Fiche.objects.get(pk=fiche.pk)
    assert stored.status == FicheStatus.VALIDATED and stored.title != "Titre tardif"


def test_validating_a_fiche_while_a_line_is_budgeted_for_it_does_not_deadlock(
    fiche, demo_user, monkeypatch
):
    """The finance officer's save of a line naming the fiche has locked the contract when
    the fiche is validated. Both must go through, one after the other: a validation that
    locked the fiche before the contract would wait for the contract while the line waits
    for the fiche, and PostgreSQL would kill one of them as a deadlock."""
    services.fiche_transition(fiche=fiche, name="submit", by=demo_user("cdaje"))
    fiche.refresh_from_db()
    make_room_in_2015(fiche.contract)  # every year is fully allocated since avenant n° 1
    paused = Pause(monkeypatch, financing_services, "lock_contract", session="budget")
    post = BudgetPost.objects.create(
        code="poste-test", label="Poste de test", instrument=Instrument.CEJ, order=99
    )
    line = BudgetLine(
        contract=fiche.contract, year=2015, post=post, fiche=fiche, amount=Decimal(10000)
    )
    with sessions() as begin:
        budget = begin(
            "budget",
            lambda: financing_services.budget_line_save(line=line),
        )
        paused.wait()  # the contract is locked, the line not written yet
        validate = begin(
            "validation", move(fiche, "validate", demo_user("admin"), plenary_date=PLENARY)
        )
        wait_for_lock(validate)
        paused.go_on()
    assert budget.outcome().fiche_id == fiche.pk
    assert validate.outcome().status == FicheStatus.VALIDATED


def test_an_edit_and_a_transition_of_the_same_fiche_do_not_deadlock(fiche, demo_user, monkeypatch):
    """The edit has written the fiche but not yet its version when the fiche is submitted:
    the submission waits for the edit, then goes through. Both lock the contract before
    the fiche, so neither can hold what the other waits for."""
    paused = Pause(monkeypatch, services, "record_version", session="édition", after=False)
    with sessions() as begin:
        editor = begin("édition", edit(fiche, demo_user("admin"), title="Titre d'Alice"))
        paused.wait()
        submit = begin("soumission", move(fiche, "submit", demo_user("cdaje")))
        wait_for_lock(submit)
        paused.go_on()
    assert editor.outcome().title == "Titre d'Alice"
    stored = submit.outcome()
    assert (stored.status, stored.title, stored.version) == (
        FicheStatus.SUBMITTED,
        "Titre d'Alice",
        fiche.version + 2,
    )


def test_an_edit_made_while_the_contract_is_signed_is_refused_once_it_is(fiche, demo_user):
    """The edit page let Sophie save (the contract was in preparation) while its last
    signature was being recorded: her save waits for it, then is refused — a signed
    contract's fiches change only through an avenant."""

    def signing():
        lock_contract(fiche.contract_id)
        Contract.objects.filter(pk=fiche.contract_id).update(status=ContractStatus.SIGNED)

    with sessions() as begin:
        signature = begin("signature", signing, hold=True)
        sophie = begin("Sophie", edit(fiche, demo_user("cdaje"), title="Titre tardif"))
        wait_for_lock(sophie)
        signature.commit()
    signature.outcome()
    with pytest.raises(PermissionDenied, match="son contenu ne change que par avenant"):
        sophie.outcome()
    stored = Fiche.objects.get(pk=fiche.pk)
    assert (stored.title, stored.version) == (fiche.title, fiche.version)
