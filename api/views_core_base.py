"""What every view of a contract's core resources does first: the contract looked up as its
pages look it up (`contract_or_404`: out of scope is the 404 of a slug that does not exist),
once per request, and the links its serializers build."""

from functools import cached_property

from drf_spectacular.utils import OpenApiResponse

from api.serializers_core_common import ErrorSerializer, Links
from api.views_base import ApiListView, ApiRetrieveView, contract_or_404

# The refusals every route of a contract may answer, for the schema.
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="Contrat inconnu ou hors de votre périmètre (même réponse)."
)
BAD_FILTER = OpenApiResponse(
    ErrorSerializer, description="Paramètre invalide : la réponse nomme le paramètre."
)


class OfContract:
    """Mixed into a view under `/api/v1/contracts/<slug>/`."""

    @cached_property
    def contract(self):
        return contract_or_404(self.request, self.kwargs["slug"])

    @cached_property
    def links(self) -> Links:
        return Links(self.request, self.contract)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "links": self.links}


class ContractListView(OfContract, ApiListView):
    """A list of one contract's resources, read whole by the apps' selectors (a contract has
    a few dozen of each) and paginated like every list of the API."""


class ContractItemView(OfContract, ApiRetrieveView):
    """One resource of a contract: `get_object` reads it through the apps' selectors."""
