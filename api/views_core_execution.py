"""The indicators of a contract (targets and actual values per year) and its annual reviews
(the list of its years, the review of one year with the figures its page shows)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from api.filters import int_param
from api.serializers_core_execution import (
    IndicatorSerializer,
    ReviewDetailSerializer,
    ReviewSummarySerializer,
)
from api.views_core_base import BAD_FILTER, NOT_FOUND, ContractItemView, ContractListView
from fiches.indicator_selectors import indicator_trends
from fiches.models import Fiche
from reviews.models import AnnualReview
from reviews.selectors import review_list, review_report


@extend_schema(
    summary="Indicateurs d'évaluation",
    description="Chaque indicateur des fiches, avec pour chaque année du contrat sa cible, "
    "son réalisé et l'écart, dans l'ordre des fiches puis des numéros.",
    parameters=[OpenApiParameter("fiche", int, description="N° de fiche : ses seuls indicateurs.")],
    responses={200: IndicatorSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
)
class IndicatorList(ContractListView):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        contract = self.contract
        asked = int_param(self.request, "fiche", minimum=1, maximum=32767)
        fiches = Fiche.objects.filter(contract=contract).order_by()
        numbers = dict(fiches.values_list("pk", "number"))
        if asked is not None and asked not in numbers.values():
            raise ValidationError(
                {"fiche": [_("Aucune fiche n° %(number)s dans ce contrat.") % {"number": asked}]}
            )
        trends = []
        for fiche_id, fiche_trends in indicator_trends(contract).items():
            number = numbers[fiche_id]
            if asked is not None and number != asked:
                continue
            for trend in fiche_trends:
                trend.fiche_number = number
                trend.code = f"{number}.{trend.number}"
                for point in trend.points:
                    point.on_track = trend.on_track(point)
                trends.append(trend)
        return sorted(trends, key=lambda t: (t.fiche_number, t.number))


def _review_summary(links, year: int, review: AnnualReview | None) -> dict:
    opened = review is not None
    return {
        "year": year,
        "opened": opened,
        "status": review.status if opened else None,
        "status_label": review.get_status_display() if opened else None,
        "submitted_at": review.submitted_at if opened else None,
        "opinion_on": review.opinion_on if opened else None,
        "adopted_at": review.adopted_at if opened else None,
        "api_url": links("api:review_detail", "year", year) if opened else None,
        "url": links("annual_review", "year", year) if opened else None,
        "document_url": links("api:document_detail", "pk", review.document_id)
        if opened and review.document_id
        else None,
        "pdf_url": links("annual_review_pdf", "year", year) if opened else None,
    }


@extend_schema(
    summary="Bilans annuels",
    description="Chaque année du contrat et son bilan s'il est ouvert (statut, dates, "
    "document adopté), comme la liste des bilans.",
    responses={200: ReviewSummarySerializer(many=True), 404: NOT_FOUND},
)
class ReviewList(ContractListView):
    serializer_class = ReviewSummarySerializer

    def get_queryset(self):
        return [
            _review_summary(self.links, year, review) for year, review in review_list(self.contract)
        ]


@extend_schema(
    summary="Le bilan d'une année",
    description="Le bilan comme sa page le montre : statut et dates, synthèse, état des "
    "actions de chaque fiche avec ses indicateurs (cible, réalisé, écart) et son budget de "
    "l'année, la PSEJ de chaque financeur (due, reçue, reste à verser, à reverser), l'état "
    "des besoins et de l'offre d'accueil, l'avis de la CDAJE, le document adopté.",
    responses={200: ReviewDetailSerializer, 404: NOT_FOUND},
)
class ReviewDetail(ContractItemView):
    serializer_class = ReviewDetailSerializer

    def get_object(self):
        contract, year = self.contract, self.kwargs["year"]
        review = AnnualReview.objects.filter(contract=contract, year=year).first()
        if review is None:
            raise Http404(_("Aucun bilan %(year)s pour ce contrat.") % {"year": year})
        review.contract = contract
        # The funders' positions: what is due so far (as the page, on today's date).
        report = review_report(review, today=timezone.localdate())
        return {
            **_review_summary(self.links, year, review),
            "summary": review.summary,
            "opinion": review.opinion,
            "version": review.version,
            "states": [{"state": label, "count": count} for label, count in report.states.items()],
            "fiches": report.fiches,
            "unassigned": report.unassigned,
            "total": report.total,
            "funders": report.funders,
            "needs": report.needs,
        }
