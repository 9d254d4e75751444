"""What every API view shares: the contract looked up exactly as the pages look it up,
responses kept per contract state, and conditional GET (`ETag`, `If-None-Match` → 304)."""

import functools
import hashlib

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from cej import page_cache
from cej.models import Contract
from cej.view_helpers import scoped_contract

# A response depends on who asks (scope) and in which language.
VARY = ("Authorization", "Cookie", "Accept-Language")


def contract_or_404(request, slug: str) -> Contract:
    """The pages' rule (`cej.view_helpers.scoped_contract`): out of scope reads as a contract
    that does not exist (404, the same French message), and is logged. Looked up once per
    request, however many times a view asks."""
    http_request = request._request if hasattr(request, "_request") else request
    found = http_request.__dict__.setdefault("_api_contracts", {})
    if slug not in found:
        found[slug] = scoped_contract(http_request, slug)
    return found[slug]


class KeptPerContractState:
    """A GET under `/api/v1/contracts/<slug>/` is answered from the cache while the contract
    is unchanged, as its pages are (`cej.page_cache`): the key holds the contract's
    `content_token`, which every service that writes the contract's data replaces, so a
    write makes every kept answer unreachable at once, in every process. Scope is checked
    on every request before the cache is read (the contract's look-up). The key also holds
    the person (nothing shown may differ from one viewer to another today, but nothing will
    leak if it ever does), the language, the day (lateness is worked out as of today), the
    host (absolute links) and the whole query string. Only JSON answers are kept: a
    document's download is always read and checked anew."""

    keep_per_contract_state = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._state_key = None
        if (
            request.method != "GET"
            or "slug" not in kwargs
            or not self.keep_per_contract_state
            or not hasattr(type(self), "get")  # a write-only route answers 405, not a look-up
        ):
            return
        contract = contract_or_404(request, kwargs["slug"])
        self._state_key = _state_key(request, contract)
        kept = page_cache.cache().get(self._state_key)
        if kept is not None:
            # DRF takes the handler after `initial`: this answer replaces the view's `get`.
            self.get = functools.partial(_kept_response, kept)

    def finalize_response(self, request, response, *args, **kwargs):
        key = getattr(self, "_state_key", None)
        if key is not None and isinstance(response, Response) and response.status_code == 200:
            response = super().finalize_response(request, response, *args, **kwargs)
            response.render()
            kept = (response.content, response["Content-Type"])
            page_cache.cache().set(key, kept, settings.PAGE_CACHE_TIMEOUT)
            return response
        return super().finalize_response(request, response, *args, **kwargs)


def _state_key(request, contract) -> str:
    asked = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    return (
        f"api:{page_cache.contract_state(contract)}:{request.user.pk}:{get_language()}:"
        f"{timezone.localdate().isoformat()}:{digest}"
    )


def _kept_response(kept, request, *args, **kwargs):
    content, content_type = kept
    return kept_json(content, content_type)


def kept_json(content: bytes, content_type: str = "application/json") -> HttpResponse:
    """A JSON answer read from the cache, with the ETag its bytes would get rendered anew."""
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = f'"{hashlib.sha256(content).hexdigest()[:40]}"'
    return response


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


class ApiView(ConditionalGet, KeptPerContractState, APIView):
    pass


class ApiListView(ConditionalGet, KeptPerContractState, generics.ListAPIView):
    pass


class ApiRetrieveView(ConditionalGet, KeptPerContractState, generics.RetrieveAPIView):
    pass
