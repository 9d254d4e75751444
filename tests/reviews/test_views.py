"""The review pages: who sees what and which controls, the forms (edit, needs typed and
imported, adoption), the PDF (a draft preview rendered, an adopted one served as stored),
the documents space and the query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import AnnualReview, ReviewStatus
from tests.pdftools import pdf_text
from tests.reviews.conftest import review_url

pytestmark = pytest.mark.django_db


def test_the_contract_tab_lists_every_year(client, demo_user, contract):
    client.force_login(demo_user("partner-caf"))
    response = client.get(f"/contracts/{contract.slug}/reviews/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page">Bilans</a>' in page
    for year in (2014, 2015, 2016, 2017):
        assert f"Bilan {year}" in page
    assert page.count("Bilan adopté (PDF)") == 3
    assert "Ouvrir un bilan" not in page


def test_a_partner_reads_the_review_without_its_forms(client, demo_user, draft_review):
    client.force_login(demo_user("partner-caf"))
    page = client.get(review_url(draft_review)).content.decode()
    assert "Bilan annuel 2017" in page
    assert "Roannais" in page and "Taux de couverture" in page
    assert "<svg" in page
    assert "Enregistrer le bilan" not in page and "Soumettre à la CDAJE" not in page


def test_the_cdaje_agent_edits_and_submits(client, demo_user, draft_review):
    client.force_login(demo_user("cdaje"))
    page = client.get(review_url(draft_review)).content.decode()
    assert "Enregistrer le bilan" in page and "Soumettre à la CDAJE" in page
    data = {"version": draft_review.version, "summary": "Synthèse revue"}
    for row in draft_review.fiches.all():
        data[f"state_{row.fiche_id}"] = "postponed"
        data[f"narrative_{row.fiche_id}"] = "Reporté"
    response = client.post(review_url(draft_review), data)
    assert response.status_code == 302
    review = AnnualReview.objects.get(pk=draft_review.pk)
    assert review.summary == "Synthèse revue"
    assert set(review.fiches.values_list("state", flat=True)) == {"postponed"}
    # The same form again, from the version it started from: refused, nothing lost.
    data["summary"] = "Synthèse concurrente"
    conflict = client.post(review_url(draft_review), data)
    assert conflict.status_code == 409
    assert "rien n’a été enregistré" in conflict.content.decode()
    assert AnnualReview.objects.get(pk=draft_review.pk).summary == "Synthèse revue"
    assert client.post(review_url(draft_review, "submit/")).status_code == 302
    assert AnnualReview.objects.get(pk=draft_review.pk).status == ReviewStatus.SUBMITTED


def test_needs_typed_in_the_table(client, demo_user, draft_review):
    client.force_login(demo_user("cdaje"))
    response = client.post(
        review_url(draft_review, "needs/"),
        {
            "version": draft_review.version,
            "rows": 2,
            "name_0": "Roannais",
            "children_0": 4000,
            "collective_0": 700,
            "childminders_0": 1900,
            "name_1": "",
        },
    )
    assert response.status_code == 302
    assert list(draft_review.areas.values_list("name", "children_under_3")) == [("Roannais", 4000)]
    refused = client.post(
        review_url(draft_review, "needs/"),
        {"version": draft_review.version + 1, "rows": 1, "name_0": "Forez", "collective_0": 3},
    )
    assert refused.status_code == 400
    assert "Indiquez le nombre d&#x27;enfants de moins de 3 ans." in refused.content.decode()


def test_needs_imported_from_a_csv_or_refused_with_each_error(client, demo_user, draft_review):
    client.force_login(demo_user("cdaje"))
    bad = "Zone;Enfants de moins de 3 ans;Accueil collectif\r\nForez;beaucoup;800\r\n"
    response = client.post(
        review_url(draft_review, "needs/import/"),
        {"version": draft_review.version, "file": SimpleUploadedFile("b.csv", bad.encode())},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le fichier n’a pas été importé" in page
    assert (
        "Ligne 2, colonne « Enfants de moins de 3 ans » : « beaucoup » n&#x27;est pas un nombre "
        "entier." in page
    )
    areas_before = list(draft_review.areas.values_list("name", flat=True))
    assert areas_before  # unchanged by the refused file
    good = "Zone;Enfants de moins de 3 ans;Accueil collectif\r\nForez;6000;800\r\n"
    response = client.post(
        review_url(draft_review, "needs/import/"),
        {"version": draft_review.version, "file": SimpleUploadedFile("b.csv", good.encode())},
    )
    assert response.status_code == 302
    assert list(draft_review.areas.values_list("name", flat=True)) == ["Forez"]


def test_adoption_form_errors_are_shown(client, demo_user, draft_review):
    AnnualReview.objects.filter(pk=draft_review.pk).update(status=ReviewStatus.SUBMITTED)
    client.force_login(demo_user("cdaje"))
    response = client.post(
        review_url(draft_review, "adopt/"),
        {"opinion": "Avis", "opinion_on": datetime.date(2017, 6, 1).isoformat()},
    )
    assert response.status_code == 400
    assert "à partir de 2018" in response.content.decode()


def test_the_draft_pdf_is_a_preview_never_stored(client, demo_user, draft_review):
    client.force_login(demo_user("partner-caf"))
    response = client.get(review_url(draft_review, "review.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "PROJET — DOCUMENT DE TRAVAIL" in text and "Bilan annuel 2017" in text
    assert "La CDAJE n’a pas encore rendu son avis." in text
    assert AnnualReview.objects.get(pk=draft_review.pk).document_id is None


def test_the_adopted_pdf_is_served_as_stored(client, demo_user, stored_reviews, adopted_review):
    from django.core.files.storage import default_storage

    with default_storage.open(adopted_review.document.file.name, "rb") as handle:
        stored = handle.read()
    adopted_review.fiches.update(narrative="Modifié après l'adoption")
    client.force_login(demo_user("partner-msa"))
    response = client.get(review_url(adopted_review, "review.pdf"))
    assert response.status_code == 200
    assert response.content == stored
    text = " ".join(pdf_text(response.content).split())
    assert "Adopté sur l’avis de la CDAJE rendu en plénière le 14 mars 2017." in text
    assert "Modifié après l'adoption" not in text


def test_the_documents_space_lists_the_adopted_reviews(client, demo_user, contract):
    client.force_login(demo_user("partner-caf"))
    page = client.get(f"/contracts/{contract.slug}/documents/").content.decode()
    for year in (2014, 2015, 2016):
        assert f"Bilan annuel {year} — adopté" in page
    assert "Bilan annuel 2017" not in page


@pytest.mark.parametrize("username", ["cdaje", "partner-caf"])
def test_review_pages_queries_are_bounded(client, demo_user, draft_review, username):
    client.force_login(demo_user(username))
    counts = []
    for url in (review_url(draft_review), f"/contracts/{draft_review.contract.slug}/reviews/"):
        client.get(url)  # the session and the viewer's facts, read once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    # The review page from the page cache, the header's unread count (notifications), and its
    # comments read per viewer outside it: the threads, and for a reader the review's id.
    assert counts[0] <= 8, counts
    assert counts[1] <= 8, counts


@pytest.mark.parametrize("username", ["cdaje", "partner-caf"])
def test_the_review_page_is_served_from_the_page_cache(client, demo_user, draft_review, username):
    import re

    from django.core.cache import cache

    client.force_login(demo_user(username))
    client.get(review_url(draft_review))  # the session and the viewer's facts, read once
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(review_url(draft_review))
    with CaptureQueriesContext(connection) as warm:
        second = client.get(review_url(draft_review))
    # Each with one query for the header's unread count (notifications), + the comments: their
    # threads, the review's fiches offered as sections (cached with the page), and for a
    # reader the review's id.
    assert len(cold.captured_queries) <= 22, len(cold.captured_queries)
    assert len(warm.captured_queries) <= 8, len(warm.captured_queries)

    def without_tokens(response):  # the CSRF tokens are masked anew on each response
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    assert without_tokens(first) == without_tokens(second)


def test_the_review_page_queries_do_not_grow_with_its_content(client, demo_user, draft_review):
    from decimal import Decimal

    from django.core.cache import cache

    from fiches.models import Fiche, Indicator, IndicatorYear
    from reviews.models import NeedsArea, NeedsPlaces

    def count():
        client.get(review_url(draft_review))
        cache.clear()  # rendered, not served from the page cache
        with CaptureQueriesContext(connection) as queries:
            client.get(review_url(draft_review))
        return len(queries.captured_queries)

    client.force_login(demo_user("cdaje"))
    before = count()
    for number, fiche in enumerate(Fiche.objects.filter(contract=draft_review.contract), 50):
        indicator = Indicator.objects.create(fiche=fiche, number=number, name="N", unit="u")
        IndicatorYear.objects.create(indicator=indicator, year=2017, target=Decimal(1))
    for index in range(10):
        area = NeedsArea.objects.create(
            review=draft_review, name=f"Zone {index}", children_under_3=9
        )
        NeedsPlaces.objects.create(area=area, care_type="collective", places=3)
    assert count() == before
