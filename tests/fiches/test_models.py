import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fiches.models import FicheStatus
from tests.factories import (
    ContractFactory,
    FicheFactory,
    ObjectiveFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db


def test_a_fiche_belongs_to_the_contract_of_its_objective():
    objective = ObjectiveFactory()
    fiche = FicheFactory(objective=objective)
    assert fiche.contract == objective.contract


def test_fiche_numbers_are_unique_per_contract_across_objectives():
    contract = ContractFactory()
    first, second = ObjectiveFactory(contract=contract), ObjectiveFactory(contract=contract)
    FicheFactory(objective=first, number=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        FicheFactory(objective=second, number=4)
    duplicate = FicheFactory.build(objective=second, number=4)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "La fiche n° 4 existe déjà" in error.value.message_dict["number"][0]


def test_the_same_number_is_free_in_another_contract():
    FicheFactory(number=1)
    FicheFactory(number=1).full_clean()


def test_moving_a_fiche_to_another_objective_keeps_its_number():
    contract = ContractFactory()
    first, second = ObjectiveFactory(contract=contract), ObjectiveFactory(contract=contract)
    fiche = FicheFactory(objective=first, number=7)
    fiche.objective = second
    fiche.full_clean()
    fiche.save()
    fiche.refresh_from_db()
    assert (fiche.objective, fiche.number, fiche.contract) == (second, 7, contract)


def test_objective_numbers_are_unique_per_contract():
    contract = ContractFactory()
    ObjectiveFactory(contract=contract, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveFactory(contract=contract, number=1)


def test_a_validated_fiche_carries_the_plenary_date():
    FicheFactory(validated=True).full_clean()
    fiche = FicheFactory.build(objective=ObjectiveFactory(), status=FicheStatus.VALIDATED)
    with pytest.raises(ValidationError) as error:
        fiche.full_clean()
    assert "plénière" in error.value.message_dict["validated_on"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        FicheFactory(status=FicheStatus.VALIDATED, validated_on=None)


def test_the_lead_partner_is_a_party_to_the_contract():
    party = PartnerFactory(name="CAF de test")
    contract = ContractFactory(partners=[party])
    fiche = FicheFactory(objective=ObjectiveFactory(contract=contract), lead_partner=party)
    fiche.full_clean()
    fiche.lead_partner = PartnerFactory(name="Association extérieure")
    with pytest.raises(ValidationError) as error:
        fiche.full_clean()
    assert "Association extérieure n'est pas partie" in error.value.message_dict["lead_partner"][0]


def test_a_validated_fiche_keeps_its_date():
    fiche = FicheFactory(validated=True)
    assert fiche.validated_on == datetime.date(2014, 2, 11)
