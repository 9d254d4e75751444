from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.filters import choice_param, int_param
from api.serializers_contracts import ContractSummarySerializer
from api.views_base import ApiListView, ApiRetrieveView, contract_or_404
from cej.models import Contract, ContractStatus


@extend_schema(
    summary="Contrats visibles",
    parameters=[
        OpenApiParameter("status", str, enum=ContractStatus.values, description="Statut."),
        OpenApiParameter("year", int, description="Contrats couvrant cette année."),
        OpenApiParameter("territory", str, description="Code du territoire (ex. 42)."),
    ],
)
class ContractList(ApiListView):
    """The contracts the person sees, as `/contracts/` lists them."""

    serializer_class = ContractSummarySerializer

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


@extend_schema(summary="Un contrat")
class ContractDetail(ApiRetrieveView):
    serializer_class = ContractSummarySerializer

    def get_object(self):
        return contract_or_404(self.request, self.kwargs["slug"])
