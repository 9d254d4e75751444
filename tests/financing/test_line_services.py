"""Budget line services: versions, no lost update, deletion that keeps the history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from financing.models import BudgetLine, BudgetLineVersion, Contribution, VersionKind
from financing.services import (
    BudgetLineConflict,
    budget_line_delete,
    budget_line_save,
    execution_entry_record,
)
from tests.factories import ExecutionEntryFactory, FicheFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(contract):
    return UserFactory(finance=True, territory=contract.territory, first_name="Marc")


def new_line(contract, post, year=2015, amount="45000", **kwargs):
    return BudgetLine(contract=contract, post=post, year=year, amount=Decimal(amount), **kwargs)


def save(line, split, **kwargs):
    return budget_line_save(
        line=line, contributions={p: Decimal(a) for p, a in split.items()}, **kwargs
    )


def test_creating_a_line_records_version_one_with_its_split_and_author(
    contract, coordination, partners, finance
):
    fiche = FicheFactory(objective=ObjectiveFactory(contract=contract), title="Coordination")
    line = save(
        new_line(contract, coordination, fiche=fiche, label="Poste de coordinatrice"),
        {partners["caf"]: "30000", partners["cg"]: "15000"},
        by=finance,
    )
    version = BudgetLineVersion.objects.get(line=line)
    assert (version.line, version.line_ref, version.contract, version.number) == (
        line,
        line.pk,
        contract,
        1,
    )
    assert (version.kind, version.action, version.author) == (
        VersionKind.CREATED,
        "Création",
        finance,
    )
    assert version.label == f"2015 — Coordination — fiche {fiche.number} — Poste de coordinatrice"
    snapshot = version.snapshot
    assert snapshot["year"] == 2015 and snapshot["amount"] == "45000.00"
    assert snapshot["post_id"] == coordination.pk and snapshot["post"] == "Coordination"
    assert snapshot["fiche_id"] == fiche.pk
    assert snapshot["contributions"] == {
        str(partners["caf"].pk): "30000.00",
        str(partners["cg"].pk): "15000.00",
    }
    assert snapshot["partners"][str(partners["cg"].pk)] == "Conseil général de test"


def test_each_change_adds_a_version_and_a_change_of_nothing_adds_none(
    contract, coordination, partners, finance
):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    line.amount = Decimal("50000")
    save(line, {partners["caf"]: "45000", partners["cg"]: "5000"}, by=finance, expected_version=1)
    same = BudgetLine.objects.get(pk=line.pk)
    save(same, {partners["caf"]: "45000", partners["cg"]: "5000"}, by=finance, expected_version=2)
    line.refresh_from_db()
    assert line.version == 2
    versions = list(BudgetLineVersion.objects.filter(line=line).order_by("number"))
    assert [(v.number, v.kind) for v in versions] == [
        (1, VersionKind.CREATED),
        (2, VersionKind.CHANGED),
    ]
    assert versions[1].snapshot["contributions"][str(partners["cg"].pk)] == "5000.00"


def test_a_save_based_on_an_old_version_writes_nothing(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    first = BudgetLine.objects.get(pk=line.pk)
    second = BudgetLine.objects.get(pk=line.pk)
    first.label = "Premier"
    save(first, {partners["caf"]: "45000"}, by=finance, expected_version=1)
    second.amount = Decimal("40000")
    with pytest.raises(BudgetLineConflict) as conflict:
        save(second, {partners["caf"]: "40000"}, by=finance, expected_version=1)
    assert conflict.value.base["label"] == ""
    assert conflict.value.current["label"] == "Premier"
    assert conflict.value.latest.number == 2
    line.refresh_from_db()
    assert (line.version, line.amount, line.label) == (2, Decimal("45000.00"), "Premier")
    assert Contribution.objects.get(line=line).amount == Decimal("45000.00")
    assert BudgetLineVersion.objects.filter(line=line).count() == 2


def test_a_refused_save_adds_no_version(contract, coordination, partners, finance):
    before = BudgetLineVersion.objects.count()  # the demo's own lines have theirs
    with pytest.raises(ValidationError):
        save(new_line(contract, coordination), {partners["caf"]: "1"}, by=finance)
    assert BudgetLineVersion.objects.count() == before


def test_a_duplicate_line_is_a_validation_error_not_an_integrity_error(
    contract, coordination, partners
):
    save(new_line(contract, coordination, amount="1000"), {partners["caf"]: "1000"})
    with pytest.raises(ValidationError) as error:
        save(new_line(contract, coordination, amount="1000"), {partners["caf"]: "1000"})
    assert error.value.messages == ["Une ligne existe déjà pour ce poste et cette année."]


def test_deleting_a_line_keeps_its_history(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    pk = line.pk
    version = budget_line_delete(line=line, by=finance, expected_version=1)
    assert not BudgetLine.objects.filter(pk=pk).exists()
    assert not Contribution.objects.filter(line_id=pk).exists()
    versions = BudgetLineVersion.objects.filter(line_ref=pk).order_by("number")
    assert [(v.number, v.kind, v.line_id) for v in versions] == [
        (1, VersionKind.CREATED, None),
        (2, VersionKind.DELETED, None),
    ]
    assert version.label == "2015 — Coordination"
    assert versions[1].snapshot["amount"] == "45000.00"


def test_a_line_with_execution_entries_cannot_be_deleted(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    ExecutionEntryFactory(line=line, amount=Decimal("100"))
    with pytest.raises(ValidationError) as error:
        budget_line_delete(line=line, by=finance)
    assert error.value.messages == [
        "Cette ligne ne peut pas être supprimée : 1 engagement ou paiement y est déjà saisi. "
        "Une ligne exécutée reste au budget, pour que ses dépenses gardent leur ligne."
    ]
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert BudgetLineVersion.objects.filter(line=line).count() == 1


def test_deleting_from_an_old_version_is_refused(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    line.label = "Changée"
    save(line, {partners["caf"]: "45000"}, by=finance, expected_version=1)
    with pytest.raises(BudgetLineConflict):
        budget_line_delete(line=line, by=finance, expected_version=1)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_only_finance_officers_of_the_territory_delete_lines(contract, coordination, partners):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"})
    for user in (
        UserFactory(cdaje=True, territory=contract.territory),
        UserFactory(finance=True),  # another territory
    ):
        with pytest.raises(PermissionDenied):
            budget_line_delete(line=line, by=user)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_execution_entries_do_not_add_versions(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), {partners["caf"]: "45000"}, by=finance)
    entry = ExecutionEntryFactory.build(line=line, amount=Decimal("45000"))
    execution_entry_record(entry=entry, by=finance)
    assert entry.created_by == finance
    assert BudgetLineVersion.objects.filter(line=line).count() == 1
