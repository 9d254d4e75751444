import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import PartnerFactory, SignatoryFactory

pytestmark = pytest.mark.django_db


def test_a_siret_has_fourteen_digits():
    PartnerFactory(siret="22420001500016").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(siret="1234")
    partner = PartnerFactory.build(siret="ABCDEFGHIJKLMN")
    with pytest.raises(ValidationError, match="14 chiffres"):
        partner.full_clean()


def test_a_signatory_is_named_with_civility_and_function():
    signatory = SignatoryFactory(
        civility="Mme", first_name="Annie", last_name="Courbon", function="Présidente"
    )
    assert signatory.full_name == "Mme Annie Courbon"
    assert str(signatory) == "Mme Annie Courbon, Présidente"


def test_the_same_person_is_not_recorded_twice_in_the_same_function():
    signatory = SignatoryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatoryFactory(
            partner=signatory.partner,
            first_name=signatory.first_name,
            last_name=signatory.last_name,
            function=signatory.function,
        )
