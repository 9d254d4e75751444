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


def test_a_partner_is_named_as_it_was_on_a_date(demo):
    """The Conseil général de la Loire became the Département in March 2015: a 2014 act
    names the former, an act signed since names the new (demo.loire_amendments)."""
    import datetime

    from demo.loire_amendments import CG_RENAMED_AFTER
    from partners.models import Partner, PartnerName

    departement = Partner.objects.get(slug="cg42")
    assert (departement.name, departement.short_name) == ("Département de la Loire", "Département")
    for day, name, short in [
        (datetime.date(2014, 10, 1), "Conseil général de la Loire", "Conseil général"),
        (CG_RENAMED_AFTER, "Conseil général de la Loire", "Conseil général"),
        (CG_RENAMED_AFTER + datetime.timedelta(days=1), "Département de la Loire", "Département"),
        (None, "Département de la Loire", "Département"),
    ]:
        assert (departement.name_on(day), departement.short_name_on(day)) == (name, short), day
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerName.objects.create(partner=departement, name="Autre", valid_until=CG_RENAMED_AFTER)
