import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cej.models import Amendment, ContractStatus, Signature
from tests.factories import (
    AnnexConventionFactory,
    ContractFactory,
    PartnerFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db


def test_a_contract_covers_its_years():
    contract = ContractFactory(start_year=2014, end_year=2017)
    contract.full_clean()
    assert contract.years == [2014, 2015, 2016, 2017]
    assert contract.period_label == "2014–2017"


def test_a_contract_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(start_year=2017, end_year=2014)


def test_a_contract_envelope_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(annual_envelope=-1)
    contract = ContractFactory.build(annual_envelope=-1)
    with pytest.raises(ValidationError) as error:
        contract.full_clean(exclude=["territory"])
    assert "annual_envelope" in error.value.message_dict


def test_a_signed_contract_has_a_signing_date():
    ContractFactory(signed=True).full_clean()
    contract = ContractFactory.build(status=ContractStatus.SIGNED, signed_on=None)
    with pytest.raises(ValidationError) as error:
        contract.full_clean(exclude=["territory"])
    assert "date de signature" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(status=ContractStatus.SIGNED, signed_on=None)


def test_a_contract_succeeds_one_that_ended_before_it():
    first = ContractFactory(start_year=2010, end_year=2013)
    ContractFactory(start_year=2014, end_year=2017, predecessor=first).full_clean()
    overlapping = ContractFactory(start_year=2013, end_year=2016, predecessor=first)
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "se termine en 2013" in error.value.message_dict["predecessor"][0]


def test_a_contract_cannot_succeed_itself():
    contract = ContractFactory()
    contract.predecessor = contract
    with pytest.raises(ValidationError, match="son propre prédécesseur"):
        contract.full_clean()


def test_a_partner_is_party_to_a_contract_once():
    partner = PartnerFactory()
    ContractFactory(partners=[partner])
    contract = ContractFactory(partners=[partner])
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.parties.create(partner=partner, order=2)


def test_only_representatives_of_a_party_sign():
    party, outsider = PartnerFactory(), PartnerFactory(name="Autre organisme")
    contract = ContractFactory(partners=[party])
    Signature(
        contract=contract,
        signatory=SignatoryFactory(partner=party),
        signed_on="2014-10-01",
        place="Saint-Étienne",
    ).full_clean()
    stranger = SignatoryFactory(partner=outsider, first_name="Paul", last_name="Martin")
    signature = Signature(
        contract=contract, signatory=stranger, signed_on="2014-10-01", place="Saint-Étienne"
    )
    with pytest.raises(ValidationError) as error:
        signature.full_clean()
    assert "Paul Martin représente Autre organisme" in error.value.message_dict["signatory"][0]


def test_a_representative_signs_a_contract_once():
    party = PartnerFactory()
    contract = ContractFactory(partners=[party])
    signatory = SignatoryFactory(partner=party)
    Signature.objects.create(
        contract=contract, signatory=signatory, signed_on="2014-10-01", place="Saint-Étienne"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            contract=contract, signatory=signatory, signed_on="2014-10-02", place="Lyon"
        )


def test_an_annex_convention_stays_within_its_contract():
    contract = ContractFactory(start_year=2014, end_year=2017)
    AnnexConventionFactory(contract=contract, start_year=2014, end_year=2014).full_clean()
    outside = AnnexConventionFactory.build(contract=contract, start_year=2017, end_year=2018)
    with pytest.raises(ValidationError) as error:
        outside.full_clean()
    assert "période du contrat (2014–2017)" in str(error.value)


def test_an_annex_convention_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnexConventionFactory(start_year=2015, end_year=2014)


def test_an_amendment_changes_a_convention_of_its_own_contract():
    contract = ContractFactory()
    own = AnnexConventionFactory(contract=contract)
    Amendment(
        contract=contract, annex_convention=own, number=1, title="Prolongation", new_end_year=2015
    ).full_clean()
    foreign = AnnexConventionFactory()
    amendment = Amendment(contract=contract, annex_convention=foreign, number=2, title="Erreur")
    with pytest.raises(ValidationError, match="autre contrat"):
        amendment.full_clean()
    too_far = Amendment(
        contract=contract, annex_convention=own, number=3, title="Trop loin", new_end_year=2019
    )
    with pytest.raises(ValidationError, match="au-delà du contrat"):
        too_far.full_clean()


def test_amendment_numbers_are_unique_per_contract():
    contract = ContractFactory()
    Amendment.objects.create(contract=contract, number=1, title="Avenant 1")
    Amendment.objects.create(contract=ContractFactory(), number=1, title="Autre contrat")
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.create(contract=contract, number=1, title="Doublon")
