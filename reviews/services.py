"""Every change to an annual review: opening it, editing its synthesis and each fiche's
state, its needs and supply figures, submitting it to the CDAJE, sending it back, adopting
it. Each is atomic, checks its predicate, takes the contract's lock first (`cej.locking`)
and checks again under it, refuses a save based on an outdated version (`ReviewConflict`),
records a version (`cej.versioning`) and marks the contract changed for its cached pages.

Adoption renders the « Bilan annuel » PDF once (`reviews.pdf`), seals it when a seal is
configured, stores it with its SHA-256 as the contract's document and links it; and
records, for each funder, the year's activity data (`SupportingDocumentKind.ACTIVITY`) as
received: the review is the supporting document the payment cycle expects."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.dates import format_date_long
from cej.documents import document_store
from cej.locking import lock_contract
from cej.models import Contract, DocumentKind
from cej.page_cache import mark_contract_changed
from cej.pdf import render_pdf
from cej.sealing import seal_configured, seal_pdf
from fiches.models import Fiche, FicheStatus
from financing.cycle_services import supporting_document_record
from financing.models import SupportingDocument, SupportingDocumentKind
from financing.terms import contract_terms
from notifications import recipients
from notifications.models import Kind
from notifications.services import notify
from reviews.models import (
    ActionState,
    AnnualReview,
    AnnualReviewVersion,
    CareType,
    NeedsArea,
    NeedsPlaces,
    ReviewFiche,
    ReviewStatus,
)
from reviews.permissions import (
    can_adopt_review,
    can_create_review,
    can_edit_review,
    can_return_review,
    can_submit_review,
    review_refusal,
)

TEXT_MAX = 20_000


class ReviewConflict(versioning.VersionConflict):
    """The review changed since the editor opened it: nothing was written."""


@dataclass
class AreaFigures:
    """One area of the needs and supply report as typed or imported."""

    name: str
    children_under_3: int
    unmet_requests: int | None = None
    places: dict[str, int] = field(default_factory=dict)  # CareType value → places


def snapshot_of(review: AnnualReview) -> dict:
    """Everything a version keeps, JSON-ready."""
    return {
        "year": review.year,
        "status": review.status,
        "summary": review.summary,
        "opinion": review.opinion,
        "opinion_on": review.opinion_on.isoformat() if review.opinion_on else None,
        "fiches": {
            str(row.fiche_id): {"state": row.state, "narrative": row.narrative}
            for row in review.fiches.order_by("fiche__number")
        },
        "areas": [
            {
                "name": area.name,
                "children_under_3": area.children_under_3,
                "unmet_requests": area.unmet_requests,
                "places": {p.care_type: p.places for p in area.places.all()},
            }
            for area in review.areas.prefetch_related("places").order_by("order", "name")
        ],
    }


def _record(review: AnnualReview, *, action: str, by) -> None:
    versioning.record_version(
        AnnualReviewVersion,
        review=review,
        number=review.version,
        snapshot=snapshot_of(review),
        action=action,
        by=by,
    )


def _check(decide, by, *args, system: bool, contract) -> None:
    """The person `by` through the predicate; or, for a write the application makes itself
    (`system`: the demo loader, which may run with no account at all), only the contract's
    state, naming no one."""
    if system:
        if by is not None:
            raise ValueError("A system write names no person: by=None with system=True.")
        if refusal := review_refusal(contract):
            raise PermissionDenied(refusal)
        return
    allowed, reason = decide(by, *args)
    if not allowed:
        raise PermissionDenied(reason)


def _locked(contract_id: int) -> Contract:
    contract = lock_contract(contract_id)
    if contract is None:
        raise Contract.DoesNotExist(contract_id)
    return contract


def _reviewed_fiches(contract_id: int):
    return Fiche.objects.filter(contract_id=contract_id).exclude(status=FicheStatus.WITHDRAWN)


def _clean_text(value) -> str:
    return (value or "").replace("\x00", "").strip()[:TEXT_MAX]


@transaction.atomic
def review_create(*, contract: Contract, year: int, by, system: bool = False) -> AnnualReview:
    """Open the review of one year of the contract, in draft, with a row per fiche."""
    _check(can_create_review, by, contract, year, system=system, contract=contract)
    contract = _locked(contract.pk)
    if refusal := review_refusal(contract):
        raise PermissionDenied(refusal)
    if not contract.covers_year(year):
        raise ValidationError(
            {
                "year": _("L'année %(year)s n'est pas une année du contrat (%(period)s).")
                % {"year": year, "period": contract.period_label}
            }
        )
    if AnnualReview.objects.filter(contract=contract, year=year).exists():
        raise ValidationError({"year": _("Le bilan de cette année existe déjà.")})
    review = AnnualReview(contract=contract, year=year, updated_by=by)
    review.full_clean()
    review.save()
    ReviewFiche.objects.bulk_create(
        ReviewFiche(review=review, fiche=fiche) for fiche in _reviewed_fiches(contract.pk)
    )
    _record(review, action=_("Ouverture du bilan"), by=by)
    mark_contract_changed(contract.pk)
    return review


def _bump(review: AnnualReview, *, expected_version: int, by, statuses) -> AnnualReview:
    """Count one more saved change of the review, if it still stands at `expected_version`
    in one of `statuses`; ReviewConflict otherwise (PermissionDenied if only its status
    moved). Call under the contract's lock."""
    updated = AnnualReview.objects.filter(
        pk=review.pk, version=expected_version, status__in=statuses
    ).update(version=F("version") + 1, updated_by=by, updated_at=timezone.now())
    current = AnnualReview.objects.select_related("contract").get(pk=review.pk)
    if updated:
        return current
    if current.version != expected_version:
        base = current.versions.filter(number=expected_version).first()
        latest = current.versions.select_related("author").order_by("-number").first()
        raise ReviewConflict(
            record=current,
            base=base.snapshot if base else None,
            base_number=expected_version,
            current=snapshot_of(current),
            latest=latest,
        )
    raise PermissionDenied(
        _("Le bilan est « %(status)s » : il ne peut plus être modifié ainsi.")
        % {"status": current.get_status_display()}
    )


@transaction.atomic
def review_update(
    *,
    review: AnnualReview,
    summary: str,
    fiche_states: dict,
    expected_version: int,
    by,
    system: bool = False,
) -> AnnualReview:
    """Save the synthesis and, per fiche id, its (state, narrative), edited from
    `expected_version`. Fiches of the contract only; a fiche not named keeps its row."""
    _check(can_edit_review, by, review, system=system, contract=review.contract)
    contract = _locked(review.contract_id)
    if refusal := review_refusal(contract):
        raise PermissionDenied(refusal)
    fiche_ids = set(_reviewed_fiches(contract.pk).values_list("pk", flat=True))
    for fiche_id, (state, _narrative) in fiche_states.items():
        if fiche_id not in fiche_ids:
            raise ValidationError(_("Cette fiche ne relève pas de ce contrat."))
        if state not in ActionState.values:
            raise ValidationError(_("État des actions inconnu : « %(state)s ».") % {"state": state})
    review = _bump(review, expected_version=expected_version, by=by, statuses=[ReviewStatus.DRAFT])
    review.summary = _clean_text(summary)
    review.save(update_fields=["summary"])
    rows = {row.fiche_id: row for row in review.fiches.all()}
    for fiche_id, (state, narrative) in fiche_states.items():
        row = rows.get(fiche_id) or ReviewFiche(review=review, fiche_id=fiche_id)
        row.state, row.narrative = state, _clean_text(narrative)
        row.save()
    _record(review, action=_("Modification"), by=by)
    mark_contract_changed(contract.pk)
    return review


@transaction.atomic
def needs_save(
    *,
    review: AnnualReview,
    areas: list[AreaFigures],
    expected_version: int,
    by,
    action: str | None = None,
    system: bool = False,
) -> AnnualReview:
    """Replace the review's needs and supply figures with `areas` (typed or imported)."""
    _check(can_edit_review, by, review, system=system, contract=review.contract)
    contract = _locked(review.contract_id)
    if refusal := review_refusal(contract):
        raise PermissionDenied(refusal)
    names = [area.name.strip().casefold() for area in areas]
    if len(set(names)) != len(names):
        raise ValidationError(_("Chaque zone ne figure qu'une fois dans l'état des besoins."))
    for area in areas:
        unknown = set(area.places) - set(CareType.values)
        if unknown:
            raise ValidationError(
                _("Mode d'accueil inconnu : %(types)s.") % {"types": ", ".join(sorted(unknown))}
            )
    review = _bump(review, expected_version=expected_version, by=by, statuses=[ReviewStatus.DRAFT])
    review.areas.all().delete()
    for order, figures in enumerate(areas, start=1):
        area = NeedsArea(
            review=review,
            order=order,
            name=figures.name.strip(),
            children_under_3=figures.children_under_3,
            unmet_requests=figures.unmet_requests,
        )
        area.full_clean(exclude=["review"])
        area.save()
        NeedsPlaces.objects.bulk_create(
            NeedsPlaces(area=area, care_type=care_type, places=places)
            for care_type, places in figures.places.items()
            if places
        )
    _record(review, action=action or _("État des besoins et de l'offre d'accueil"), by=by)
    mark_contract_changed(contract.pk)
    return review


@transaction.atomic
def review_submit(*, review: AnnualReview, by, system: bool = False) -> AnnualReview:
    """Draft → submitted to the CDAJE."""
    contract = _locked(review.contract_id)
    review = AnnualReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    review.contract = contract
    _check(can_submit_review, by, review, system=system, contract=contract)
    if review.status != ReviewStatus.DRAFT:
        raise PermissionDenied(_("Seul un bilan en préparation peut être soumis à la CDAJE."))
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at, review.submitted_by = timezone.now(), by
    review = _save_transition(review, action=_("Soumission à la CDAJE"), by=by)
    notify(
        kind=Kind.REVIEW_SUBMITTED,
        recipients=recipients.coordinators(contract),
        title=_("Bilan annuel %(year)s soumis à la CDAJE") % {"year": review.year},
        url=_review_url(review),
        contract=contract,
        actor=by,
    )
    return review


@transaction.atomic
def review_return(*, review: AnnualReview, by) -> AnnualReview:
    """Submitted → back in preparation (the CDAJE asked for changes)."""
    contract = _locked(review.contract_id)
    review = AnnualReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    review.contract = contract
    _check(can_return_review, by, review, system=False, contract=contract)
    review.status = ReviewStatus.DRAFT
    review.submitted_at, review.submitted_by = None, None
    review = _save_transition(review, action=_("Renvoi en préparation"), by=by)
    notify(
        kind=Kind.FICHE_RETURNED,
        recipients=recipients.authors(review.versions.all()),
        title=_("Bilan annuel %(year)s renvoyé en préparation par la CDAJE")
        % {"year": review.year},
        url=_review_url(review),
        contract=contract,
        actor=by,
    )
    return review


def _review_url(review: AnnualReview) -> str:
    return reverse("annual_review", kwargs={"slug": review.contract.slug, "year": review.year})


def _save_transition(review: AnnualReview, *, action: str, by) -> AnnualReview:
    review.version += 1
    review.updated_by = by
    review.full_clean()
    review.save()
    _record(review, action=action, by=by)
    mark_contract_changed(review.contract_id)
    return review


@transaction.atomic
def review_adopt(
    *,
    review: AnnualReview,
    opinion: str,
    opinion_on: datetime.date,
    by,
    system: bool = False,
) -> AnnualReview:
    """Submitted → adopted on the CDAJE's opinion given in plenary on `opinion_on`: the PDF
    is rendered once, sealed if a seal is configured, stored and linked; each funder's
    activity data for the year is recorded as received (unless it already is)."""
    contract = _locked(review.contract_id)
    review = AnnualReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    review.contract = contract
    _check(can_adopt_review, by, review, system=system, contract=contract)
    if review.status != ReviewStatus.SUBMITTED:
        raise PermissionDenied(
            _("Soumettez d'abord le bilan à la CDAJE : il est adopté sur son avis.")
        )
    if opinion_on is None:
        raise ValidationError({"opinion_on": _("Indiquez la date de la plénière de la CDAJE.")})
    if opinion_on > timezone.localdate():
        raise ValidationError({"opinion_on": _("La date de la plénière ne peut pas être future.")})
    if opinion_on.year <= review.year:
        raise ValidationError(
            {
                "opinion_on": _(
                    "Le bilan %(year)s porte sur une année achevée : la CDAJE rend son avis à "
                    "partir de %(next)s."
                )
                % {"year": review.year, "next": review.year + 1}
            }
        )
    opinion = _clean_text(opinion)
    if not opinion:
        raise ValidationError({"opinion": _("Saisissez l'avis rendu par la CDAJE.")})
    review.opinion, review.opinion_on = opinion, opinion_on
    review.status = ReviewStatus.ADOPTED
    review.adopted_at, review.adopted_by = timezone.now(), by
    review.version += 1
    review.updated_by = by
    review.full_clean()
    review.save()
    review.document = _store_document(review, by=by)
    review.save(update_fields=["document"])
    _record(review, action=_("Adoption sur l'avis de la CDAJE"), by=by)
    _record_activity_documents(review)
    mark_contract_changed(contract.pk)
    notify(
        kind=Kind.OPINION_RECORDED,
        recipients=[
            *recipients.authors(review.versions.all()),
            *recipients.partner_users(contract),
        ],
        title=_("Bilan annuel %(year)s adopté sur l'avis de la CDAJE") % {"year": review.year},
        url=_review_url(review),
        contract=contract,
        actor=by,
    )
    return review


def _store_document(review: AnnualReview, *, by):
    """The adopted review's PDF: rendered once (PDF/A-3b), sealed when possible, stored."""
    from reviews.pdf import review_pdf_context  # the PDF's reads need the services' models

    contract = review.contract
    pdf = render_pdf("reviews/pdf/review.html", review_pdf_context(review), archival=True)
    sealed = seal_configured()
    if sealed:
        pdf = seal_pdf(
            pdf,
            reason=_("Bilan annuel %(year)s adopté sur l'avis de la CDAJE du %(date)s")
            % {"year": review.year, "date": format_date_long(review.opinion_on)},
            location=contract.signing_place or contract.territory.name,
        )
    return document_store(
        contract=contract,
        kind=DocumentKind.ANNUAL_REVIEW,
        title=_("Bilan annuel %(year)s — adopté") % {"year": review.year},
        content=pdf,
        filename=f"{contract.slug}-bilan-{review.year}.pdf",
        by=by,
        dated=review.opinion_on,
        sealed=sealed,
    )


def _record_activity_documents(review: AnnualReview) -> None:
    """Each funder receives the adopted review as the year's activity data."""
    contract = review.contract
    received = set(
        SupportingDocument.objects.filter(
            contract=contract, year=review.year, kind=SupportingDocumentKind.ACTIVITY
        ).values_list("funder_id", flat=True)
    )
    for funder_id in contract_terms(contract.pk).funder_ids:
        if funder_id in received:
            continue
        supporting_document_record(
            document=SupportingDocument(
                contract=contract,
                funder_id=funder_id,
                year=review.year,
                kind=SupportingDocumentKind.ACTIVITY,
                received_on=review.opinion_on,
                reference=str(_("Bilan annuel %(year)s adopté") % {"year": review.year}),
            ),
            by=None,
            system=True,
        )
