"""The one way a stored document leaves the application: read back through its SHA-256
check (`cej.documents.document_download`, which records the download), the outcome written
to the security log, and a refusal shown in French instead of altered bytes. The documents
space, the annual reviews and the final evaluation all serve their stored files through it."""

from django.shortcuts import render

from cej.documents import DocumentUnavailable, document_download
from cej.models import Document
from cej.pdf import pdf_response
from cej.security_log import log_security_event

# An indicator's evidence may be a workbook or a CSV (checked by content on upload).
SPREADSHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def serve_document(request, document: Document, *, download: bool = False):
    """The document's verified bytes as a response, or the refusal page (409)."""
    try:
        content = document_download(document, request.user)
    except DocumentUnavailable as refusal:
        _log_download(request, document, refusal.outcome)
        return render(
            request,
            "pilotage/document_refused.html",
            {"contract": document.contract, "document": document, "message": str(refusal)},
            status=409,
        )
    _log_download(request, document, "served")
    response = pdf_response(content, document.filename, download=download)
    kind = SPREADSHEET_TYPES.get(document.filename.rsplit(".", 1)[-1].lower())
    if kind is not None:
        response["Content-Type"] = kind
    return response


def _log_download(request, document: Document, outcome: str) -> None:
    log_security_event(
        "document_download",
        request,
        contract=document.contract.slug,
        document=document.pk,
        filename=document.filename,
        sha256=document.sha256,
        outcome=outcome,
    )
