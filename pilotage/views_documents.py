"""The contract PDF, the signature and the document space of a contract.

Thin: scope through `Contract.objects.for_user` (out of scope is 404, for the page and for
every download), permissions through `cej.permissions` (403 with the reason), writes through
`pilotage.signing`, guarded reads through `cej.documents`.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej.document_serving import serve_document
from cej.forms import DepositForm, SignatureForm
from cej.models import (
    ContractStatus,
    Document,
    DocumentKind,
    Signature,
)
from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.permissions import can_cancel_signature, can_deposit_document
from cej.sealing import SealUnavailable
from cej.selectors import missing_signatories
from cej.view_helpers import add_errors, context_of, require, scoped_contract
from partners.models import Signatory
from pilotage import selectors
from pilotage.permissions import can_record_signature
from pilotage.signing import (
    amendment_seal,
    scanned_original_deposit,
    signature_cancel,
    signature_record,
)

logger = logging.getLogger(__name__)


@login_required
def contract_pdf(request, slug):
    """The signed contract as stored and sealed once; before signature, a draft rendered on
    the fly with the « projet » watermark (never stored); a signed contract without a stored
    document (signed before the application) as a copy marked « reconstituée »."""
    # One scoped query finds the stored document: serving it costs about a static file.
    signed = (
        Document.objects.for_user(request.user)
        .filter(contract__slug=slug, kind=DocumentKind.SIGNED_CONTRACT)
        .select_related("contract__territory")
        .first()
    )
    if signed is not None:
        return serve_document(request, signed)
    contract = scoped_contract(request, slug)
    in_preparation = contract.status in (ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE)
    context = selectors.contract_document(
        contract, generated_by=request.user, unsealed_copy=not in_preparation
    )
    pdf = render_pdf("pilotage/pdf/contract.html", context)
    suffix = "-projet" if in_preparation else "-copie"
    return pdf_response(pdf, f"{contract.slug}{suffix}.pdf")


@login_required
def document_space(request, slug):
    contract = scoped_contract(request, slug)
    permissions = _space_permissions(request.user, contract)
    body = cached_fragment(
        request,
        contract,
        "pilotage/_documents_body.html",
        lambda: _space_context(contract, permissions),
        viewer=permissions,
    )
    return render(request, "pilotage/documents.html", {"contract": contract, "body": body})


def _space_permissions(user, contract) -> dict:
    signing_allowed, signing_refusal = can_record_signature(user, contract)
    return {
        "can_deposit": can_deposit_document(user, contract)[0],
        "can_sign": signing_allowed,
        "signing_refusal": signing_refusal,
        "can_cancel": can_cancel_signature(user, contract)[0],
    }


def _space_context(contract, permissions, *, signature_form=None, deposit_form=None) -> dict:
    """The document space and the forms this user may use (those submitted, with their
    errors, when the page is shown again)."""
    space = selectors.document_space(contract, with_amendments=permissions["can_deposit"])
    context = {**context_of(space), "signature_form": None, "deposit_form": None}
    if permissions["can_sign"]:
        context["signature_form"] = signature_form or _signature_form(
            contract, pending=missing_signatories(contract, parties=space.parties)
        )
    if permissions["can_deposit"]:
        context["deposit_form"] = deposit_form or DepositForm(
            amendments=contract.amendments.all(), read_amendments=space.amendments
        )
    return context


def _signature_form(contract, data=None, *, pending=None):
    """The form offers the representatives who have not signed, in signing order."""
    if pending is None:
        pending = missing_signatories(contract)
    pending = [s.pk for s in pending]
    # In signing order (party, then representative), as on the page.
    order = Case(*[When(pk=pk, then=position) for position, pk in enumerate(pending)])
    return SignatureForm(
        data,
        signatories=Signatory.objects.filter(pk__in=pending)
        .select_related("partner")
        .order_by(order if pending else "pk"),
        default_place=contract.signing_place or "",
    )


@login_required
def document_download_view(request, slug, pk):
    # Scope and document in one query: a document of another contract, or of a contract out
    # of the user's scope, is simply not found.
    document = get_object_or_404(
        Document.objects.for_user(request.user).select_related("contract__territory"),
        pk=pk,
        contract__slug=slug,
    )
    return serve_document(request, document, download=True)


@login_required
@require_POST
def signature_record_view(request, slug):
    contract = scoped_contract(request, slug)
    require(can_record_signature(request.user, contract))
    form = _signature_form(contract, request.POST)
    if form.is_valid():
        try:
            signature = signature_record(
                contract=contract,
                signatory=form.cleaned_data["signatory"],
                signed_on=form.cleaned_data["signed_on"],
                place=form.cleaned_data["place"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        except SealUnavailable as error:
            logger.error("Sceau indisponible : %s", error)
            form.add_error(None, str(error))
        else:
            contract.refresh_from_db()
            if contract.status == ContractStatus.SIGNED:
                messages.success(
                    request,
                    _(
                        "Signature de %(person)s enregistrée. Tous les représentants ont signé : "
                        "le contrat est signé et son PDF scellé est disponible ci-dessous."
                    )
                    % {"person": signature.signatory.full_name},
                )
            else:
                messages.success(
                    request,
                    _("Signature de %(person)s enregistrée.")
                    % {"person": signature.signatory.full_name},
                )
            return redirect("contract_documents", slug=contract.slug)
    return _redisplay(request, contract, signature_form=form)


@login_required
@require_POST
def signature_cancel_view(request, slug, pk):
    contract = scoped_contract(request, slug)
    require(can_cancel_signature(request.user, contract))
    signature = get_object_or_404(Signature.objects.filter(contract=contract), pk=pk)
    try:
        signature_cancel(signature=signature, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Signature de %(person)s annulée.") % {"person": signature.signatory.full_name},
        )
    return redirect("contract_documents", slug=contract.slug)


@login_required
@require_POST
def document_deposit_view(request, slug):
    contract = scoped_contract(request, slug)
    require(can_deposit_document(request.user, contract))
    form = DepositForm(request.POST, request.FILES, amendments=contract.amendments.all())
    if form.is_valid():
        try:
            document = scanned_original_deposit(
                contract=contract,
                uploaded=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                dated=form.cleaned_data["dated"],
                amendment=form.cleaned_data["amendment"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error, default_field="file")
        else:
            messages.success(request, _("« %(title)s » est déposé.") % {"title": document.title})
            return redirect("contract_documents", slug=contract.slug)
    return _redisplay(request, contract, deposit_form=form)


@login_required
@require_POST
def amendment_seal_view(request, slug, number):
    contract = scoped_contract(request, slug)
    require(can_deposit_document(request.user, contract))
    amendment = get_object_or_404(contract.amendments.all(), number=number)
    try:
        document = amendment_seal(amendment, by=request.user)
    except (ValidationError, SealUnavailable) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Le document scellé « %(title)s » est établi.") % {"title": document.title}
        )
    return redirect("contract_documents", slug=contract.slug)


def _redisplay(request, contract, **forms):
    """The document space again, with the submitted form and its errors (HTTP 400); never
    cached: it shows what this user typed."""
    permissions = _space_permissions(request.user, contract)
    context = {**_space_context(contract, permissions, **forms), **permissions}
    body = render_to_string("pilotage/_documents_body.html", context, request)
    return render(
        request, "pilotage/documents.html", {"contract": contract, "body": body}, status=400
    )
