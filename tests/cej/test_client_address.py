"""The client's address for django-axes and the security log (cej/client_address.py)."""

import pytest
from django.test import RequestFactory

from cej.client_address import client_address


def request_from(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_HTTPS_PROXY = True


def test_without_the_proxy_the_forwarded_header_is_ignored(settings):
    settings.BEHIND_HTTPS_PROXY = False
    assert client_address(request_from("192.0.2.10", "203.0.113.7")) == "192.0.2.10"


def test_behind_the_proxy_the_client_is_the_address_the_proxy_wrote(behind_proxy):
    assert client_address(request_from(forwarded="203.0.113.7")) == "203.0.113.7"


def test_an_address_sent_by_the_client_itself_is_not_believed(behind_proxy):
    # nginx's $proxy_add_x_forwarded_for appends the real address after the forged one.
    assert client_address(request_from(forwarded="198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_ipv6_clients_are_told_apart_too(behind_proxy):
    assert client_address(request_from(forwarded="2001:db8::1")) == "2001:db8::1"


@pytest.mark.parametrize("forwarded", [None, "", "unknown", "203.0.113.7, not-an-address"])
def test_a_missing_or_malformed_header_falls_back_to_the_peer(behind_proxy, forwarded):
    assert client_address(request_from("127.0.0.1", forwarded)) == "127.0.0.1"
