import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from financing.models import BudgetLine, Contribution, ExecutionEntry, ExecutionKind
from tests.factories import BudgetLineFactory, FicheFactory, ObjectiveFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


def line(contract, post, year=2015, amount="10000", **kwargs) -> BudgetLine:
    return BudgetLine(contract=contract, post=post, year=year, amount=Decimal(amount), **kwargs)


def test_a_line_within_the_contract_and_envelope_is_valid(contract, coordination):
    line(contract, coordination, amount="198000").full_clean()


def test_a_line_year_must_be_within_the_contract(contract, coordination):
    with pytest.raises(ValidationError) as error:
        line(contract, coordination, year=2018).full_clean()
    assert "L'année 2018 est hors de la période du contrat (2014–2017)." in messages(error.value)


def test_planned_amount_is_never_negative(contract, coordination):
    with pytest.raises(ValidationError):
        line(contract, coordination, amount="-1").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLineFactory(contract=contract, post=coordination, amount=Decimal("-1"))


def test_a_year_never_exceeds_the_envelope_and_says_by_how_much(
    contract, coordination, communication
):
    BudgetLineFactory(contract=contract, post=coordination, year=2015, amount=Decimal("150000"))
    BudgetLineFactory(contract=contract, post=communication, year=2015, amount=Decimal("48000"))
    extra = line(
        contract,
        coordination,
        year=2015,
        amount="12000",
        fiche=FicheFactory(objective=ObjectiveFactory(contract=contract)),
    )
    with pytest.raises(ValidationError) as error:
        extra.full_clean()
    text = messages(error.value)
    assert "L'enveloppe 2015 serait dépassée de 12\u202f000,00\u00a0€" in text
    assert "198\u202f000,00\u00a0€ déjà prévus sur les autres lignes" in text


def test_the_envelope_check_ignores_the_line_being_edited(contract, coordination):
    existing = BudgetLineFactory(
        contract=contract, post=coordination, year=2015, amount=Decimal("198000")
    )
    existing.amount = Decimal("197000")
    existing.full_clean()


def test_another_year_has_its_own_envelope(contract, coordination):
    BudgetLineFactory(contract=contract, post=coordination, year=2014, amount=Decimal("198000"))
    line(contract, coordination, year=2015, amount="198000").full_clean()


def test_annex_lines_only_within_the_convention_years(contract, disability_scheme):
    line(contract, disability_scheme, year=2014).full_clean()
    with pytest.raises(ValidationError) as error:
        line(contract, disability_scheme, year=2016).full_clean()
    assert "La convention annexe ne couvre pas 2016" in messages(error.value)


def test_an_annex_line_picks_the_convention_that_covers_its_year(contract, disability_scheme):
    annex_line = line(contract, disability_scheme, year=2014)
    annex_line.full_clean()
    assert annex_line.annex_convention == contract.annex_conventions.get()
    assert annex_line.get_instrument_display() == "Convention annexe"


def test_a_cej_post_is_not_financed_by_the_annex_convention(contract, coordination):
    wrong = line(
        contract, coordination, year=2014, annex_convention=contract.annex_conventions.get()
    )
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert "est financé par le CEJ" in messages(error.value)


def test_a_line_names_only_a_fiche_of_its_contract(contract, coordination):
    foreign = FicheFactory()
    with pytest.raises(ValidationError, match="autre contrat"):
        line(contract, coordination, fiche=foreign).full_clean()


def test_one_line_per_post_year_and_fiche(contract, coordination):
    BudgetLineFactory(contract=contract, post=coordination, year=2015)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLineFactory(contract=contract, post=coordination, year=2015)
    fiche = FicheFactory(objective=ObjectiveFactory(contract=contract))
    BudgetLineFactory(contract=contract, post=coordination, year=2015, fiche=fiche)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLineFactory(contract=contract, post=coordination, year=2015, fiche=fiche)


def test_the_shares_add_up_to_the_net_cost_exactly(contract, coordination):
    planned = line(contract, coordination, amount="45000")
    planned.other_receipts = Decimal("5000")
    assert planned.net_cost == Decimal("40000.00")
    assert planned.contributions_error([Decimal("30000"), Decimal("10000")]) is None
    short = planned.contributions_error([Decimal("30000"), Decimal("5000")])
    assert short == (
        "Les parts des parties totalisent 35\u202f000,00\u00a0€ pour un reste à charge de "
        "40\u202f000,00\u00a0€ (manque de 5\u202f000,00\u00a0€)."
    )
    over = planned.contributions_error([Decimal("30000"), Decimal("10000.01")])
    assert "excédent de 0,01\u00a0€" in over


def test_a_contribution_comes_from_a_party(contract, coordination, partners):
    budget_line = BudgetLineFactory(contract=contract, post=coordination)
    Contribution(line=budget_line, partner=partners["caf"], amount=Decimal("1")).full_clean()
    outsider = PartnerFactory(name="Mutuelle extérieure")
    with pytest.raises(ValidationError) as error:
        Contribution(line=budget_line, partner=outsider, amount=Decimal("1")).full_clean()
    assert "Mutuelle extérieure n'est pas partie au contrat" in messages(error.value)


def test_a_contribution_is_never_negative_nor_duplicated(contract, coordination, partners):
    budget_line = BudgetLineFactory(contract=contract, post=coordination)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(line=budget_line, partner=partners["cg"], amount=-5)
    Contribution.objects.create(line=budget_line, partner=partners["cg"], amount=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(line=budget_line, partner=partners["cg"], amount=5)


def entry(budget_line, kind, amount):
    return ExecutionEntry(
        line=budget_line, kind=kind, amount=Decimal(amount), date=datetime.date(2015, 3, 1)
    )


def test_committed_never_exceeds_planned(contract, coordination):
    budget_line = BudgetLineFactory(contract=contract, post=coordination, amount=Decimal("1000"))
    entry(budget_line, ExecutionKind.COMMITMENT, "600").save()
    entry(budget_line, ExecutionKind.COMMITMENT, "400").full_clean()
    with pytest.raises(ValidationError) as error:
        entry(budget_line, ExecutionKind.COMMITMENT, "400.01").full_clean()
    assert "dépasseraient le prévu de la ligne (1\u202f000,00\u00a0€) de 0,01\u00a0€" in messages(
        error.value
    )


def test_paid_never_exceeds_committed(contract, coordination):
    budget_line = BudgetLineFactory(contract=contract, post=coordination, amount=Decimal("1000"))
    entry(budget_line, ExecutionKind.COMMITMENT, "500").save()
    entry(budget_line, ExecutionKind.PAYMENT, "500").full_clean()
    with pytest.raises(ValidationError) as error:
        entry(budget_line, ExecutionKind.PAYMENT, "501").full_clean()
    assert "dépasseraient les engagements de la ligne" in messages(error.value)


def test_planned_cannot_drop_below_what_is_committed(contract, coordination):
    budget_line = BudgetLineFactory(contract=contract, post=coordination, amount=Decimal("1000"))
    entry(budget_line, ExecutionKind.COMMITMENT, "800").save()
    budget_line.amount = Decimal("700")
    with pytest.raises(ValidationError) as error:
        budget_line.full_clean()
    assert "inférieur aux engagements déjà saisis (800,00\u00a0€)" in messages(error.value)


def test_execution_amounts_are_never_negative(contract, coordination):
    budget_line = BudgetLineFactory(contract=contract, post=coordination)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(budget_line, ExecutionKind.PAYMENT, "-1").save()


def test_lines_are_annotated_with_committed_and_paid(contract, coordination, communication):
    budget_line = BudgetLineFactory(contract=contract, post=coordination, amount=Decimal("1000"))
    BudgetLineFactory(contract=contract, post=communication, amount=Decimal("50"))
    entry(budget_line, ExecutionKind.COMMITMENT, "700").save()
    entry(budget_line, ExecutionKind.COMMITMENT, "300").save()
    entry(budget_line, ExecutionKind.PAYMENT, "250.50").save()
    rows = {
        row.post.code: (row.committed, row.paid)
        for row in BudgetLine.objects.filter(contract=contract).with_execution()
    }
    assert rows == {
        "coordination": (Decimal("1000.00"), Decimal("250.50")),
        "communication": (Decimal("0.00"), Decimal("0.00")),
    }
