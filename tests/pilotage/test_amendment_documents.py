"""The avenants' documents, read as a reader reads them (pdftotext, pdfsig, pdfinfo): the
signed avenant's act, sealed once and stored, beside a signed contract whose stored bytes
never change; and the consolidated contract, rendered on request and saying so on every
page. Rendering and sealing take seconds: the checks are grouped in few tests."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cej.models import Document, DocumentKind
from tests.pdftools import pdf_info, pdf_signatures, pdf_text
from tests.pilotage.avenant_steps import (
    DECISIONS,
    SIGNED_ON,
    approve,
    demo_avenant,
    pending_signatories,
    sign,
)

pytestmark = pytest.mark.django_db


def stored_bytes(document) -> bytes:
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


def served(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def words(text: str) -> str:
    """The text with its layout undone: one space between words, non-breaking ones too."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_signing_avenant_2_seals_its_act_and_leaves_the_signed_contract_alone(
    client, sealed_demo, demo_user
):
    contract, cdaje = sealed_demo.contract, demo_user("cdaje")
    signed_contract = Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)
    original = stored_bytes(signed_contract)
    assert hashlib.sha256(original).hexdigest() == signed_contract.sha256

    avenant = approve(demo_avenant(contract), cdaje)
    for signatory in pending_signatories(avenant):
        sign(avenant, signatory, cdaje)

    # The act: stored once, sealed, its fingerprint recorded; one changed byte breaks the seal.
    act = Document.objects.get(amendment=avenant, kind=DocumentKind.AMENDMENT)
    content = stored_bytes(act)
    assert (act.sealed, act.dated, act.created_by) == (True, SIGNED_ON, cdaje)
    assert hashlib.sha256(content).hexdigest() == act.sha256
    assert "Signature is Valid" in pdf_signatures(content).stdout
    tampered = bytearray(content)
    position = content.index(b"stream") + 200
    tampered[position] = ord("A") if tampered[position] != ord("A") else ord("B")
    verdict = pdf_signatures(bytes(tampered)).stdout
    assert "Signature is Valid" not in verdict
    assert "Digest Mismatch" in verdict or "Invalid" in verdict, verdict

    text = words(pdf_text(content))
    assert "Avenant n° 2" in text and "PROJET" not in text.upper()
    assert "L'annexe 1 du contrat (fiches actions) est modifiée comme suit" in text
    assert "la fiche n° 14 « Plan de communication petite enfance » est remplacée" in text
    assert "lettre semestrielle aux assistants maternels" in text  # its annex: the new fiche
    body, reference, _day = DECISIONS["cg"]
    assert (
        f"Département de la Loire SIRET 22429900800017 représenté(e) par : M. Bernard Vialle, "
        f"Président du Conseil général de la Loire, dûment autorisé par délibération "
        f"n° {reference} du 14 novembre 2016 ({body})"
    ) in text
    assert "dûment autorisés par délibération n° 2016-064 du 8 novembre 2016" in text
    assert "Fait à Saint-Étienne, le 5 décembre 2016" in text

    # Served as stored, to the parties.
    client.force_login(demo_user("partner-msa"))
    url = reverse("amendment_pdf", kwargs={"slug": contract.slug, "number": 2})
    assert served(client.get(url)) == content

    # The signed contract: the same bytes, the same fingerprint, the same row.
    signed_contract.refresh_from_db()
    assert stored_bytes(signed_contract) == original
    assert hashlib.sha256(original).hexdigest() == signed_contract.sha256
    assert Document.objects.filter(kind=DocumentKind.SIGNED_CONTRACT).count() == 1

    # The consolidated contract: the contract as amended, said so on every page, each change
    # footnoted with the avenant that made it.
    pdf = served(client.get(reverse("contract_consolidated_pdf", kwargs={"slug": contract.slug})))
    pages = int(pdf_info(pdf)["Pages"])
    page_texts = pdf_text(pdf).split("\f")[:pages]
    assert pages > 10 and len(page_texts) == pages
    assert "Loire (42)" in page_texts[0]  # the cover first, no blank page before it
    for number, page in enumerate(page_texts, start=1):
        assert "VERSION CONSOLIDÉE AU" in page.upper(), f"page {number} of {pages}"
    text = words(" ".join(page_texts))
    assert "Modifié par l'avenant n° 1 signé le 26 mai 2015." in text  # fiche 4, the convention
    assert "Ajoutée par l'avenant n° 1 signé le 26 mai 2015." in text  # fiche 15
    assert "Modifié par l'avenant n° 2 signé le 5 décembre 2016." in text  # fiche 14
    assert "Budget 2015 : Modifié par l'avenant n° 1 signé le 26 mai 2015." in text
    assert "lettre semestrielle aux assistants maternels" in text
    assert "couvre les années 2014 à 2017" in text


def test_avenant_1_prints_the_partners_names_in_force_on_its_date(client, sealed_demo, demo_user):
    """Signed on 26 May 2015, after the Conseil général became the Département (its act was
    sealed when the demo was loaded); its budget before and after, and the parties'
    deliberations."""
    act = Document.objects.get(amendment__number=1, kind=DocumentKind.AMENDMENT)
    text = words(pdf_text(stored_bytes(act)))
    assert "Entre les soussignés Département de la Loire SIRET" in text
    assert "Entre les soussignés Conseil général de la Loire" not in text
    assert "dûment autorisé par délibération n° CP-2015-04-0217 du 20 avril 2015" in text
    assert "couvre les années 2014 à 2017 (elle couvrait jusqu'ici 2014)" in text
    assert "2015 158 000,00 € 198 000,00 € +40 000,00 €" in text
    assert "la fiche n° 15 « Créer un pôle ressource handicap petite enfance » est ajoutée" in text

    # Without its stored act (as if signed before the application), the PDF is a copy that
    # says so on every page, never passed off as the original.
    act.delete()
    client.force_login(demo_user("partner-cg"))
    response = client.get(reverse("amendment_pdf", kwargs={"slug": act.contract.slug, "number": 1}))
    copy = served(response)
    assert response["Content-Disposition"].endswith('-avenant-1-copie.pdf"')
    pages = int(pdf_info(copy)["Pages"])
    assert pdf_text(copy).count("COPIE RECONSTITUÉE LE") == pages
    assert "Entre les soussignés Département de la Loire SIRET" in words(pdf_text(copy))
