"""The document space: who sees which documents, downloads checked against their hash and
recorded, scans of signed originals checked to be PDFs."""

import hashlib
import logging

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cej.documents import validate_pdf_upload
from cej.models import Document, DocumentDownload, DocumentKind, DownloadOutcome
from tests.factories import ContractFactory, PartnerFactory, UserFactory
from tests.pdftools import minimal_pdf, pdf_signatures

pytestmark = pytest.mark.django_db


MINIMAL_PDF = minimal_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(contract, name="contract_documents", **kwargs):
    return reverse(name, kwargs={"slug": contract.slug, **kwargs})


def signed_document(contract) -> Document:
    return Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)


def files_on_disk() -> set[str]:
    from pathlib import Path

    root = Path(default_storage.location)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def stored_bytes(document) -> bytes:
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("username", ["partner-cg", "partner-caf", "partner-msa", "cdaje"])
def test_the_parties_download_the_signed_contract(client, sealed_demo, demo_user, username):
    contract = sealed_demo.contract
    user = demo_user(username)
    client.force_login(user)
    page = client.get(url(contract))
    assert page.status_code == 200
    document = signed_document(contract)
    html = page.content.decode()
    assert document.title in html and document.sha256 in html
    response = client.get(url(contract, "document_download", pk=document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == stored_bytes(document)
    download = DocumentDownload.objects.get(document=document)
    assert (download.user, download.username, download.outcome) == (
        user,
        username,
        DownloadOutcome.SERVED,
    )


def document_row(client, contract, document) -> str:
    html = client.get(url(contract)).content.decode()
    return html.split(f'<th scope="row">{document.title}')[1].split("</tr>")[0]


def test_the_page_counts_downloads_in_french(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    document = signed_document(contract)
    client.force_login(demo_user("partner-caf"))
    assert "aucun téléchargement" in document_row(client, contract, document)
    client.get(url(contract, "document_download", pk=document.pk))
    row = document_row(client, contract, document)
    assert "1 téléchargement<" in row and "aucun" not in row
    client.get(url(contract, "document_download", pk=document.pk))
    assert "2 téléchargements<" in document_row(client, contract, document)


def test_the_fingerprint_is_shown_in_eight_even_groups(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    document = signed_document(contract)
    client.force_login(demo_user("partner-msa"))
    groups = [document.sha256[start : start + 8] for start in range(0, 64, 8)]
    assert (
        f'<code class="hash" title="{document.sha256}">'
        + "".join(f"<span>{group}</span>" for group in groups)
        + "</code>"
    ) in document_row(client, contract, document)


def test_the_contract_pdf_url_serves_the_stored_signed_bytes(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    client.force_login(demo_user("partner-msa"))
    response = client.get(reverse("contract_pdf", kwargs={"slug": contract.slug}))
    assert response.status_code == 200
    assert response.content == stored_bytes(signed_document(contract))
    assert "Signature is Valid" in pdf_signatures(response.content).stdout


def test_a_partner_of_another_contract_gets_404(client, sealed_demo):
    other_partner = PartnerFactory()
    ContractFactory(partners=[other_partner])
    stranger = UserFactory(partner_user=True, partner=other_partner)
    client.force_login(stranger)
    contract = sealed_demo.contract
    document = signed_document(contract)
    for address in [
        url(contract),
        url(contract, "document_download", pk=document.pk),
        reverse("contract_pdf", kwargs={"slug": contract.slug}),
        reverse("fiche_pdf", kwargs={"slug": contract.slug, "number": 1}),
        reverse("budget_report_pdf", kwargs={"slug": contract.slug}),
    ]:
        assert client.get(address).status_code == 404, address
    assert not DocumentDownload.objects.exists()


def test_a_document_of_another_contract_is_not_found_through_this_one(
    client, sealed_demo, demo_user
):
    contract = sealed_demo.contract
    other = ContractFactory(territory=contract.territory)
    client.force_login(demo_user("cdaje"))
    document = signed_document(contract)
    response = client.get(url(other, "document_download", pk=document.pk))
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_login(client, sealed_demo):
    contract = sealed_demo.contract
    document = signed_document(contract)
    for address in [url(contract), url(contract, "document_download", pk=document.pk)]:
        response = client.get(address)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_altered_file_is_refused_and_logged(client, sealed_demo, demo_user, caplog):
    contract = sealed_demo.contract
    document = signed_document(contract)
    path = default_storage.path(document.file.name)
    altered = bytearray(stored_bytes(document))
    altered[len(altered) // 2] ^= 0x01
    with open(path, "wb") as handle:
        handle.write(altered)
    client.force_login(demo_user("partner-caf"))
    with caplog.at_level(logging.ERROR, logger="cej.documents"):
        response = client.get(url(contract, "document_download", pk=document.pk))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "ne correspond plus à l'empreinte enregistrée" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert any(
        "Empreinte différente" in r.getMessage() and r.levelno == logging.ERROR
        for r in caplog.records
    )
    assert DocumentDownload.objects.get().outcome == DownloadOutcome.REFUSED_INTEGRITY
    # The same check guards the contract's stable URL.
    assert client.get(reverse("contract_pdf", kwargs={"slug": contract.slug})).status_code == 409


def test_a_missing_file_is_refused(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    document = signed_document(contract)
    default_storage.delete(document.file.name)
    client.force_login(demo_user("partner-caf"))
    response = client.get(url(contract, "document_download", pk=document.pk))
    assert response.status_code == 409
    assert "introuvable" in response.content.decode()
    assert DocumentDownload.objects.get().outcome == DownloadOutcome.MISSING


def test_a_tampered_copy_fails_the_seal(sealed_demo):
    content = stored_bytes(signed_document(sealed_demo.contract))
    assert "Signature is Valid" in pdf_signatures(content).stdout
    # Change one byte inside the signed range (the first page's content), as a forger would.
    position = content.index(b"stream") + 200
    tampered = bytearray(content)
    tampered[position] = ord("A") if tampered[position] != ord("A") else ord("B")
    verdict = pdf_signatures(bytes(tampered)).stdout
    assert "Signature is Valid" not in verdict
    assert "Digest Mismatch" in verdict or "Invalid" in verdict, verdict


# --- deposits ---------------------------------------------------------------------------------


def deposit(client, contract, content, *, name="original.pdf", **fields):
    data = {"kind": DocumentKind.SCANNED_ORIGINAL, "title": "Original CAF", "dated": "2014-10-01"}
    data.update(fields)
    data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(url(contract, "document_deposit"), data)


def test_cdaje_deposits_a_scanned_original(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    client.force_login(demo_user("cdaje"))
    response = deposit(client, contract, MINIMAL_PDF, name="Contrat CAF signé.pdf")
    assert response.status_code == 302
    document = Document.objects.get(kind=DocumentKind.SCANNED_ORIGINAL)
    assert document.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert document.size == len(MINIMAL_PDF)
    assert document.original_filename == "contrat-caf-signe.pdf"
    assert stored_bytes(document) == MINIMAL_PDF
    assert not document.sealed


@pytest.mark.parametrize(
    "content, name, message",
    [
        (PNG, "scan.pdf", "Ce fichier n'est pas un PDF"),
        (b"PK\x03\x04 a zip file renamed", "scan.pdf", "Ce fichier n'est pas un PDF"),
        (b"%PDF-1.7\n garbage without pages", "scan.pdf", "Ce PDF est illisible ou endommagé"),
        (b"", "scan.pdf", "Le fichier est vide."),
    ],
)
def test_a_deposit_that_is_not_a_pdf_is_refused_in_french(
    client, sealed_demo, demo_user, content, name, message
):
    contract = sealed_demo.contract
    before = Document.objects.count()
    client.force_login(demo_user("cdaje"))
    response = deposit(client, contract, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert Document.objects.count() == before
    assert files_on_disk() == {d.file.name for d in Document.objects.all()}


def test_a_deposit_over_the_size_limit_is_refused(client, sealed_demo, demo_user, settings):
    settings.DOCUMENT_UPLOAD_MAX_BYTES = 100
    client.force_login(demo_user("cdaje"))
    response = deposit(client, sealed_demo.contract, MINIMAL_PDF + b" " * 200)
    assert response.status_code == 400
    assert "la limite est de 100 octets" in response.content.decode()


def test_the_real_limit_is_twenty_megabytes():
    from django.conf import settings

    assert settings.DOCUMENT_UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    too_big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(Exception) as error:
        validate_pdf_upload(too_big)
    assert "la limite est de 20,0 Mo" in str(error.value)


@pytest.mark.parametrize("username", ["finance", "partner-cg"])
def test_only_cdaje_staff_deposit(client, sealed_demo, demo_user, username):
    client.force_login(demo_user(username))
    response = deposit(client, sealed_demo.contract, MINIMAL_PDF)
    assert response.status_code == 403
    assert not Document.objects.filter(kind=DocumentKind.SCANNED_ORIGINAL).exists()


def test_an_amendment_deposit_must_name_the_amendment(client, sealed_demo, demo_user):
    client.force_login(demo_user("cdaje"))
    response = deposit(client, sealed_demo.contract, MINIMAL_PDF, kind=DocumentKind.AMENDMENT)
    assert response.status_code == 400
    assert "Indiquez l&#x27;avenant dont c&#x27;est l&#x27;original." in response.content.decode()


# --- amendments ------------------------------------------------------------------------------


def test_a_signed_amendment_gets_its_own_sealed_document(client, demo, seal, demo_user):
    """The demo loaded without a seal certificate (the `demo` fixture): avenant n° 1 was
    signed without its act being sealed. The contract's own document, sealed first, stays
    as it was when the avenant's is established."""
    import datetime

    from pilotage.signing import contract_seal

    contract = demo.contract
    before = stored_bytes(contract_seal(contract))
    amendment = contract.amendments.get(number=1)
    assert not Document.objects.filter(kind=DocumentKind.AMENDMENT).exists()
    client.force_login(demo_user("cdaje"))
    page = client.get(url(contract))
    assert "Établir le document scellé" in page.content.decode()
    response = client.post(url(contract, "amendment_seal", number=1))
    assert response.status_code == 302
    document = Document.objects.get(kind=DocumentKind.AMENDMENT, amendment=amendment)
    assert document.sealed and document.dated == datetime.date(2015, 5, 26)
    assert "Signature is Valid" in pdf_signatures(stored_bytes(document)).stdout
    # The contract's own signed document is untouched.
    assert stored_bytes(signed_document(contract)) == before
    # Asking again returns the same document.
    client.post(url(contract, "amendment_seal", number=1))
    assert Document.objects.filter(kind=DocumentKind.AMENDMENT).count() == 1


# --- commands --------------------------------------------------------------------------------


def test_create_seal_certificate_writes_a_usable_pair(settings, tmp_path):
    settings.SEAL_CERTIFICATE_PATH = str(tmp_path / "seal" / "cert.pem")
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_KEY_PASSPHRASE = ""
    call_command("create_seal_certificate")
    assert (tmp_path / "seal" / "cert.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    assert (tmp_path / "seal" / "key.pem").stat().st_mode & 0o077 == 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_seal_certificate")
    from cej.sealing import seal_pdf

    assert (
        "Signature is Valid"
        in pdf_signatures(seal_pdf(MINIMAL_PDF, reason="essai", location="Saint-Étienne")).stdout
    )


def test_load_demo_produces_the_sealed_documents_once(empty_database, seal, settings):
    settings.DEBUG = False
    call_command("load_demo", "--no-accounts")
    documents = list(Document.objects.order_by("kind").values_list("kind", "sha256"))
    # The contract and its annex convention as signed, the act of avenant n° 1, and the
    # annual reviews adopted (2014–2016).
    assert [kind for kind, _ in documents] == [
        "amendment",
        "annex_convention",
        *["annual_review"] * 3,
        "signed_contract",
    ]
    call_command("load_demo", "--no-accounts")
    assert list(Document.objects.order_by("kind").values_list("kind", "sha256")) == documents


def test_a_contract_with_the_longest_slug_stores_its_documents():
    """documents/<80-character slug>/<year>/<name>-<hash>.pdf fits the file column (at 100
    characters it did not: the last signature of such a contract could not be sealed)."""
    from cej.documents import document_store

    contract = ContractFactory(slug="s" * 80)
    document = document_store(
        contract=contract,
        kind=DocumentKind.SCANNED_ORIGINAL,
        title="Original signé",
        content=MINIMAL_PDF,
        filename="original-signe-par-les-trois-partenaires.pdf",
    )
    assert document.file.name.startswith(f"documents/{'s' * 80}/")
    assert document.file.name.endswith(".pdf")
    assert document.file.read() == MINIMAL_PDF
