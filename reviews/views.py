"""The pages of a contract's annual reviews: the list of its years (and opening one), the
review of a year with its forms (synthesis and fiches, needs and supply typed or imported)
and its workflow (submit, send back, adopt), and `review.pdf`.

Thin: scope through `scoped_contract` (404 out of scope), permissions through
`reviews.permissions` (403 with the reason), writes through `reviews.services`, reads
through `reviews.selectors`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej import versioning
from cej.document_serving import serve_document
from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.view_helpers import add_errors, require, scoped_contract
from comments.embedding import comment_block
from comments.models import TargetKind
from reviews import charts, services
from reviews.forms import (
    MAX_AREA_ROWS,
    AdoptForm,
    NeedsForm,
    NeedsImportForm,
    ReviewEditForm,
    ReviewOpenForm,
    as_snapshot,
    flatten_snapshot,
    initial_edit,
    initial_needs,
)
from reviews.models import AnnualReview, ReviewStatus
from reviews.needs_import import NeedsImportError, read_needs_csv
from reviews.pdf import review_pdf_context
from reviews.permissions import (
    can_adopt_review,
    can_create_review,
    can_edit_review,
    can_return_review,
    can_submit_review,
)
from reviews.selectors import review_list, review_report


def _review(contract, year) -> AnnualReview:
    review = get_object_or_404(
        AnnualReview.objects.select_related("document", "submitted_by", "adopted_by"),
        contract=contract,
        year=year,
    )
    review.contract = contract
    return review


def _page(review):
    return redirect("annual_review", slug=review.contract.slug, year=review.year)


@login_required
def annual_review_list(request, slug):
    contract = scoped_contract(request, slug)
    years = review_list(contract)
    allowed, refusal = can_create_review(request.user, contract)
    free_years = [year for year, review in years if review is None]
    return render(
        request,
        "reviews/review_list.html",
        {
            "contract": contract,
            "years": years,
            "open_form": ReviewOpenForm(years=free_years) if allowed and free_years else None,
            "open_refusal": refusal,
        },
    )


@login_required
@require_POST
def annual_review_open(request, slug):
    contract = scoped_contract(request, slug)
    require(can_create_review(request.user, contract))
    existing = set(contract.reviews.values_list("year", flat=True))
    form = ReviewOpenForm(request.POST, years=[y for y in contract.years if y not in existing])
    if not form.is_valid():
        messages.error(
            request, _("Choisissez une année du contrat dont le bilan n'est pas ouvert.")
        )
        return redirect("annual_review_list", slug=slug)
    try:
        review = services.review_create(
            contract=contract, year=form.cleaned_data["year"], by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("annual_review_list", slug=slug)
    messages.success(request, _("Bilan %(year)s ouvert.") % {"year": review.year})
    return _page(review)


@login_required
def annual_review(request, slug, year):
    """The review of one year; POST saves the synthesis and the fiches' states. Rendered
    once per contract state, day and viewer's rights (cej.page_cache)."""
    contract = scoped_contract(request, slug)
    if request.method != "POST":
        return _cached_page(request, contract, year)
    review = _review(contract, year)
    report = review_report(review)
    fiches = [row.fiche for row in report.fiches]
    require(can_edit_review(request.user, review))
    edit_form, conflict, status = ReviewEditForm(request.POST, fiches=fiches), None, 200
    if edit_form.is_valid():
        try:
            services.review_update(
                review=review,
                summary=edit_form.cleaned_data["summary"],
                fiche_states=edit_form.fiche_states(),
                expected_version=edit_form.cleaned_data["version"],
                by=request.user,
            )
        except services.ReviewConflict as error:
            conflict = error
            edit_form = _rebased(edit_form, error, fiches)
            review = _review(contract, year)
            report = review_report(review)
            status = 409
        except ValidationError as error:
            add_errors(edit_form, error)
        else:
            messages.success(request, _("Bilan enregistré."))
            return _page(review)
    if status == 200:
        status = 400 if edit_form.errors else 200
    return _render_page(
        request, review, report, edit_form=edit_form, conflict=conflict, status=status
    )


def _cached_page(request, contract, year):
    user = request.user
    # Read before the page only for whoever may act on a review: a reader's predicates
    # refuse on their permissions alone (a stand-in does), and a cached page needs nothing
    # more. A cached body exists only for a review that existed in this contract state.
    if user.has_perm("reviews.change_annualreview") or user.has_perm("reviews.adopt_annualreview"):
        review = _review(contract, year)
    else:
        review = AnnualReview(contract=contract, year=year)
    today = timezone.localdate()  # the funders' positions: what is due so far
    viewer = {**_permissions(user, review), "year": year, "today": today.isoformat()}

    def build():
        stored = review if review.pk else _review(contract, year)
        return _body_context(stored, review_report(stored, today=today), viewer)

    body = cached_fragment(request, contract, "reviews/_review_body.html", build, viewer=viewer)
    if not review.pk:  # a reader's stand-in: the comments need the review's id
        review = get_object_or_404(
            AnnualReview.objects.only("pk", "year", "contract_id"), contract=contract, year=year
        )
        review.contract = contract
    return render(
        request,
        "reviews/review_detail.html",
        {"contract": contract, "year": year, "body": body, **_comments(request, review)},
    )


def _comments(request, review) -> dict:
    """The review's comments, per viewer, outside the cached body."""
    return comment_block(request, kind=TargetKind.REVIEW, obj=review, contract=review.contract)


def _permissions(user, review) -> dict:
    """What the viewer may do on the page: part of the cached body's key."""
    can_edit, edit_refusal = can_edit_review(user, review)
    return {
        "can_edit": can_edit,
        "edit_refusal": edit_refusal,
        "can_submit": can_submit_review(user, review)[0],
        "can_return": can_return_review(user, review)[0],
        "can_adopt": can_adopt_review(user, review)[0],
    }


def _rebased(form, error, fiches):
    """The refused edit moved onto the version now stored (`cej.versioning.rebase`)."""
    mine = as_snapshot(form.cleaned_data, form.fiche_ids)
    rebased = versioning.rebase(
        base=flatten_snapshot(error.base), current=flatten_snapshot(error.current), mine=mine
    )
    data = form.data.copy()
    for key, value in rebased.values.items():
        data[key] = value or ""
    data["version"] = error.record.version
    rebased_form = ReviewEditForm(data, fiches=fiches)
    rebased_form.is_valid()
    rebased_form.both_changed = rebased.both_changed
    return rebased_form


def _render_page(
    request,
    review,
    report,
    *,
    edit_form=None,
    needs_form=None,
    import_form=None,
    import_errors=None,
    adopt_form=None,
    conflict=None,
    status=200,
):
    """The page after a refused POST, with the posted forms: rendered, not cached."""
    viewer = _permissions(request.user, review)
    context = {
        **_body_context(
            review,
            report,
            viewer,
            edit_form=edit_form,
            needs_form=needs_form,
            import_form=import_form,
            adopt_form=adopt_form,
        ),
        **viewer,
        "import_errors": import_errors,
        "conflict": conflict,
    }
    body = render_to_string("reviews/_review_body.html", context, request=request)
    return render(
        request,
        "reviews/review_detail.html",
        # rendered by the template engine, which escaped it
        {
            "contract": review.contract,
            "year": review.year,
            "body": mark_safe(body),
            **_comments(request, review),
        },
        status=status,
    )


def _body_context(
    review, report, viewer, *, edit_form=None, needs_form=None, import_form=None, adopt_form=None
) -> dict:
    """The body's context from the review's data and the viewer's rights alone."""
    if viewer["can_edit"]:
        edit_form = edit_form or ReviewEditForm(
            initial=initial_edit(review, report), fiches=[row.fiche for row in report.fiches]
        )
        rows = len(report.needs.rows) + 3
        needs_form = needs_form or NeedsForm(initial=initial_needs(review, report.needs), rows=rows)
        import_form = import_form or NeedsImportForm(initial={"version": review.version})
    if viewer["can_adopt"]:
        adopt_form = adopt_form or AdoptForm()
    fiche_fields = {}
    if edit_form is not None:
        fiche_fields = {pk: edit_form.fiche_fields(pk) for pk in edit_form.fiche_ids}
    fiche_rows = [(row, fiche_fields.get(row.fiche.pk)) for row in report.fiches]
    return {
        "contract": review.contract,
        "review": review,
        "report": report,
        "fiche_rows": fiche_rows,
        "variance_chart": charts.variance_chart(report.indicators),
        "execution_chart": charts.execution_chart(
            [(f"F{f.fiche.number}", f.money) for f in report.fiches]
        ),
        "coverage_chart": charts.coverage_chart(report.needs),
        "edit_form": edit_form if viewer["can_edit"] else None,
        "needs_form": needs_form if viewer["can_edit"] else None,
        "import_form": import_form if viewer["can_edit"] else None,
        "import_errors": None,
        "adopt_form": adopt_form,
        "conflict": None,
        "versions": list(
            review.versions.select_related("author").defer("snapshot").order_by("-number")[:10]
        ),
    }


@login_required
@require_POST
def annual_review_needs(request, slug, year):
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    require(can_edit_review(request.user, review))
    report = review_report(review)
    rows = _row_count(request.POST.get("rows"), default=len(report.needs.rows) + 3)
    form = NeedsForm(request.POST, rows=rows)
    if form.is_valid():
        try:
            services.needs_save(
                review=review,
                areas=form.areas,
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.ReviewConflict as error:
            form.add_error(None, _conflict_message(error))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("État des besoins et de l'offre d'accueil enregistré."))
            return _page(review)
    return _render_page(
        request, review, report, needs_form=form, status=409 if form.non_field_errors() else 400
    )


def _row_count(raw, *, default: int) -> int:
    """How many rows the posted table had (a hidden field): a count within the form's
    limit, whatever was sent."""
    text = (raw or "").strip()
    count = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else default
    return max(1, min(count, MAX_AREA_ROWS))


@login_required
@require_POST
def annual_review_needs_import(request, slug, year):
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    require(can_edit_review(request.user, review))
    form = NeedsImportForm(request.POST, request.FILES)
    errors = None
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            areas = read_needs_csv(uploaded.read(), uploaded.name)
            services.needs_save(
                review=review,
                areas=areas,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                action=_("Import CSV de l'état des besoins (%(name)s)")
                % {"name": uploaded.name[:60]},
            )
        except NeedsImportError as error:
            errors = error.errors
        except services.ReviewConflict as error:
            errors = [_conflict_message(error)]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("%(count)s zones importées dans l'état des besoins et de l'offre d'accueil.")
                % {"count": len(areas)},
            )
            return _page(review)
    return _render_page(
        request, review, review_report(review), import_form=form, import_errors=errors, status=400
    )


def _conflict_message(error) -> str:
    return _(
        "%(who)s a enregistré une autre version de ce bilan entre-temps : rien n'a été "
        "enregistré. Rechargez la page pour repartir de la version actuelle."
    ) % {"who": error.who}


@login_required
@require_POST
def annual_review_submit(request, slug, year):
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    require(can_submit_review(request.user, review))
    services.review_submit(review=review, by=request.user)
    messages.success(request, _("Bilan soumis à la CDAJE."))
    return _page(review)


@login_required
@require_POST
def annual_review_return(request, slug, year):
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    require(can_return_review(request.user, review))
    services.review_return(review=review, by=request.user)
    messages.success(request, _("Bilan renvoyé en préparation."))
    return _page(review)


@login_required
@require_POST
def annual_review_adopt(request, slug, year):
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    require(can_adopt_review(request.user, review))
    form = AdoptForm(request.POST)
    if form.is_valid():
        try:
            services.review_adopt(
                review=review,
                opinion=form.cleaned_data["opinion"],
                opinion_on=form.cleaned_data["opinion_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Bilan %(year)s adopté : son document est conservé dans l'espace documents.")
                % {"year": review.year},
            )
            return _page(review)
    return _render_page(request, review, review_report(review), adopt_form=form, status=400)


@login_required
def annual_review_pdf(request, slug, year):
    """The adopted review as stored (hash checked); before adoption, a preview rendered on
    request with the « projet » mark, never stored."""
    contract = scoped_contract(request, slug)
    review = _review(contract, year)
    if review.status == ReviewStatus.ADOPTED and review.document_id:
        document = review.document
        document.contract = contract
        return serve_document(request, document)
    pdf = render_pdf(
        "reviews/pdf/review.html", review_pdf_context(review, generated_by=request.user)
    )
    return pdf_response(pdf, f"{contract.slug}-bilan-{review.year}-projet.pdf")
