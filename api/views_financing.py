"""Reads of a contract's budget: its lines with their financing plan (forecast and actual),
commitments and payments; a line's version history; the financing plan per year. Scoped as
the pages are (`contract_or_404`); the figures are the budget pages' own reads
(`api.serializers_financing_rows`). A fixed number of queries whatever the number of lines."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.filters import choice_param, int_param
from api.serializers_financing import (
    BudgetLineSerializer,
    BudgetLineVersionSerializer,
    FinancingPlanSerializer,
)
from api.serializers_financing_rows import (
    financing_plan_data,
    line_rows,
    lines_queryset,
    version_rows,
)
from api.views_base import ApiListView, ApiRetrieveView, ApiView, contract_or_404
from financing.models import BudgetPost, Instrument
from financing.selectors import budget_report, line_history

DETAIL_ERRORS = {
    401: {"description": "Non authentifié."},
    404: {"description": "Contrat inconnu ou hors de votre périmètre, ou ligne inconnue."},
}
ERRORS = {
    400: {"description": "Paramètre refusé (message en français nommant le paramètre)."},
    **DETAIL_ERRORS,
}


def line_not_found() -> Http404:
    return Http404(_("Aucune ligne budgétaire n'a cet identifiant dans ce contrat."))


def year_of(request, contract) -> int | None:
    """`?year=`: a year of the contract, else 400 naming the parameter."""
    year = int_param(request, "year", minimum=1990, maximum=2100)
    if year is not None and not contract.covers_year(year):
        raise ValidationError(
            {
                "year": [
                    _("Le contrat ne couvre pas %(year)s (il couvre %(period)s).")
                    % {"year": year, "period": contract.period_label}
                ]
            }
        )
    return year


def scoped_line(contract, pk):
    line = lines_queryset(contract).filter(pk=pk).first()
    if line is None:
        raise line_not_found()
    return line


YEAR = OpenApiParameter("year", int, description="Une année du contrat.")


@extend_schema(
    summary="Lignes budgétaires d'un contrat, avec leur plan de financement",
    description=(
        "Chaque ligne avec son plan de financement prévu et réalisé (dépenses, autres "
        "recettes, reste à charge, PSEJ de chaque financeur, part du bénéficiaire), tel que "
        "la page Budget le calcule, ses engagements et paiements, et sa version (à renvoyer "
        "pour déclarer le réalisé)."
    ),
    parameters=[
        YEAR,
        OpenApiParameter("post", str, description="Code du poste (ex. coordination)."),
        OpenApiParameter("fiche", int, description="Numéro de la fiche financée."),
        OpenApiParameter(
            "part", str, enum=Instrument.values, description="CEJ ou convention annexe."
        ),
    ],
    responses={200: BudgetLineSerializer(many=True), **ERRORS},
)
class BudgetLineList(ApiListView):
    serializer_class = BudgetLineSerializer

    def get_queryset(self):
        request = self.request
        self.contract = contract_or_404(request, self.kwargs["slug"])
        lines = lines_queryset(self.contract)
        year = year_of(request, self.contract)
        if year is not None:
            lines = lines.filter(year=year)
        post = choice_param(
            request, "post", BudgetPost.objects.order_by("code").values_list("code", flat=True)
        )
        if post:
            lines = lines.filter(post__code=post)
        fiche = int_param(request, "fiche", minimum=1, maximum=999)
        if fiche is not None:
            lines = lines.filter(fiche__number=fiche)
        part = choice_param(request, "part", Instrument.values)
        if part:
            lines = lines.filter(annex_convention__isnull=part == Instrument.CEJ)
        return lines

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = line_rows(request, self.contract, page)
        return self.get_paginated_response(BudgetLineSerializer(rows, many=True).data)


@extend_schema(
    summary="Une ligne budgétaire et son plan de financement",
    description=(
        "La ligne, son plan de financement prévu et réalisé, ses engagements et paiements, "
        "et sa version (à renvoyer pour déclarer le réalisé)."
    ),
    responses={200: BudgetLineSerializer, **DETAIL_ERRORS},
)
class BudgetLineDetail(ApiRetrieveView):
    serializer_class = BudgetLineSerializer

    def retrieve(self, request, *args, **kwargs):
        contract = contract_or_404(request, kwargs["slug"])
        [row] = line_rows(request, contract, [scoped_line(contract, kwargs["pk"])])
        return Response(BudgetLineSerializer(row).data)


@extend_schema(
    summary="Historique des versions d'une ligne budgétaire",
    description=(
        "Chaque version enregistrée, la plus récente d'abord : qui, quand, la nature du "
        "changement, l'avenant qui l'a permis, le contenu et ce qui a changé. Lisible "
        "encore après la suppression de la ligne."
    ),
    responses={200: BudgetLineVersionSerializer(many=True), **ERRORS},
)
class BudgetLineVersions(ApiListView):
    serializer_class = BudgetLineVersionSerializer

    def list(self, request, *args, **kwargs):
        contract = contract_or_404(request, kwargs["slug"])
        history = line_history(contract, kwargs["pk"])
        if history.line is None and not history.versions:
            raise line_not_found()
        # Each version's changes are read against the one before it: built for the whole
        # history (a line has tens of versions, not thousands), then paginated.
        rows = version_rows(contract, history.versions)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(BudgetLineVersionSerializer(page, many=True).data)


@extend_schema(
    summary="Plan de financement par année",
    description=(
        "Par année et pour la période : l'enveloppe, le prévu alloué, le reste à allouer, "
        "l'engagé et le payé ; le plan de financement prévu et réalisé (PSEJ de chaque "
        "financeur, part du bénéficiaire) ; le « Financement prévisionnel » ; les "
        "dépassements. Les chiffres de la page Budget."
    ),
    parameters=[YEAR],
    responses={200: FinancingPlanSerializer, **ERRORS},
)
class FinancingPlan(ApiView):
    def get(self, request, slug):
        contract = contract_or_404(request, slug)
        year = year_of(request, contract)
        report = budget_report(contract, year=year)
        return Response(FinancingPlanSerializer(financing_plan_data(contract, report)).data)
