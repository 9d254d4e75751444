"""Role × action → allowed or refused, as one table, on a contract in preparation; every
workflow transition; and on the signed contract, nothing directly: its fiches change only
through an avenant."""

import pytest

from fiches.models import Fiche, FicheStatus
from fiches.permissions import can_create_fiche, can_edit_fiche, can_restore_version, can_transition
from fiches.workflow import TRANSITIONS
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

S = FicheStatus
ACTIONS = ["edit", "restore", "create", *TRANSITIONS]

# What each role may do to a fiche in each status. Roles: the demo accounts, plus a CDAJE
# writer without the coordinator permission and CDAJE staff of another territory.
EXPECTED = {
    # role: {status: set of allowed actions}
    "admin": {
        S.DRAFT: {"edit", "restore", "create", "submit", "withdraw"},
        S.SUBMITTED: {"edit", "restore", "create", "return_to_draft", "validate", "withdraw"},
        S.VALIDATED: {"create", "reopen"},
        S.REOPENED: {"edit", "restore", "create", "submit", "withdraw"},
        S.WITHDRAWN: {"create", "reinstate"},
    },
    "cdaje": {
        S.DRAFT: {"edit", "restore", "create", "submit", "withdraw"},
        S.SUBMITTED: {"edit", "restore", "create", "return_to_draft", "validate", "withdraw"},
        S.VALIDATED: {"create", "reopen"},
        S.REOPENED: {"edit", "restore", "create", "submit", "withdraw"},
        S.WITHDRAWN: {"create", "reinstate"},
    },
    "writer": {
        S.DRAFT: {"edit", "restore", "create", "submit", "withdraw"},
        S.SUBMITTED: {"edit", "restore", "create", "return_to_draft", "withdraw"},
        S.VALIDATED: {"create"},
        S.REOPENED: {"edit", "restore", "create", "submit", "withdraw"},
        S.WITHDRAWN: {"create", "reinstate"},
    },
    "other_territory": {status: set() for status in S.values},
    "finance": {status: set() for status in S.values},
    "partner-cg": {status: set() for status in S.values},
    "partner-caf": {status: set() for status in S.values},
    "partner-msa": {status: set() for status in S.values},
}


@pytest.fixture
def users(demo, demo_user):
    users = {name: demo_user(name) for name in ["admin", "cdaje", "finance", *PARTNERS]}
    users["writer"] = UserFactory(cdaje_writer=True, territory=demo.contract.territory)
    users["other_territory"] = UserFactory(cdaje=True, territory=ContractFactory().territory)
    return users


PARTNERS = ["partner-cg", "partner-caf", "partner-msa"]


def decide(user, fiche, action):
    if action == "edit":
        return can_edit_fiche(user, fiche)
    if action == "restore":
        return can_restore_version(user, fiche)
    if action == "create":
        return can_create_fiche(user, fiche.contract)
    return can_transition(user, fiche, action)


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("status", S.values)
def test_role_action_matrix(users, contract_in_preparation, role, status):
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=1)
    fiche.status = status
    allowed = {a for a in ACTIONS if decide(users[role], fiche, a)[0]}
    assert allowed == EXPECTED[role][status]


@pytest.mark.parametrize("role", ["finance", "partner-caf", "other_territory"])
def test_every_refusal_says_why_in_french(users, contract_in_preparation, role):
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=1)
    fiche.status = S.DRAFT
    for action in ACTIONS:
        allowed, reason = decide(users[role], fiche, action)
        assert not allowed
        assert reason and reason[0].isupper() and reason.endswith("."), (action, reason)


def test_a_validated_fiche_is_read_only_until_reopened(users, contract_in_preparation):
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=1)
    assert can_edit_fiche(users["cdaje"], fiche) == (
        False,
        "La CDAJE a rendu un avis favorable sur cette fiche : rouvrez-la pour la modifier.",
    )


def test_a_refused_transition_names_the_statuses_it_starts_from(users, contract_in_preparation):
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=1)  # validated
    allowed, reason = can_transition(users["cdaje"], fiche, "submit")
    assert not allowed
    assert "« Avis favorable de la CDAJE »" in reason and "« Brouillon »" in reason


@pytest.mark.parametrize(
    ("name", "source", "target"),
    [(t.name, source, t.target) for t in TRANSITIONS.values() for source in sorted(t.sources)],
)
def test_every_transition_of_the_table(users, contract_in_preparation, name, source, target):
    import datetime

    from fiches.services import fiche_transition

    fiche = Fiche.objects.get(contract=contract_in_preparation, number=2)
    Fiche.objects.filter(pk=fiche.pk).update(
        status=source, validated_on=datetime.date(2014, 2, 11) if source == S.VALIDATED else None
    )
    fiche.refresh_from_db()
    moved = fiche_transition(
        fiche=fiche, name=name, by=users["cdaje"], plenary_date=datetime.date(2014, 3, 1)
    )
    assert moved.status == target
    assert moved.versions.order_by("-number").first().action == str(TRANSITIONS[name].label)
    if target == S.VALIDATED:
        assert moved.validated_on == datetime.date(2014, 3, 1)
    else:
        assert moved.validated_on is None


@pytest.mark.parametrize(
    ("name", "source"),
    [
        (t.name, source)
        for t in TRANSITIONS.values()
        for source in S.values
        if source not in t.sources
    ],
)
def test_every_transition_outside_the_table_is_refused(
    users, contract_in_preparation, name, source
):
    import datetime

    from django.core.exceptions import PermissionDenied

    from fiches.services import fiche_transition

    fiche = Fiche.objects.get(contract=contract_in_preparation, number=2)
    Fiche.objects.filter(pk=fiche.pk).update(
        status=source, validated_on=datetime.date(2014, 2, 11) if source == S.VALIDATED else None
    )
    fiche.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Impossible depuis le statut"):
        fiche_transition(
            fiche=fiche, name=name, by=users["cdaje"], plenary_date=datetime.date(2014, 3, 1)
        )
    fiche.refresh_from_db()
    assert fiche.status == source


@pytest.mark.parametrize("role", ["admin", "cdaje", "writer"])
def test_on_the_signed_contract_no_one_changes_a_fiche_directly(users, demo_contract, role):
    """What each role may do in preparation, refused once the contract is signed, with the
    open avenant (n° 2) as the way to propose it."""
    fiche = Fiche.objects.get(contract=demo_contract, number=1)
    for status, actions in EXPECTED[role].items():
        fiche.status = status
        for action in actions:
            allowed, reason = decide(users[role], fiche, action)
            assert not allowed, (status, action)
            assert "ne change que par avenant" in reason and "avenant n° 2 en cours" in reason
