"""The signature of a contract: each representative's signature, the contract becoming
signed with the last one, and its sealed PDF produced once and never regenerated."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cej.models import (
    AnnexConvention,
    ContractStatus,
    Document,
    DocumentKind,
    Signature,
)
from cej.permissions import can_cancel_signature
from cej.selectors import missing_signatories
from fiches.models import Fiche, FicheStatus
from partners.models import Signatory
from pilotage.permissions import can_record_signature
from pilotage.signing import signature_cancel, signature_record
from tests.factories import SignatoryFactory, UserFactory
from tests.pdftools import pdf_signatures, pdf_text

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2014, 10, 1)


@pytest.fixture
def unsigned(demo, seal):
    """The Loire contract as it was on the morning of 1 October 2014: fiches validated,
    nobody has signed yet."""
    contract = demo.contract
    # Nor has any year been reviewed (the reviews' documents go with them).
    from cej.models import Document, DocumentKind
    from reviews.models import AnnualReview

    AnnualReview.objects.filter(contract=contract).delete()
    Document.objects.filter(contract=contract, kind=DocumentKind.ANNUAL_REVIEW).delete()
    Signature.objects.filter(contract=contract).delete()
    contract.status = ContractStatus.DRAFT
    contract.signed_on = None
    contract.signing_place = ""
    contract.save()
    AnnexConvention.objects.filter(contract=contract).update(signed_on=None)
    return contract


def sign_all(contract, by, *, but=0):
    pending = missing_signatories(contract)
    for signatory in pending[: len(pending) - but]:
        signature_record(
            contract=contract,
            signatory=signatory,
            signed_on=SIGNED_ON,
            place="Saint-Étienne",
            by=by,
        )


def test_the_first_signature_puts_the_contract_in_signature(unsigned, demo_user):
    sign_all(unsigned, demo_user("cdaje"), but=4)
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.IN_SIGNATURE
    assert len(missing_signatories(unsigned)) == 4
    assert not Document.objects.filter(contract=unsigned).exists()


def test_the_last_signature_signs_and_seals_the_contract(unsigned, demo_user):
    cdaje = demo_user("cdaje")
    sign_all(unsigned, cdaje)
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.SIGNED
    assert unsigned.signed_on == SIGNED_ON
    assert unsigned.signing_place == "Saint-Étienne"

    document = Document.objects.get(contract=unsigned, kind=DocumentKind.SIGNED_CONTRACT)
    assert document.sealed and document.dated == SIGNED_ON and document.created_by == cdaje
    content = document.file.open("rb").read()
    document.file.close()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert len(content) == document.size
    verdict = pdf_signatures(content)
    assert "Signature is Valid" in verdict.stdout, verdict.stdout
    text = pdf_text(content)
    assert "1er octobre 2014" in text
    assert "PROJET" not in text.upper().split("CONTRAT")[0]  # no watermark on the cover
    # The annex convention, signed in the same act, gets its own sealed document.
    annex_document = Document.objects.get(contract=unsigned, kind=DocumentKind.ANNEX_CONVENTION)
    assert annex_document.sealed and annex_document.dated == SIGNED_ON
    assert "Signature is Valid" in pdf_signatures(annex_document.file.open("rb").read()).stdout


def test_signatures_are_refused_while_a_fiche_is_not_validated(unsigned, demo_user):
    Fiche.objects.filter(contract=unsigned, number__in=[3, 7]).update(status=FicheStatus.SUBMITTED)
    allowed, reason = can_record_signature(demo_user("cdaje"), unsigned)
    assert not allowed
    assert reason == (
        "Toutes les fiches doivent avoir reçu l'avis favorable de la CDAJE avant la signature "
        "(en attente : n° 3, n° 7)."
    )


@pytest.mark.parametrize(
    "username, reason",
    [
        ("finance", "Seule l'équipe CDAJE prépare la signature et dépose les documents."),
        ("partner-caf", "Seule l'équipe CDAJE prépare la signature et dépose les documents."),
    ],
)
def test_only_cdaje_staff_record_signatures(unsigned, demo_user, username, reason):
    assert can_record_signature(demo_user(username), unsigned) == (False, reason)


def test_cdaje_staff_of_another_territory_may_not_record(unsigned):
    outsider = UserFactory(cdaje=True)
    assert can_record_signature(outsider, unsigned) == (
        False,
        "Vous ne travaillez pas sur les contrats de ce territoire.",
    )


def test_a_future_date_is_refused(unsigned, demo_user):
    signatory = missing_signatories(unsigned)[0]
    with pytest.raises(ValidationError) as error:
        signature_record(
            contract=unsigned,
            signatory=signatory,
            signed_on=datetime.date.today() + datetime.timedelta(days=1),
            place="Saint-Étienne",
            by=demo_user("cdaje"),
        )
    assert error.value.message_dict == {
        "signed_on": ["La date de signature ne peut pas être future."]
    }


def test_a_representative_of_another_partner_cannot_sign(unsigned, demo_user):
    stranger = SignatoryFactory(first_name="Paul", last_name="Martin")
    with pytest.raises(ValidationError) as error:
        signature_record(
            contract=unsigned,
            signatory=stranger,
            signed_on=SIGNED_ON,
            place="Lyon",
            by=demo_user("cdaje"),
        )
    assert "n'est pas partie à ce contrat" in error.value.message_dict["signatory"][0]


def test_a_representative_signs_once(unsigned, demo_user):
    signatory = missing_signatories(unsigned)[0]
    signature_record(
        contract=unsigned, signatory=signatory, signed_on=SIGNED_ON, place="Roanne", by=None
    )
    with pytest.raises(ValidationError) as error:
        signature_record(
            contract=unsigned, signatory=signatory, signed_on=SIGNED_ON, place="Roanne", by=None
        )
    assert "Ce représentant a déjà signé ce contrat." in str(error.value)


def test_a_signature_can_be_cancelled_before_the_contract_is_signed(unsigned, demo_user):
    cdaje = demo_user("cdaje")
    sign_all(unsigned, cdaje, but=4)
    signature = Signature.objects.get(contract=unsigned)
    signature_cancel(signature=signature, by=cdaje)
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.DRAFT
    assert len(missing_signatories(unsigned)) == 5


def test_a_signed_contract_keeps_its_signatures(sealed_demo, demo_user):
    signature = Signature.objects.filter(contract=sealed_demo.contract).first()
    with pytest.raises(ValidationError):
        signature_cancel(signature=signature, by=demo_user("cdaje"))


def test_inactive_representatives_are_not_awaited(unsigned, demo_user):
    Signatory.objects.filter(function="Directeur de la CAF").update(is_active=False)
    assert len(missing_signatories(unsigned)) == 4


# --- the page -------------------------------------------------------------------------------


def documents_url(contract, name="contract_documents", **kwargs):
    return reverse(name, kwargs={"slug": contract.slug, **kwargs})


def test_cdaje_records_signatures_on_the_document_space(client, unsigned, demo_user):
    client.force_login(demo_user("cdaje"))
    page = client.get(documents_url(unsigned))
    assert page.status_code == 200
    assert "Enregistrer une signature" in page.content.decode()
    for signatory in missing_signatories(unsigned):
        response = client.post(
            documents_url(unsigned, "signature_record"),
            {"signatory": signatory.pk, "signed_on": "2014-10-01", "place": "Saint-Étienne"},
            follow=True,
        )
        assert response.status_code == 200
    html = response.content.decode()
    assert "Tous les représentants ont signé" in html
    assert "Scellé électroniquement (PAdES), PDF/A" in html
    unsigned.refresh_from_db()
    assert unsigned.status == ContractStatus.SIGNED


def test_an_invalid_signature_form_says_why_and_records_nothing(client, unsigned, demo_user):
    client.force_login(demo_user("cdaje"))
    signatory = missing_signatories(unsigned)[0]
    response = client.post(
        documents_url(unsigned, "signature_record"),
        {"signatory": signatory.pk, "signed_on": "31/02/2014", "place": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une date valide" in html
    assert "Ce champ est obligatoire." in html
    assert not Signature.objects.filter(contract=unsigned).exists()


@pytest.mark.parametrize("username", ["finance", "partner-cg"])
def test_others_cannot_post_a_signature(client, unsigned, demo_user, username):
    client.force_login(demo_user(username))
    signatory = missing_signatories(unsigned)[0]
    response = client.post(
        documents_url(unsigned, "signature_record"),
        {"signatory": signatory.pk, "signed_on": "2014-10-01", "place": "Saint-Étienne"},
    )
    assert response.status_code == 403
    assert not Signature.objects.filter(contract=unsigned).exists()


# --- an expired contract is frozen ------------------------------------------------------------


@pytest.fixture
def expired_with_signatures(demo):
    """The first Loire contract (2010–2013), expired, with its representatives' signatures
    (illustrative: the demo does not record them)."""
    contract = demo.contract.predecessor
    assert contract.status == ContractStatus.EXPIRED
    for signatory in Signatory.objects.filter(partner__contract_parties__contract=contract):
        Signature.objects.create(
            contract=contract,
            signatory=signatory,
            signed_on=datetime.date(2010, 3, 15),
            place="Saint-Étienne",
        )
    return contract


def test_signatures_of_an_expired_contract_cannot_be_cancelled(expired_with_signatures, demo_user):
    allowed, reason = can_cancel_signature(demo_user("cdaje"), expired_with_signatures)
    assert not allowed
    assert reason == "Le contrat est arrivé à échéance : il est figé, plus rien n'y change."
    with pytest.raises(ValidationError, match="arrivé à échéance"):
        signature_cancel(
            signature=expired_with_signatures.signatures.first(), by=demo_user("cdaje")
        )


def test_cancelling_a_signature_of_an_expired_contract_is_refused(
    client, expired_with_signatures, demo_user
):
    client.force_login(demo_user("cdaje"))
    signature = expired_with_signatures.signatures.first()
    count = expired_with_signatures.signatures.count()
    response = client.post(
        documents_url(expired_with_signatures, "signature_cancel", pk=signature.pk)
    )
    assert response.status_code == 403
    assert "arrivé à échéance" in response.content.decode()
    assert expired_with_signatures.signatures.count() == count
    expired_with_signatures.refresh_from_db()
    assert expired_with_signatures.status == ContractStatus.EXPIRED


def test_the_documents_page_of_an_expired_contract_offers_no_cancel_button(
    client, expired_with_signatures, demo_user
):
    client.force_login(demo_user("cdaje"))
    html = client.get(documents_url(expired_with_signatures)).content.decode()
    assert "a signé le 15 mars 2010" in html
    assert "Annuler la signature" not in html
    assert "signature_cancel" not in html and "/cancel/" not in html
