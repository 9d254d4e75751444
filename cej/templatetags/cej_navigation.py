"""Where a page offers to go back to."""

from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def came_from(context) -> str:
    """The page the user came from, as a path on this site, or "" when there is none to
    offer. The Referer is the browser's word, checked as a `next` parameter would be: only a
    page of this host (never another site, nor a `javascript:` address), and not the page
    itself nor the login page."""
    request = context.get("request")
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if target == request.get_full_path() or parts.path == reverse("login"):
        return ""
    return target
