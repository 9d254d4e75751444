import hashlib
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer

from api.filters import choice_param, int_param
from api.serializers_contracts import ContractDetailSerializer, ContractSummarySerializer
from api.serializers_core_common import Links
from api.views_base import ApiListView, ApiRetrieveView, contract_or_404, kept_json
from api.views_core_base import NOT_FOUND
from cej import page_cache
from cej.models import Contract, ContractStatus
from fiches.models import Fiche, FicheStatus
from financing.models import BudgetLine

ZERO = Decimal("0.00")


@extend_schema(
    summary="Contrats visibles",
    parameters=[
        OpenApiParameter("status", str, enum=ContractStatus.values, description="Statut."),
        OpenApiParameter("year", int, description="Contrats couvrant cette année."),
        OpenApiParameter("territory", str, description="Code du territoire (ex. 42)."),
    ],
)
class ContractList(ApiListView):
    """The contracts the person sees, as `/contracts/` lists them. As that page does, a page
    of the list is kept in the cache under the state of the contracts on it (their content
    tokens), read in one small query: a national administrator's 300 contracts are not
    serialized again until one of those on the page changes."""

    serializer_class = ContractSummarySerializer

    def list(self, request, *args, **kwargs):
        states = self.get_queryset().values_list(
            "pk", Cast("content_token", output_field=CharField())
        )
        on_page = self.paginate_queryset(list(states))
        key = (
            "api:contracts:"
            + hashlib.sha256(
                repr(
                    (
                        on_page,
                        self.paginator.page.paginator.count,
                        request.user.pk,
                        request.get_host(),
                        request.get_full_path(),
                        get_language(),
                        timezone.localdate(),
                    )
                ).encode()
            ).hexdigest()
        )
        kept = page_cache.cache().get(key)
        if kept is not None:
            return kept_json(kept)
        by_pk = Contract.objects.with_territory().in_bulk([pk for pk, _token in on_page])
        contracts = [by_pk[pk] for pk, _token in on_page if pk in by_pk]
        page = self.get_paginated_response(self.get_serializer(contracts, many=True).data)
        content = JSONRenderer().render(page.data)
        page_cache.cache().set(key, content, settings.PAGE_CACHE_TIMEOUT)
        return kept_json(content)

    def get_queryset(self):
        contracts = Contract.objects.for_user(self.request.user).with_territory()
        status = choice_param(self.request, "status", ContractStatus.values)
        if status:
            contracts = contracts.filter(status=status)
        year = int_param(self.request, "year", minimum=1990, maximum=2100)
        if year is not None:
            contracts = contracts.filter(start_year__lte=year, end_year__gte=year)
        territory = self.request.query_params.get("territory")
        if territory:
            contracts = contracts.filter(territory__code=territory)
        return contracts.order_by("territory__code", "-start_year", "pk")


@extend_schema(
    summary="Un contrat",
    description="Le contrat, les liens vers ses ressources (parties, objectifs, fiches, "
    "indicateurs, bilans, avenants, documents) et les totaux de son tableau de bord : "
    "fiches par statut, budget prévu par année face à l'enveloppe annuelle.",
    responses={200: ContractDetailSerializer, 404: NOT_FOUND},
)
class ContractDetail(ApiRetrieveView):
    serializer_class = ContractDetailSerializer

    def get_object(self):
        contract = contract_or_404(self.request, self.kwargs["slug"])
        links = Links(self.request, contract)
        contract.api_links = {
            name: links(f"api:{route}")
            for name, route in (
                ("parties", "party_list"),
                ("objectives", "objective_list"),
                ("fiches", "fiche_list"),
                ("indicators", "indicator_list"),
                ("reviews", "review_list"),
                ("avenants", "avenant_list"),
                ("documents", "document_list"),
            )
        }
        contract.api_links["contract_pdf"] = links("contract_pdf")
        contract.api_totals = _totals(contract)
        return contract


def _totals(contract) -> dict:
    """Two aggregate queries: the fiches per status, the planned amount per year."""
    by_status = dict(
        Fiche.objects.filter(contract=contract)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    planned = dict(
        BudgetLine.objects.filter(contract=contract)
        .order_by()
        .values_list("year")
        .annotate(total=Sum("amount"))
    )
    envelope = contract.annual_envelope
    years = [
        {
            "year": year,
            "envelope": envelope,
            "allocated": planned.get(year) or ZERO,
            "remainder": envelope - (planned.get(year) or ZERO),
        }
        for year in contract.years
    ]
    return {
        "fiche_count": sum(n for s, n in by_status.items() if s != FicheStatus.WITHDRAWN),
        "fiches_by_status": [
            {"status": status, "count": by_status[status]}
            for status in FicheStatus.values
            if status in by_status
        ],
        "years": years,
        "envelope_total": envelope * len(years),
        "allocated_total": sum((y["allocated"] for y in years), ZERO),
    }
