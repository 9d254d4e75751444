"""What every API view shares: the contract looked up exactly as the pages look it up, and
conditional GET (`ETag`, `If-None-Match` → 304)."""

import hashlib

from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from cej.models import Contract
from cej.view_helpers import scoped_contract

# A response depends on who asks (scope) and in which language.
VARY = ("Authorization", "Cookie", "Accept-Language")


def contract_or_404(request, slug: str) -> Contract:
    """The pages' rule (`cej.view_helpers.scoped_contract`): out of scope reads as a contract
    that does not exist (404, the same French message), and is logged."""
    return scoped_contract(request._request if hasattr(request, "_request") else request, slug)


class ConditionalGet:
    """A GET's `ETag` is the SHA-256 of its JSON body: the same data, the same tag, whatever
    changed it. `If-None-Match` with that tag answers 304 with no body. Clients are told to
    revalidate each time (`Cache-Control: private, no-cache`): no stale data, less transfer."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        patch_vary_headers(response, VARY)
        response["Cache-Control"] = "private, no-cache"
        if not response.has_header("ETag"):
            if not isinstance(response, Response) or response.streaming:
                return response
            response.render()
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        asked = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
        if response["ETag"] in asked or "*" in asked:
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control"):
                not_modified[header] = response[header]
            return not_modified
        return response


class ApiView(ConditionalGet, APIView):
    pass


class ApiListView(ConditionalGet, generics.ListAPIView):
    pass


class ApiRetrieveView(ConditionalGet, generics.RetrieveAPIView):
    pass
