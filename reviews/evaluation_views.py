"""The final evaluation's pages: the four years side by side with its form, its adoption, and
its PDF (a draft rendered on request until it is adopted, then the stored one).

Thin: scope through `scoped_contract` (404 out of scope), permissions through
`reviews.evaluation_permissions` (403 with the reason), writes through
`reviews.evaluation_services`, reads through `reviews.evaluation_selectors`."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej.document_serving import serve_document
from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.sealing import SealUnavailable
from cej.view_helpers import add_errors, require, scoped_contract
from reviews import evaluation_services as services
from reviews.evaluation_forms import (
    AdoptForm,
    EvaluationForm,
    evaluation_initial,
    lessons_name,
    recommendation_name,
)
from reviews.evaluation_permissions import can_adopt_evaluation, can_edit_evaluation
from reviews.evaluation_selectors import contract_years, page_state
from reviews.models import EvaluationStatus

logger = logging.getLogger(__name__)


def _renewal_allowed(user, contract, state) -> bool:
    # The renewal's predicate is pilotage's (above this app): asked through the permission
    # it starts with, the page only offers the button; the POST view decides.
    return (
        user.has_perm("cej.add_contract")
        and contract.status in ("signed", "expired")
        and state.successor_slug is None
    )


def _fiches(report) -> list:
    return [row.fiche for row in report.fiches]


def _body_context(contract, report, form, viewer, state) -> dict:
    evaluation = report.evaluation
    return {
        "contract": contract,
        "report": report,
        "evaluation": evaluation,
        "objectives": _with_fields(report, form),
        "form": form,
        "adopt_form": AdoptForm(initial={"opinion_on": evaluation and evaluation.opinion_on})
        if viewer["can_adopt"]
        else None,
        "successor": {"slug": state.successor_slug, "title": state.successor_title}
        if state.successor_slug
        else None,
    }


@login_required
def final_evaluation(request, slug):
    """The four years side by side; for the CDAJE staff, the form that writes the evaluation
    (POST here). Rendered once per contract state and viewer's rights (cej.page_cache)."""
    contract = scoped_contract(request, slug)
    user = request.user
    # Read before the page only for whoever may act on it: a reader's predicates refuse on
    # their permissions alone, and a cached page needs nothing more.
    state = None
    if user.has_perm("reviews.change_finalevaluation") or user.has_perm("cej.add_contract"):
        state = page_state(contract)
    evaluation = state.evaluation if state else None
    can_edit, edit_refusal = can_edit_evaluation(user, contract, evaluation)
    viewer = {
        "can_edit": can_edit,
        "edit_refusal": edit_refusal,
        "can_adopt": can_adopt_evaluation(user, contract, evaluation)[0],
        "can_renew": state is not None and _renewal_allowed(user, contract, state),
    }
    if request.method != "POST":

        def build():
            report = contract_years(contract)
            form = None
            if can_edit:
                form = EvaluationForm(
                    initial=evaluation_initial(report.evaluation, report.fiches),
                    fiches=_fiches(report),
                )
            return _body_context(contract, report, form, viewer, state or page_state(contract))

        body = cached_fragment(
            request, contract, "reviews/_evaluation_body.html", build, viewer=viewer
        )
        return render(request, "reviews/evaluation.html", {"contract": contract, "body": body})
    require((can_edit, edit_refusal))
    report = contract_years(contract)
    form = EvaluationForm(request.POST, fiches=_fiches(report))
    if form.is_valid():
        try:
            services.evaluation_save(
                contract=contract,
                changes=form.changes(),
                notes=form.notes(),
                by=request.user,
                expected_version=form.cleaned_data.get("version") or None,
            )
        except services.EvaluationConflict as conflict:
            form.add_error(
                None,
                _(
                    "%(who)s a enregistré l'évaluation entre-temps : rien n'a été écrit. "
                    "Rechargez la page pour repartir de sa version."
                )
                % {"who": conflict.who},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Évaluation finale enregistrée."))
            return redirect("final_evaluation", slug=contract.slug)
    context = {**_body_context(contract, report, form, viewer, state), **viewer}
    body = render_to_string("reviews/_evaluation_body.html", context, request=request)
    return render(
        request,
        "reviews/evaluation.html",
        {"contract": contract, "body": mark_safe(body)},  # rendered by the template engine
        status=400,
    )


def _with_fields(report, form) -> list:
    """Each objective with its fiches, each fiche with its two fields (None without a form)."""
    return [
        (
            objective,
            [
                (
                    row,
                    (form[lessons_name(row.fiche.pk)], form[recommendation_name(row.fiche.pk)])
                    if form is not None
                    else None,
                )
                for row in rows
            ],
        )
        for objective, rows in report.objectives
    ]


@login_required
@require_POST
def final_evaluation_adopt(request, slug):
    contract = scoped_contract(request, slug)
    evaluation = getattr(contract, "final_evaluation", None)
    require(can_adopt_evaluation(request.user, contract, evaluation))
    form = AdoptForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_adopt(
                contract=contract, by=request.user, opinion_on=form.cleaned_data["opinion_on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except SealUnavailable as error:
            logger.error("Sceau indisponible : %s", error)
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Évaluation finale adoptée : son PDF est enregistré dans les documents."),
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("final_evaluation", slug=contract.slug)


@login_required
def final_evaluation_pdf(request, slug):
    """The adopted evaluation as stored; before, a draft rendered on request (« projet »)."""
    contract = scoped_contract(request, slug)
    evaluation = getattr(contract, "final_evaluation", None)
    if evaluation is not None and evaluation.status == EvaluationStatus.ADOPTED:
        document = evaluation.document
        document.contract = contract
        return serve_document(request, document)
    context = services.evaluation_pdf_context(
        contract, evaluation=evaluation, by=request.user, draft=True
    )
    pdf = render_pdf(services.PDF_TEMPLATE, context)
    return pdf_response(pdf, f"evaluation-finale-{contract.slug}-projet.pdf")
