"""A partner downloads the signed contract, as a new user would: log in, open the contract,
go to its documents, download; the file is the sealed one, byte for byte, and stays so."""

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from cej.models import (
    AnnexConvention,
    Contract,
    ContractStatus,
    Document,
    DocumentKind,
    Signature,
)
from demo.loire import DEMO_SLUG
from fiches.models import Fiche
from tests.browser.conftest import SEVERE_IMPACTS, axe_violations, format_violations, login
from tests.pdftools import pdf_signatures, pdf_text


@pytest.fixture
def sealed(loire, sealed_world, seal):
    """The session's sealed documents, committed for the live server (the world is put back
    after the test)."""
    sealed_world.apply()
    document = Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT)
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


def download_signed_contract(page) -> bytes:
    page.goto("/contracts/")
    page.get_by_role(
        "link", name="Contrat enfance jeunesse départemental de la Loire 2014–2017"
    ).click()
    page.get_by_role("link", name="Documents et signature").click()
    expect(page.get_by_role("heading", name="Documents du contrat")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="contrat signé")
    expect(row).to_contain_text("Scellé électroniquement (PAdES), PDF/A")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Télécharger").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        return handle.read()


def test_a_partner_downloads_the_sealed_contract(page, sealed):
    stored = sealed
    login(page, "partner-caf")
    content = download_signed_contract(page)
    assert content == stored
    verdict = pdf_signatures(content).stdout
    assert "Signature is Valid" in verdict
    assert "1er octobre 2014" in pdf_text(content)
    # The page counts the download.
    page.reload()
    expect(page.get_by_role("row").filter(has_text="contrat signé")).to_contain_text(
        "1 téléchargement"
    )


def test_the_same_bytes_a_year_of_edits_later(page, sealed):
    stored = sealed
    # A year of work on the fiches, through the database as the services would leave it.
    Fiche.objects.filter(contract__slug=DEMO_SLUG).update(title="Titre révisé en 2015")
    login(page, "partner-msa")
    assert download_signed_contract(page) == stored


SEALING_TIMEOUT_MS = 90_000


def test_cdaje_collects_the_signatures_and_the_contract_gets_sealed(page, loire, seal):
    """The morning of 1 October 2014: nobody has signed yet; CDAJE staff record each
    representative's signature; with the last one the sealed contract appears."""
    contract = loire.contract
    Signature.objects.filter(contract=contract).delete()
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.DRAFT, signed_on=None, signing_place=""
    )
    AnnexConvention.objects.filter(contract=contract).update(signed_on=None)

    login(page, "cdaje")
    page.goto(f"/contracts/{DEMO_SLUG}/documents/")
    form = page.locator("form.signature-form")
    violations = [v for v in axe_violations(page) if v["impact"] in SEVERE_IMPACTS]
    assert not violations, format_violations("documents, signature form", violations)
    for remaining in range(5, 0, -1):
        options = form.get_by_label("Représentant").locator("option")
        expect(options).to_have_count(remaining)
        form.get_by_label("Signé le").fill("2014-10-01")
        form.get_by_label("Lieu").fill("Saint-Étienne")
        # The last signature renders, seals and stores the contract and its annex in the
        # request: seconds on a quiet machine, over ten on 2 cores running the suite.
        form.get_by_role("button", name="Enregistrer la signature").click(
            timeout=SEALING_TIMEOUT_MS
        )
        expect(page.locator(".messages")).to_contain_text(
            "Signature de", timeout=SEALING_TIMEOUT_MS
        )
    expect(page.locator(".messages")).to_contain_text("le contrat est signé")
    expect(page.locator("form.signature-form")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="contrat signé")
    expect(row).to_contain_text("Scellé électroniquement (PAdES), PDF/A")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Télécharger").click()
    with open(download_info.value.path(), "rb") as handle:
        content = handle.read()
    assert "Signature is Valid" in pdf_signatures(content).stdout


def test_an_altered_file_shows_the_refusal_instead_of_downloading(page, sealed):
    document = Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT)
    altered = bytearray(sealed)
    altered[len(altered) // 2] ^= 0x01
    with open(default_storage.path(document.file.name), "wb") as handle:
        handle.write(altered)
    login(page, "partner-cg")
    page.goto(f"/contracts/{DEMO_SLUG}/documents/")
    row = page.get_by_role("row").filter(has_text="contrat signé")
    with page.expect_navigation():
        row.get_by_role("link", name="Télécharger").click()
    expect(page.get_by_role("heading", name="Téléchargement refusé")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("ne correspond plus à l'empreinte")
