"""The API's front door: its index, its OpenAPI 3 schema and the documentation page."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.views_base import ApiView


@extend_schema(summary="Index de l'API", exclude=True)
class ApiRoot(ApiView):
    """Where things are: the schema, the documentation, the contracts."""

    def get(self, request):
        def absolute(name):
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "version": "1",
                "schema": absolute("api:schema"),
                "documentation": absolute("api:docs"),
                "contracts": absolute("api:contract_list"),
            }
        )


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema, public like the documentation: it describes the routes, not
    the data, which every route scopes to the person asking."""

    permission_classes = [AllowAny]


class Docs(SpectacularRedocView):
    permission_classes = [AllowAny]
    url_name = "api:schema"
