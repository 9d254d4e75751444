"""The API's front door: its index, its OpenAPI 3 schema and the documentation page."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.urls import reverse
from django.utils.decorators import method_decorator
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


# Redoc writes its styles into <style> elements (styled-components), which the site's
# policy refuses: on this page only, those carrying the response's nonce are allowed (Redoc
# is given it, js/api-docs.js), and its search runs in a worker made from a blob. Its
# scrollbar's stylesheet is inserted as the bundle loads, before Redoc has the nonce: that
# one is allowed by its hash (and the empty element it starts as); a new sidecar version
# that changes it fails tests/browser/test_api_docs.py, which names the hash. Scripts stay
# 'self' only — Redoc's bundle is served from here by drf-spectacular-sidecar.
SCROLLBAR_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
DOCS_POLICY = {"style-src": [NONCE, *SCROLLBAR_STYLE_HASHES], "worker-src": ["'self'", "blob:"]}


@method_decorator(csp_update(DOCS_POLICY), name="get")
class Docs(SpectacularRedocView):
    """The documentation page: Redoc over `/api/v1/schema/`, public like the schema."""

    permission_classes = [AllowAny]
    url_name = "api:schema"
    template_name = "api/docs.html"
