"""`/contracts/<slug>/dossier.zip`: the auditor's dossier, streamed.

Out of scope: the same 404 as every contract page; seen but not allowed: 403 with the
reason; a stored document missing or altered: a French page (409) naming it, before any
byte of the archive. Otherwise the ZIP is written while it is sent (`Dossier.stream`); the
download is recorded, and written to the security log, once its last byte is out."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cej.security_log import log_security_event
from cej.view_helpers import require, scoped_contract
from dossier.build import Dossier, DossierRefused, check_documents
from dossier.permissions import can_download_dossier


@login_required
@require_GET
def dossier_download(request, slug):
    contract = scoped_contract(request, slug)
    require(can_download_dossier(request.user, contract, seen=True))
    try:
        check_documents(contract)
    except DossierRefused as refusal:
        log_security_event(
            "dossier_download", request, contract=contract.slug, outcome="refused_integrity"
        )
        return render(
            request,
            "dossier/refused.html",
            {"contract": contract, "message": str(refusal)},
            status=409,
        )
    dossier = Dossier(contract, user=request.user)
    log_security_event("dossier_download", request, contract=contract.slug, outcome="started")

    def completed(done: Dossier) -> None:
        log_security_event(
            "dossier_download",
            request,
            contract=contract.slug,
            outcome="served",
            manifest_sha256=done.manifest_sha256,
            size=done.size,
            files=len(done.written),
        )

    def body():
        try:
            yield from dossier.stream(on_complete=completed)
        except DossierRefused as refusal:
            # A file changed since the check: the archive stops short (unreadable), never
            # carries the altered bytes; the log says why.
            log_security_event(
                "dossier_download",
                request,
                contract=contract.slug,
                outcome="refused_integrity",
                reason=str(refusal),
            )
            raise

    response = StreamingHttpResponse(body(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dossier.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
