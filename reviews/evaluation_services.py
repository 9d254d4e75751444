"""Every change to the final evaluation: its text and each fiche's lessons and
recommendation (versioned, optimistic locking), and its adoption, which renders the
« Évaluation finale » PDF once, seals it if a seal is configured, and stores it with its
SHA-256 (`cej.documents`): never regenerated afterwards."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.documents import document_store
from cej.locking import lock_contract
from cej.models import DocumentKind
from cej.page_cache import mark_contract_changed
from cej.pdf import render_pdf
from cej.sealing import seal_configured, seal_pdf
from fiches.models import Fiche, FicheStatus
from reviews.evaluation_permissions import (
    can_adopt_evaluation,
    can_edit_evaluation,
    evaluation_open,
)
from reviews.evaluation_selectors import contract_years
from reviews.models import (
    EvaluationFiche,
    EvaluationStatus,
    FinalEvaluation,
    FinalEvaluationVersion,
    Recommendation,
)

TEXT_FIELDS = ("summary", "opinion")
PDF_TEMPLATE = "reviews/pdf/evaluation.html"


class EvaluationConflict(versioning.VersionConflict):
    """Someone saved the evaluation since the editor opened it: nothing was written."""


def snapshot_of(evaluation: FinalEvaluation) -> dict:
    return {
        "summary": evaluation.summary,
        "opinion": evaluation.opinion,
        "opinion_on": evaluation.opinion_on.isoformat() if evaluation.opinion_on else None,
        "status": evaluation.status,
        "fiches": {
            str(note.fiche_id): {"lessons": note.lessons, "recommendation": note.recommendation}
            for note in evaluation.fiches.order_by("fiche_id")
        },
    }


def _record(evaluation, *, action, by) -> None:
    versioning.record_version(
        FinalEvaluationVersion,
        evaluation=evaluation,
        number=evaluation.version,
        snapshot=snapshot_of(evaluation),
        action=action,
        by=by,
    )


def _check(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _locked_evaluation(contract_id):
    return FinalEvaluation.objects.select_for_update().filter(contract_id=contract_id).first()


@transaction.atomic
def evaluation_save(
    *, contract, changes: dict, notes: dict, by, expected_version: int | None = None
) -> FinalEvaluation:
    """Write the evaluation (created on its first save): `changes` its summary, opinion and
    opinion date; `notes` {fiche id: (lessons, recommendation)} for the contract's fiches.
    Saved from an older version than the stored one: EvaluationConflict, nothing written."""
    locked = lock_contract(contract.pk)
    evaluation = _locked_evaluation(contract.pk)
    if by is None:  # the demo, or a command: no person, the same rules of state
        _check(evaluation_open(locked, evaluation))
    else:
        _check(can_edit_evaluation(by, locked, evaluation))
    created = evaluation is None
    if created:
        evaluation = FinalEvaluation(contract=locked)
    elif expected_version is not None and evaluation.version != expected_version:
        latest = evaluation.versions.order_by("-number").first()
        base = evaluation.versions.filter(number=expected_version).first()
        raise EvaluationConflict(
            record=evaluation,
            base=base.snapshot if base else None,
            base_number=expected_version,
            current=snapshot_of(evaluation),
            latest=latest,
        )
    before = None if created else snapshot_of(evaluation)
    for name in TEXT_FIELDS:
        if name in changes:
            setattr(evaluation, name, (changes[name] or "").replace("\x00", "").strip())
    if "opinion_on" in changes:
        evaluation.opinion_on = changes["opinion_on"]
    evaluation.updated_by = by
    evaluation.full_clean()
    fiche_ids = set(
        Fiche.objects.filter(contract_id=locked.pk)
        .exclude(status=FicheStatus.WITHDRAWN)
        .values_list("pk", flat=True)
    )
    unknown = set(notes) - fiche_ids
    if unknown:
        raise ValidationError(_("Une des fiches évaluées ne relève pas de ce contrat."))
    for _lessons, recommendation in notes.values():
        if recommendation not in Recommendation.values:
            message = _("Recommandation inconnue : %(value)s.") % {"value": recommendation}
            raise ValidationError(message)
    if not created:
        evaluation.version += 1
    evaluation.save()
    stored = {note.fiche_id: note for note in evaluation.fiches.all()}
    for fiche_id, (lessons, recommendation) in notes.items():
        note = stored.get(fiche_id) or EvaluationFiche(evaluation=evaluation, fiche_id=fiche_id)
        note.lessons = (lessons or "").replace("\x00", "").strip()
        note.recommendation = recommendation
        note.save()
    if before is not None and snapshot_of(evaluation) == before:
        # Nothing changed: no new version (the number goes back to what it was).
        FinalEvaluation.objects.filter(pk=evaluation.pk).update(version=evaluation.version - 1)
        evaluation.version -= 1
        return evaluation
    _record(evaluation, action=_("Création") if created else _("Modification"), by=by)
    mark_contract_changed(locked.pk)
    return evaluation


def evaluation_pdf_context(contract, *, evaluation, by=None, draft: bool) -> dict:
    return {
        "contract": contract,
        "report": contract_years(contract),
        "evaluation": evaluation,
        "is_draft": draft,
        "generated_at": timezone.localtime(),
        "generated_by": by,
    }


def evaluation_filename(contract) -> str:
    return f"evaluation-finale-{contract.slug}.pdf"


@transaction.atomic
def evaluation_adopt(*, contract, by, opinion_on=None) -> FinalEvaluation:
    """Adopt the evaluation on the CDAJE's opinion given in plenary on `opinion_on` (or the
    date already entered): its PDF is rendered, sealed if a seal is configured, and stored
    once as the contract's « Évaluation finale » document."""
    locked = lock_contract(contract.pk)
    evaluation = _locked_evaluation(contract.pk)
    _check(can_adopt_evaluation(by, locked, evaluation))
    if opinion_on is not None:
        evaluation.opinion_on = opinion_on
    if evaluation.opinion_on is None:
        raise ValidationError(
            {
                "opinion_on": _(
                    "Indiquez la date de la plénière où la CDAJE a rendu son avis sur l'évaluation."
                )
            }
        )
    evaluation.status = EvaluationStatus.ADOPTED
    evaluation.adopted_at = timezone.now()
    evaluation.adopted_by = by
    context = evaluation_pdf_context(locked, evaluation=evaluation, by=by, draft=False)
    pdf = render_pdf(PDF_TEMPLATE, context, archival=True)
    sealed = seal_configured()
    if sealed:
        pdf = seal_pdf(
            pdf,
            reason=_("Évaluation finale adoptée sur l'avis de la CDAJE"),
            location=locked.signing_place or str(locked.territory),
        )
    title = _("Évaluation finale du contrat %(period)s") % {"period": locked.period_label}
    evaluation.document = document_store(
        contract=locked,
        kind=DocumentKind.FINAL_EVALUATION,
        title=title,
        content=pdf,
        filename=evaluation_filename(locked),
        by=by,
        dated=evaluation.opinion_on,
        sealed=sealed,
    )
    evaluation.version += 1
    evaluation.updated_by = by
    evaluation.full_clean()
    evaluation.save()
    _record(evaluation, action=_("Adoption"), by=by)
    mark_contract_changed(locked.pk)
    return evaluation
