"""The avenants of a contract and its stored documents: metadata, and the download through
the same guarded read as the pages (`cej.documents.document_download`: the bytes checked
against their SHA-256, the download recorded, the outcome in the security log)."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException

from api.filters import choice_param
from api.serializers_core_acts import AmendmentSerializer, DocumentSerializer
from api.serializers_core_common import ErrorSerializer
from api.views_base import ApiView
from api.views_core_base import (
    BAD_FILTER,
    NOT_FOUND,
    ContractItemView,
    ContractListView,
    OfContract,
)
from cej.document_serving import SPREADSHEET_TYPES
from cej.documents import DocumentUnavailable, document_download
from cej.models import (
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    Document,
    DocumentKind,
    PartnerDecision,
)
from cej.pdf import pdf_response
from cej.security_log import log_security_event
from cej.selectors import contract_documents


def amendments_of(contract):
    """The avenants with their decisions, signatures and sealed act: four queries whatever
    their number."""
    return (
        Amendment.objects.filter(contract=contract)
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=PartnerDecision.objects.select_related("partner").order_by(
                    "decided_on", "pk"
                ),
            ),
            Prefetch(
                "signatures",
                queryset=AmendmentSignature.objects.select_related("signatory__partner").order_by(
                    "signed_on", "signatory__order", "pk"
                ),
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(kind=DocumentKind.AMENDMENT, sealed=True).order_by(
                    "pk"
                ),
                to_attr="sealed_documents",
            ),
        )
        .order_by("number")
    )


@extend_schema(
    summary="Avenants du contrat",
    description="Chaque avenant, ouvert, signé ou abandonné, comme la liste des avenants : "
    "objet, statut, avis de la CDAJE, délibérations, signatures, acte scellé.",
    parameters=[
        OpenApiParameter("status", str, enum=AmendmentStatus.values, description="Statut."),
    ],
    responses={200: AmendmentSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
)
class AmendmentList(ContractListView):
    serializer_class = AmendmentSerializer

    def get_queryset(self):
        amendments = amendments_of(self.contract)
        status = choice_param(self.request, "status", AmendmentStatus.values)
        if status:
            amendments = amendments.filter(status=status)
        return list(amendments)


@extend_schema(
    summary="Un avenant",
    responses={200: AmendmentSerializer, 404: NOT_FOUND},
)
class AmendmentDetail(ContractItemView):
    serializer_class = AmendmentSerializer

    def get_object(self):
        number = self.kwargs["number"]
        found = list(amendments_of(self.contract).filter(number=number))
        if not found:
            raise Http404(_("Aucun avenant n° %(number)s pour ce contrat.") % {"number": number})
        return found[0]


@extend_schema(
    summary="Documents du contrat",
    description="Les documents conservés (contrat signé, conventions, avenants, originaux "
    "numérisés, bilans adoptés, justificatifs), dans l'ordre de l'espace documents : nature, "
    "titre, fichier, taille, empreinte SHA-256, scellé ou non, déposé par et le.",
    parameters=[
        OpenApiParameter("kind", str, enum=DocumentKind.values, description="Nature."),
    ],
    responses={200: DocumentSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
)
class DocumentList(ContractListView):
    serializer_class = DocumentSerializer

    def get_queryset(self):
        kind = choice_param(self.request, "kind", DocumentKind.values)
        documents = contract_documents(self.contract)
        return [d for d in documents if d.kind == kind] if kind else documents


def _document(view) -> Document:
    """The document of the view's contract (looked up in scope first), or a 404."""
    document = (
        Document.objects.filter(contract=view.contract, pk=view.kwargs["pk"])
        .select_related("created_by", "amendment")
        .with_download_count()
        .first()
    )
    if document is None:
        raise Http404(_("Aucun document à cette adresse."))
    document.contract = view.contract
    return document


@extend_schema(summary="Un document", responses={200: DocumentSerializer, 404: NOT_FOUND})
class DocumentDetail(ContractItemView):
    serializer_class = DocumentSerializer

    def get_object(self):
        return _document(self)


class DocumentRefused(APIException):
    """The stored file is missing or no longer matches its SHA-256: nothing is served."""

    status_code = status.HTTP_409_CONFLICT


BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="Le fichier, vérifié.")


@extend_schema(
    summary="Télécharger un document",
    description="Le fichier tel qu'enregistré, relu et comparé à son empreinte SHA-256 "
    "(en-tête ETag) ; chaque téléchargement est enregistré et journalisé. Un fichier "
    "introuvable ou altéré n'est jamais servi : 409 avec le motif en français.",
    responses={
        (200, "application/pdf"): BINARY,
        (200, SPREADSHEET_TYPES["xlsx"]): BINARY,
        (200, SPREADSHEET_TYPES["csv"]): BINARY,
        404: NOT_FOUND,
        409: OpenApiResponse(ErrorSerializer, description="Fichier introuvable ou altéré."),
    },
)
class DocumentDownload(OfContract, ApiView):
    def perform_content_negotiation(self, request, force=False):
        # The file answers whatever the client accepts; a refusal is JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, slug, pk):
        document = _document(self)
        try:
            content = document_download(document, request.user)
        except DocumentUnavailable as refusal:
            _log_download(request, document, refusal.outcome)
            raise DocumentRefused(str(refusal)) from None
        _log_download(request, document, "served")
        response = pdf_response(content, document.filename, download=True)
        kind = SPREADSHEET_TYPES.get(document.filename.rsplit(".", 1)[-1].lower())
        if kind is not None:
            response["Content-Type"] = kind
        # The stored SHA-256, which the bytes were just checked against: If-None-Match with
        # it answers 304 (api.views_base.ConditionalGet), the download still recorded.
        response["ETag"] = f'"{document.sha256}"'
        return response


def _log_download(request, document: Document, outcome: str) -> None:
    """As `cej.document_serving.serve_document` logs it."""
    log_security_event(
        "document_download",
        request._request,
        contract=document.contract.slug,
        document=document.pk,
        filename=document.filename,
        sha256=document.sha256,
        outcome=outcome,
    )
