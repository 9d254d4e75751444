import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej.models import Contract, ContractStatus
from fiches.models import Fiche, FicheStatus, FicheVersion
from fiches.services import (
    EditConflict,
    fiche_create,
    fiche_restore,
    fiche_transition,
    fiche_update,
)

pytestmark = pytest.mark.django_db


def edit(fiche, user, expected_version=None, **changes):
    return fiche_update(
        fiche=fiche,
        changes=changes,
        associated_partners=list(fiche.associated_partners.all()),
        aims=list(fiche.aims.all()),
        expected_version=fiche.version if expected_version is None else expected_version,
        by=user,
    )


def test_a_saved_change_is_kept_with_who_and_when(fiche, demo_user):
    cdaje = demo_user("cdaje")
    saved = edit(fiche, cdaje, title="Accueil en horaires atypiques")
    assert saved.version == fiche.version + 1
    version = saved.versions.get(number=saved.version)
    assert (version.author, version.action) == (cdaje, "Modification")
    assert version.snapshot["title"] == "Accueil en horaires atypiques"
    assert saved.updated_by == cdaje


def test_saving_without_any_change_adds_no_version(fiche, demo_user):
    saved = edit(fiche, demo_user("cdaje"), title=fiche.title)
    assert saved.version == fiche.version
    assert fiche.versions.count() == 1


def test_the_second_of_two_concurrent_saves_is_refused(fiche, demo_user):
    cdaje, admin = demo_user("cdaje"), demo_user("admin")
    opened_at = fiche.version
    edit(fiche, admin, expected_version=opened_at, title="Titre de l'administratrice")
    with pytest.raises(EditConflict) as conflict:
        edit(fiche, cdaje, expected_version=opened_at, findings="<p>Mon constat</p>")
    assert conflict.value.base_number == opened_at
    assert conflict.value.current["title"] == "Titre de l'administratrice"
    assert conflict.value.base["title"] != conflict.value.current["title"]
    assert conflict.value.latest.author == admin
    fiche.refresh_from_db()
    assert fiche.title == "Titre de l'administratrice"
    assert "Mon constat" not in fiche.findings


def test_formatted_text_is_sanitized_before_it_is_stored(fiche, demo_user):
    saved = edit(
        fiche,
        demo_user("cdaje"),
        findings='<p onmouseover="steal()">Constat <script>alert(1)</script><b>gras</b>'
        '<a href="javascript:alert(1)">lien</a> <span style="color:red">rouge</span></p>',
    )
    assert saved.findings == (
        '<p>Constat <b>gras</b><a rel="noopener noreferrer nofollow">lien</a> rouge</p>'
    )


def test_a_validated_fiche_cannot_be_edited(contract_in_preparation, demo_user):
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=1)
    with pytest.raises(PermissionDenied, match="avis favorable sur cette fiche"):
        edit(fiche, demo_user("cdaje"), title="Autre")


def test_finance_officers_cannot_edit(fiche, demo_user):
    with pytest.raises(PermissionDenied, match="Seule l'équipe CDAJE"):
        edit(fiche, demo_user("finance"), title="Autre")


def test_a_fiche_moves_only_to_an_objective_of_its_contract(fiche, demo_user):
    from tests.factories import ObjectiveFactory

    foreign = ObjectiveFactory()
    with pytest.raises(ValidationError):
        edit(fiche, demo_user("cdaje"), objective=foreign)
    fiche.refresh_from_db()
    assert fiche.objective.contract == fiche.contract


def test_moving_a_fiche_to_another_objective(fiche, demo_user):
    third = fiche.contract.objectives.get(number=3)
    saved = edit(fiche, demo_user("cdaje"), objective=third)
    assert (saved.objective, saved.number) == (third, 3)


def test_a_new_fiche_takes_the_next_number_as_a_draft(contract_in_preparation, demo_user):
    contract = contract_in_preparation
    fiche = fiche_create(
        contract=contract,
        changes={"objective": contract.objectives.get(number=2), "title": "Nouvelle"},
        associated_partners=[],
        aims=[],
        by=demo_user("cdaje"),
    )
    # After the 14 signed fiches and n° 15, added by avenant n° 1.
    assert (fiche.number, fiche.status, fiche.version) == (16, FicheStatus.DRAFT, 1)
    assert fiche.versions.get().action == "Création"


def test_partners_cannot_create_fiches(demo_contract, demo_user):
    with pytest.raises(PermissionDenied):
        fiche_create(
            contract=demo_contract,
            changes={"objective": demo_contract.objectives.first(), "title": "Nouvelle"},
            associated_partners=[],
            aims=[],
            by=demo_user("partner-caf"),
        )


def test_restoring_an_old_version_adds_a_version_and_erases_nothing(fiche, demo_user):
    cdaje = demo_user("cdaje")
    original_title = fiche.title
    edit(fiche, cdaje, title="Premier changement")
    fiche.refresh_from_db()
    edit(fiche, cdaje, title="Second changement")
    fiche.refresh_from_db()
    restored = fiche_restore(fiche=fiche, version=fiche.versions.get(number=1), by=cdaje)
    assert restored.title == original_title
    assert list(restored.versions.order_by("number").values_list("action", flat=True)) == [
        "Avis favorable de la CDAJE en plénière (reprise des fiches)",
        "Modification",
        "Modification",
        "Restauration de la version 1",
    ]
    assert FicheVersion.objects.filter(fiche=fiche, snapshot__title="Second changement").exists()


def test_a_signed_contracts_fiches_change_only_through_an_avenant(demo_contract, demo_user):
    cdaje = demo_user("cdaje")
    fiche = Fiche.objects.get(contract=demo_contract, number=3)
    with pytest.raises(PermissionDenied, match="ne change que par avenant"):
        edit(fiche, cdaje, title="Autre")
    with pytest.raises(PermissionDenied, match="avenant n° 2 en cours"):
        fiche_transition(fiche=fiche, name="reopen", by=cdaje)
    with pytest.raises(PermissionDenied, match="ne change que par avenant"):
        fiche_create(
            contract=demo_contract,
            changes={"objective": demo_contract.objectives.first(), "title": "Nouvelle"},
            associated_partners=[],
            aims=[],
            by=cdaje,
        )
    assert fiche.versions.count() == 1
    assert not Fiche.objects.filter(contract=demo_contract, number=16).exists()


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ContractStatus.EXPIRED, "Le contrat est arrivé à échéance : il est figé"),
        (ContractStatus.TERMINATED, "Le contrat est résilié : il est figé"),
    ],
)
def test_an_expired_or_terminated_contract_is_frozen(fiche, demo_user, status, reason):
    Contract.objects.filter(pk=fiche.contract_id).update(status=status)
    fiche.contract.refresh_from_db()
    with pytest.raises(PermissionDenied, match=reason):
        edit(fiche, demo_user("cdaje"), title="Autre")
