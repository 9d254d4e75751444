"""The contract PDF as a reader sees it (text, fonts, metadata), its draft watermark, its
immutability once signed, and the URL fetcher that keeps WeasyPrint inside static/."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cej.models import ContractStatus, Document, DocumentKind
from cej.pdf import StaticOnlyFetcher, html_to_pdf, render_html, render_pdf, static_base_url
from demo.fiches_data import FICHES, OBJECTIVES
from fiches.models import Fiche, FicheStatus
from financing.models import BudgetLine
from pilotage.selectors import contract_document
from tests.pdftools import pdf_catalog, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.django_db

PARTIES = [
    "Conseil général de la Loire",
    "Caisse d'allocations familiales de la Loire",
    "Caisse de mutualité sociale agricole Ardèche Drôme Loire",
]
# Printed at the foot of every page of a draft (the diagonal « Projet » is decoration).
DRAFT_MARK = "PROJET — DOCUMENT DE TRAVAIL"
REPRESENTATIVES = ["Bernard Vialle", "Annie Courbon", "Olivier Ferrand", "Jean-Louis Peyron"]


def flat(text: str) -> str:
    """pdftotext's layout text with line breaks, hyphenation and runs of spaces undone, and
    typographic apostrophes made plain, so that a sentence can be searched as a whole."""
    text = text.replace("\u2019", "'").replace("\u00ad", "")
    text = re.sub(r"-\n\s*", "", text)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def signed_pdf(sealed_demo):
    document = Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT)
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_signed_contract_says_what_was_signed(signed_pdf):
    text = flat(pdf_text(signed_pdf))
    for party in PARTIES:
        assert party in text
    for person in REPRESENTATIVES:
        assert person in text
    assert "1er octobre 2014" in text
    assert "Saint-Étienne" in text
    for _number, title in OBJECTIVES:
        assert flat(title) in text, title
    for fiche in FICHES:
        assert flat(fiche["title"]) in text, fiche["title"]
    assert "198 000,00 €" in text  # pdftotext turns no-break spaces into plain ones
    assert "page 1 / " not in text  # no footer on the cover
    assert re.search(r"page 2 / \d+", text)


def test_the_contract_html_uses_french_typography(demo):
    html = render_html("pilotage/pdf/contract.html", contract_document(demo.contract))
    # Narrow no-break space between thousands, no-break space before the euro sign: the
    # amount never breaks across lines.
    assert "198\u202f000,00\u00a0€" in html
    assert "1<sup>er</sup> octobre 2014" in html or "1er octobre 2014" in html
    assert '<html lang="fr">' in html


def test_the_signed_contract_is_archival_tagged_and_embeds_its_fonts(signed_pdf):
    info = pdf_info(signed_pdf)
    assert info["Title"].startswith("Contrat enfance jeunesse départemental de la Loire")
    assert info["Tagged"] == "yes"
    assert 12 <= int(info["Pages"]) <= 80, info["Pages"]
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    # PDF/A-3b identification in the XMP metadata, and the document's language.
    lang, xmp = pdf_catalog(signed_pdf)
    assert lang == "fr"
    assert re.search(rb"pdfaid:part(>|=\")3", xmp), xmp[:2000]
    assert re.search(rb"pdfaid:conformance(>|=\")B", xmp), xmp[:2000]
    fonts = pdf_fonts(signed_pdf)
    assert fonts
    for font in fonts:
        assert font["emb"] == "yes", font["line"]
        assert "Noto" in font["name"], font["line"]  # shipped fonts, never a system fallback


def test_a_draft_carries_the_projet_watermark_on_every_page(client, demo, demo_user):
    contract = demo.contract
    contract.status = ContractStatus.IN_SIGNATURE
    contract.save()
    stored = Document.objects.count()  # the demo's adopted annual reviews
    client.force_login(demo_user("cdaje"))
    response = client.get(reverse("contract_pdf", kwargs={"slug": contract.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{contract.slug}-projet.pdf"'
    text = pdf_text(response.content)
    pages = int(pdf_info(response.content)["Pages"])
    assert text.count(DRAFT_MARK) == pages
    assert Document.objects.count() == stored  # a draft is never stored


def test_the_signed_contract_has_no_watermark(signed_pdf):
    assert DRAFT_MARK not in pdf_text(signed_pdf)
    assert "Projet" not in pdf_text(signed_pdf)


def test_the_signed_bytes_survive_later_edits(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    client.force_login(demo_user("partner-cg"))
    address = reverse("contract_pdf", kwargs={"slug": contract.slug})
    before = client.get(address).content

    # Years of changes: a fiche rewritten, a budget line changed. A signed contract's
    # content changes only through an avenant (tests/pilotage/test_amendment*.py): what
    # matters here is only that the rows change, so they are written directly.
    Fiche.objects.filter(contract=contract, number=3).update(title="Un titre entièrement nouveau")
    BudgetLine.objects.filter(contract=contract, year=2016).update(amount=1, other_receipts=0)

    after = client.get(address).content
    assert after == before
    assert "Un titre entièrement nouveau" not in pdf_text(after)
    # …while a draft rendered now would show the change: the stored PDF is not re-rendered.
    draft = render_pdf("pilotage/pdf/contract.html", contract_document(contract))
    assert "Un titre entièrement nouveau" in flat(pdf_text(draft))


def test_the_contract_context_costs_a_constant_number_of_queries(
    demo, django_assert_max_num_queries
):
    contract = demo.contract
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as baseline:
        contract_document(contract)["objectives"]
    baseline_count = len(baseline.captured_queries)
    objective = contract.objectives.first()
    for number in range(20, 40):
        Fiche.objects.create(
            objective=objective, number=number, title=f"Fiche {number}", status=FicheStatus.DRAFT
        )
    with django_assert_max_num_queries(baseline_count):
        contract_document(contract)


# --- the URL fetcher -------------------------------------------------------------------------


def test_the_fetcher_serves_static_files():
    response = StaticOnlyFetcher().fetch(static_base_url() + "css/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "address",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "data:text/plain,secret",
    ],
)
def test_the_fetcher_refuses_anything_else(address):
    with pytest.raises(ValueError, match="Ressource refusée"):
        StaticOnlyFetcher().fetch(address)


def test_the_fetcher_refuses_a_path_escaping_static():
    escaping = static_base_url() + "../config/settings.py"
    assert Path(settings.BASE_DIR / "config" / "settings.py").is_file()
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(escaping)


def test_a_hostile_html_cannot_pull_files_into_a_pdf():
    html = (
        '<html lang="fr"><head><title>t</title>'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<object data="file:///etc/passwd"></object><img src="file:///etc/hostname">'
        "<iframe src='/etc/passwd'></iframe><p>visible</p></body></html>"
    )
    text = pdf_text(html_to_pdf(html))
    assert "visible" in text
    assert "root:" not in text


def test_a_signed_contract_without_stored_document_prints_as_a_marked_copy(client, demo, demo_user):
    """The predecessor (2010–2013, expired) was signed before the application: its PDF is a
    reconstitution, marked on every page, never passed off as the original."""
    predecessor = demo.contract.predecessor
    stored = Document.objects.count()  # the demo's adopted annual reviews
    client.force_login(demo_user("partner-caf"))
    response = client.get(reverse("contract_pdf", kwargs={"slug": predecessor.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{predecessor.slug}-copie.pdf"'
    text = pdf_text(response.content)
    pages = int(pdf_info(response.content)["Pages"])
    assert text.count("COPIE RECONSTITUÉE LE") == pages
    assert DRAFT_MARK not in text
    assert "scellé électroniquement" not in flat(text)
    assert Document.objects.count() == stored


def test_counts_agree_in_number(demo):
    """« 1 objectif », « 3 objectifs »; « en 3 exemplaires originaux »."""
    contract = demo.contract
    context = contract_document(contract)
    text = flat(re.sub(r"<[^>]+>", " ", render_html("pilotage/pdf/contract.html", context)))
    assert f"déclinées en 3 objectifs et {context['fiche_count']} fiches actions," in text
    context["objectives"] = context["objectives"][:1]
    context["fiche_count"] = 1
    text = flat(re.sub(r"<[^>]+>", " ", render_html("pilotage/pdf/contract.html", context)))
    assert "déclinées en 1 objectif et 1 fiche action," in text
