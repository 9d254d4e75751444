"""Budget line services: versions, no lost update, deletion that keeps the history; a signed
contract's lines changed only through an avenant, its execution open until it is frozen."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej.models import Amendment, AmendmentStatus, Contract, ContractStatus
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    Contribution,
    VersionKind,
)
from financing.services import (
    BudgetLineConflict,
    budget_line_delete,
    budget_line_save,
    execution_entry_delete,
    execution_entry_record,
)
from tests.factories import (
    ContractFactory,
    ExecutionEntryFactory,
    FicheFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(contract):
    return UserFactory(finance=True, territory=contract.territory, first_name="Marc")


def new_line(contract, post, year=2015, amount="45000", **kwargs):
    return BudgetLine(contract=contract, post=post, year=year, amount=Decimal(amount), **kwargs)


def save(line, **kwargs):
    return budget_line_save(line=line, **kwargs)


@pytest.fixture(autouse=True)
def _terms(caf_terms):
    """The CAF 50 % within 40 000 €, the Conseil général the rest (financing conftest)."""


def shares(line, partners) -> dict:
    return {key: line.contributions.get(partner=p).amount for key, p in partners.items()}


def test_creating_a_line_records_version_one_with_its_split_and_author(
    contract, coordination, partners, finance
):
    fiche = FicheFactory(objective=ObjectiveFactory(contract=contract), title="Coordination")
    line = save(
        new_line(contract, coordination, fiche=fiche, label="Poste de coordinatrice"),
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
    # 45 000 € new, no other receipts: the CAF 50 % of 40 000 € (its ceiling), the
    # Conseil général the rest.
    assert snapshot["contributions"] == {
        str(partners["caf"].pk): "20000.00",
        str(partners["cg"].pk): "25000.00",
    }
    assert snapshot["partners"][str(partners["cg"].pk)] == "Conseil général de test"
    assert (snapshot["other_receipts"], snapshot["continued"]) == ("0.00", False)
    assert (snapshot["actual_expenses"], snapshot["actual_receipts"]) == (None, None)
    assert shares(line, partners) == {"caf": Decimal("20000.00"), "cg": Decimal("25000.00")}


def test_the_split_follows_receipts_and_a_continued_action(
    contract, coordination, partners, finance
):
    line = save(new_line(contract, coordination, amount="30000"), by=finance)
    assert shares(line, partners) == {"caf": Decimal("15000.00"), "cg": Decimal("15000.00")}
    line.other_receipts, line.continued = Decimal("4000.50"), True
    save(line, by=finance, expected_version=1)
    # Net cost 25 999,50 €, at 60 %: 15 599,70 €.
    assert shares(line, partners) == {"caf": Decimal("15599.70"), "cg": Decimal("10399.80")}
    snapshot = BudgetLineVersion.objects.get(line=line, number=2).snapshot
    assert (snapshot["other_receipts"], snapshot["continued"]) == ("4000.50", True)
    assert snapshot["contributions"][str(partners["caf"].pk)] == "15599.70"


def test_receipts_above_the_amount_are_refused(contract, coordination, partners, finance):
    with pytest.raises(ValidationError) as error:
        save(
            new_line(contract, coordination, amount="1000", other_receipts=Decimal("1000.01")),
            by=finance,
        )
    assert error.value.message_dict["other_receipts"] == [
        "Les autres recettes prévues (1\u202f000,01\u00a0€) dépassent le montant prévu "
        "(1\u202f000,00\u00a0€) : le reste à charge serait négatif."
    ]
    assert not BudgetLine.objects.filter(contract=contract).exists()


def test_the_save_keeps_the_actual_figures_it_is_given_nothing_of(
    contract, coordination, partners, finance
):
    line = save(new_line(contract, coordination), by=finance)
    BudgetLine.objects.filter(pk=line.pk).update(
        actual_expenses=Decimal("44000"), actual_receipts=Decimal("0")
    )
    line.actual_expenses, line.label = Decimal("1"), "Relibellée"
    save(line, by=finance, expected_version=1)
    line.refresh_from_db()
    assert (line.label, line.actual_expenses) == ("Relibellée", Decimal("44000.00"))


def test_each_change_adds_a_version_and_a_change_of_nothing_adds_none(
    contract, coordination, partners, finance
):
    line = save(new_line(contract, coordination), by=finance)
    line.amount = Decimal("50000")
    save(line, by=finance, expected_version=1)
    same = BudgetLine.objects.get(pk=line.pk)
    save(same, by=finance, expected_version=2)
    line.refresh_from_db()
    assert line.version == 2
    versions = list(BudgetLineVersion.objects.filter(line=line).order_by("number"))
    assert [(v.number, v.kind) for v in versions] == [
        (1, VersionKind.CREATED),
        (2, VersionKind.CHANGED),
    ]
    # 50 000 €: the CAF still 20 000 € (its ceiling), the Conseil général 30 000 €.
    assert versions[1].snapshot["contributions"][str(partners["cg"].pk)] == "30000.00"


def test_a_save_based_on_an_old_version_writes_nothing(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), by=finance)
    first = BudgetLine.objects.get(pk=line.pk)
    second = BudgetLine.objects.get(pk=line.pk)
    first.label = "Premier"
    save(first, by=finance, expected_version=1)
    second.amount = Decimal("40000")
    with pytest.raises(BudgetLineConflict) as conflict:
        save(second, by=finance, expected_version=1)
    assert conflict.value.base["label"] == ""
    assert conflict.value.current["label"] == "Premier"
    assert conflict.value.latest.number == 2
    line.refresh_from_db()
    assert (line.version, line.amount, line.label) == (2, Decimal("45000.00"), "Premier")
    assert shares(line, partners) == {"caf": Decimal("20000.00"), "cg": Decimal("25000.00")}
    assert BudgetLineVersion.objects.filter(line=line).count() == 2


def test_a_refused_save_adds_no_version(contract, coordination, partners, finance):
    before = BudgetLineVersion.objects.count()  # the demo's own lines have theirs
    with pytest.raises(ValidationError):
        save(new_line(contract, coordination, amount="198000.01"), by=finance)
    assert BudgetLineVersion.objects.count() == before


def test_a_duplicate_line_is_a_validation_error_not_an_integrity_error(
    contract, coordination, partners
):
    save(new_line(contract, coordination, amount="1000"))
    with pytest.raises(ValidationError) as error:
        save(new_line(contract, coordination, amount="1000"))
    assert error.value.messages == ["Une ligne existe déjà pour ce poste et cette année."]


def test_deleting_a_line_keeps_its_history(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), by=finance)
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
    line = save(new_line(contract, coordination), by=finance)
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
    line = save(new_line(contract, coordination), by=finance)
    line.label = "Changée"
    save(line, by=finance, expected_version=1)
    with pytest.raises(BudgetLineConflict):
        budget_line_delete(line=line, by=finance, expected_version=1)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_only_finance_officers_of_the_territory_delete_lines(contract, coordination, partners):
    line = save(new_line(contract, coordination))
    for user in (
        UserFactory(cdaje=True, territory=contract.territory),
        UserFactory(finance=True),  # another territory
    ):
        with pytest.raises(PermissionDenied):
            budget_line_delete(line=line, by=user)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_execution_entries_do_not_add_versions(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), by=finance)
    entry = ExecutionEntryFactory.build(line=line, amount=Decimal("45000"))
    execution_entry_record(entry=entry, by=finance)
    assert entry.created_by == finance
    assert BudgetLineVersion.objects.filter(line=line).count() == 1


# --- a signed contract's planned lines change only through an avenant --------------------


def sign(contract, status=ContractStatus.SIGNED):
    """The contract signed (then, as `status` says, expired or terminated)."""
    Contract.objects.filter(pk=contract.pk).update(
        status=status, signed_on=datetime.date(2014, 10, 1)
    )
    contract.refresh_from_db()


def test_a_signed_contracts_lines_change_only_through_an_avenant(
    contract, coordination, communication, partners, finance
):
    line = save(new_line(contract, coordination), by=finance)
    sign(contract)
    line.amount = Decimal("50000")
    attempts = [
        lambda: save(line, by=finance, expected_version=1),
        lambda: save(new_line(contract, communication), by=finance),
        lambda: budget_line_delete(line=line, by=finance, expected_version=1),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        # No avenant is open: the refusal says how to open one.
        assert "Le contrat est signé : son contenu ne change que par avenant." in str(refused.value)
        assert "« Ouvrir un avenant »" in str(refused.value)
    stored = BudgetLine.objects.get(pk=line.pk)
    assert (stored.amount, stored.version) == (Decimal("45000.00"), 1)
    assert BudgetLine.objects.filter(contract=contract).count() == 1

    # What the application of a signed avenant does.
    amendment = Amendment.objects.create(
        contract=contract,
        number=1,
        title="Avenant n° 1",
        status=AmendmentStatus.SIGNED,
        signed_on=datetime.date(2015, 5, 26),
    )
    save(line, by=None, amendment=amendment)
    assert BudgetLineVersion.objects.get(line=line, number=2).amendment == amendment
    other = Amendment.objects.create(
        contract=ContractFactory(), number=1, title="Avenant d'un autre contrat"
    )
    with pytest.raises(ValidationError, match="Cet avenant relève d'un autre contrat"):
        save(line, amendment=other)


def test_execution_stays_open_on_a_signed_contract(contract, coordination, partners, finance):
    line = save(new_line(contract, coordination), by=finance)
    sign(contract)
    commitment = ExecutionEntryFactory.build(line=line, amount=Decimal("45000"))
    execution_entry_record(entry=commitment, by=finance)
    payment = ExecutionEntryFactory.build(line=line, kind="payment", amount=Decimal("30000"))
    execution_entry_record(entry=payment, by=finance)
    execution_entry_delete(entry=payment, by=finance)
    assert list(line.entries.values_list("kind", "amount")) == [("commitment", Decimal("45000.00"))]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ContractStatus.EXPIRED, "Le contrat est arrivé à échéance : il est figé"),
        (ContractStatus.TERMINATED, "Le contrat est résilié : il est figé"),
    ],
)
def test_an_expired_or_terminated_contract_is_frozen(
    contract, coordination, partners, finance, status, reason
):
    line = save(new_line(contract, coordination), by=finance)
    commitment = ExecutionEntryFactory(line=line, amount=Decimal("45000"))
    sign(contract, status)
    line.label = "Changée"
    with pytest.raises(PermissionDenied, match=reason):
        save(line, by=finance)
    with pytest.raises(PermissionDenied, match=reason):
        execution_entry_record(
            entry=ExecutionEntryFactory.build(line=line, kind="payment", amount=Decimal("1")),
            by=finance,
        )
    with pytest.raises(PermissionDenied, match=reason):
        execution_entry_delete(entry=commitment, by=finance)
    assert line.entries.count() == 1 and BudgetLine.objects.get(pk=line.pk).label == ""
