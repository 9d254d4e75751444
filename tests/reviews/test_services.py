"""The annual review's writes: opening, editing (versioned, no lost update), the workflow
draft → submitted → adopted, and adoption's consequences (the PDF stored once, the funders'
activity data recorded)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from cej.documents import sha256_of
from cej.models import DocumentKind
from fiches.models import Fiche, FicheStatus, Indicator, IndicatorYear
from financing.models import SupportingDocument, SupportingDocumentKind
from reviews import services
from reviews.models import AnnualReview, ReviewStatus
from tests.pdftools import pdf_text

pytestmark = pytest.mark.django_db


def _states(review, state="done"):
    return {row.fiche_id: (state, f"Fait en {review.year}.") for row in review.fiches.all()}


def test_opening_a_year_lists_every_fiche_not_withdrawn(contract, demo_user, draft_review):
    draft_review.delete()
    review = services.review_create(contract=contract, year=2017, by=demo_user("cdaje"))
    fiches = Fiche.objects.filter(contract=contract).exclude(status=FicheStatus.WITHDRAWN)
    assert sorted(review.fiches.values_list("fiche_id", flat=True)) == sorted(
        fiches.values_list("pk", flat=True)
    )
    assert review.status == ReviewStatus.DRAFT
    assert list(review.versions.values_list("number", "action")) == [(1, "Ouverture du bilan")]


def test_a_year_is_opened_once_and_only_within_the_contract(contract, demo_user):
    cdaje = demo_user("cdaje")
    with pytest.raises(ValidationError, match="existe déjà"):
        services.review_create(contract=contract, year=2016, by=cdaje)
    with pytest.raises(PermissionDenied, match="n'est pas une année du contrat"):
        services.review_create(contract=contract, year=2019, by=cdaje)


@pytest.mark.parametrize("username", ["finance", "partner-caf"])
def test_only_the_cdaje_staff_edit_a_review(draft_review, demo_user, username):
    with pytest.raises(PermissionDenied, match="Seule l'équipe CDAJE prépare les bilans"):
        services.review_update(
            review=draft_review,
            summary="x",
            fiche_states={},
            expected_version=draft_review.version,
            by=demo_user(username),
        )


def test_an_edit_is_versioned_and_a_stale_one_refused(draft_review, demo_user):
    cdaje = demo_user("cdaje")
    base = draft_review.version
    saved = services.review_update(
        review=draft_review,
        summary="Première synthèse",
        fiche_states=_states(draft_review),
        expected_version=base,
        by=cdaje,
    )
    assert saved.version == base + 1
    assert set(saved.fiches.values_list("state", flat=True)) == {"done"}
    latest = saved.versions.order_by("-number").first()
    assert latest.snapshot["summary"] == "Première synthèse"
    with pytest.raises(services.ReviewConflict) as conflict:
        services.review_update(
            review=draft_review,
            summary="Autre synthèse",
            fiche_states={},
            expected_version=base,
            by=demo_user("admin"),
        )
    assert conflict.value.current["summary"] == "Première synthèse"
    assert AnnualReview.objects.get(pk=draft_review.pk).summary == "Première synthèse"


def test_needs_are_replaced_and_versioned(draft_review, demo_user):
    areas = [
        services.AreaFigures("Roannais", 4000, 70, {"collective": 650, "childminders": 1800}),
        services.AreaFigures("Forez", 6000, None, {"micro_creche": 150}),
    ]
    saved = services.needs_save(
        review=draft_review,
        areas=areas,
        expected_version=draft_review.version,
        by=demo_user("cdaje"),
    )
    assert list(saved.areas.values_list("name", "children_under_3", "unmet_requests")) == [
        ("Roannais", 4000, 70),
        ("Forez", 6000, None),
    ]
    assert saved.versions.order_by("-number").first().snapshot["areas"][1]["places"] == {
        "micro_creche": 150
    }


def test_workflow_submit_return_and_adoption_rules(draft_review, demo_user):
    cdaje, finance = demo_user("cdaje"), demo_user("finance")
    with pytest.raises(PermissionDenied, match="Soumettez d'abord le bilan"):
        services.review_adopt(
            review=draft_review, opinion="Avis", opinion_on=datetime.date(2018, 3, 1), by=cdaje
        )
    with pytest.raises(PermissionDenied):
        services.review_submit(review=draft_review, by=finance)
    review = services.review_submit(review=draft_review, by=cdaje)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_by == cdaje
    with pytest.raises(PermissionDenied, match="renvoyez-le en préparation"):
        services.review_update(
            review=review, summary="x", fiche_states={}, expected_version=review.version, by=cdaje
        )
    review = services.review_return(review=review, by=cdaje)
    assert review.status == ReviewStatus.DRAFT and review.submitted_at is None
    review = services.review_submit(review=review, by=cdaje)
    with pytest.raises(ValidationError, match="à partir de 2018"):
        services.review_adopt(
            review=review, opinion="Avis", opinion_on=datetime.date(2017, 12, 1), by=cdaje
        )
    with pytest.raises(ValidationError, match="ne peut pas être future"):
        services.review_adopt(
            review=review, opinion="Avis", opinion_on=datetime.date(2099, 1, 1), by=cdaje
        )
    with pytest.raises(ValidationError, match="Saisissez l'avis"):
        services.review_adopt(
            review=review, opinion="  ", opinion_on=datetime.date(2018, 3, 1), by=cdaje
        )
    with pytest.raises(PermissionDenied, match="coordination CDAJE"):
        services.review_adopt(
            review=review, opinion="Avis", opinion_on=datetime.date(2018, 3, 1), by=finance
        )


def test_an_adopted_review_changes_no_more(adopted_review, demo_user):
    with pytest.raises(PermissionDenied, match="Le bilan est adopté"):
        services.review_update(
            review=adopted_review,
            summary="x",
            fiche_states={},
            expected_version=adopted_review.version,
            by=demo_user("cdaje"),
        )


def _indicators(contract):
    """Two indicators with 2017 figures: one above its target (favourable), one above its
    ceiling (unfavourable: the lower the better)."""
    fiche2 = Fiche.objects.get(contract=contract, number=2)
    fiche7 = Fiche.objects.get(contract=contract, number=7)
    up = Indicator.objects.create(
        fiche=fiche2, number=91, name="Places créées en micro-crèche rurale", unit="places"
    )
    down = Indicator.objects.create(
        fiche=fiche7,
        number=92,
        name="Délai moyen de réponse aux familles",
        unit="jours",
        direction="down",
    )
    IndicatorYear.objects.create(indicator=up, year=2017, target=Decimal(100), actual=Decimal(112))
    IndicatorYear.objects.create(indicator=down, year=2017, target=Decimal(20), actual=Decimal(25))
    return up, down


def test_adoption_stores_the_pdf_once_and_records_the_activity_data(
    contract, draft_review, demo_user
):
    """One PDF rendered for the module: the adopted review read back with pdftotext, its
    stored bytes unchanged by later edits, and the funders' activity data recorded."""
    cdaje = demo_user("cdaje")
    up, _down = _indicators(contract)
    SupportingDocument.objects.filter(
        contract=contract, year=2017, kind=SupportingDocumentKind.ACTIVITY
    ).order_by("funder__name").first().delete()  # one funder has not received it yet
    kept = list(
        SupportingDocument.objects.filter(contract=contract, year=2017).values_list(
            "pk", "received_on"
        )
    )
    review = services.review_submit(review=draft_review, by=cdaje)
    review = services.review_adopt(
        review=review,
        opinion="Avis favorable de la CDAJE sur le bilan 2017, sous réserve du pôle ressource.",
        opinion_on=datetime.date(2018, 3, 13),
        by=cdaje,
    )
    document = review.document
    assert review.status == ReviewStatus.ADOPTED
    assert document.kind == DocumentKind.ANNUAL_REVIEW
    assert document.title == "Bilan annuel 2017 — adopté"
    with default_storage.open(document.file.name, "rb") as handle:
        stored = handle.read()
    assert sha256_of(stored) == document.sha256

    activity = SupportingDocument.objects.filter(
        contract=contract, year=2017, kind=SupportingDocumentKind.ACTIVITY
    )
    assert activity.count() == 2  # both funders (CAF and MSA)
    added = activity.exclude(pk__in=[pk for pk, _on in kept]).get()
    assert added.received_on == datetime.date(2018, 3, 13)
    assert added.reference == "Bilan annuel 2017 adopté"
    for pk, received_on in kept:  # recorded before: left as they were
        assert SupportingDocument.objects.get(pk=pk).received_on == received_on

    # Words as printed: lines joined, words hyphenated at a line's end made whole again.
    text = " ".join(pdf_text(stored).split()).replace("\u2010 ", "")
    assert "Bilan annuel 2017" in text
    for fiche in Fiche.objects.filter(contract=contract).exclude(status=FicheStatus.WITHDRAWN):
        assert f"Fiche {fiche.number} — " in text
    for indicator in Indicator.objects.filter(contract=contract):
        label = f"{indicator.fiche.number}.{indicator.number} "
        assert label in text
        # A long name wraps in its cell: pdftotext then reads the row's other cells between
        # its lines. Its words follow the number, in order, within the row.
        row = text[text.index(label) :][:400]
        # (A hyphenated word may break at its hyphen: its parts are read apart.)
        assert _in_order(re.split(r"[\s\-\u2010]+", indicator.name), row), (indicator.name, row)
    assert "+12 +12,0 %" in text  # 112 against 100
    assert "+5 +25,0 %" in text  # 25 days against 20
    assert "sous réserve du pôle ressource" in text
    assert "13 mars 2018" in text
    assert "Taux de couverture" in text and "Roannais" in text

    # Later edits change nothing of the adopted document.
    IndicatorYear.objects.filter(indicator=up, year=2017).update(actual=Decimal(50))
    review.fiches.update(narrative="Réécrit après coup")
    with pytest.raises(PermissionDenied, match="déjà adopté"):
        services.review_adopt(
            review=review, opinion="Autre", opinion_on=datetime.date(2018, 4, 1), by=cdaje
        )
    with default_storage.open(document.file.name, "rb") as handle:
        assert handle.read() == stored
    assert AnnualReview.objects.get(pk=review.pk).document_id == document.pk


def _in_order(words, text) -> bool:
    """Each word found after the one before it."""
    position = 0
    for word in words:
        position = text.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True
