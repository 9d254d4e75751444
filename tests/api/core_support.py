"""What the tests of the API's contract core share: a client calling as a person through a
personal access token, and the addresses of the demo contract's resources."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.platform_helpers import client_with_token

DEMO_SLUG = "cej-loire-2014-2017"


def api_url(name: str, slug: str = DEMO_SLUG, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs={"slug": slug, **kwargs})


def bearer_client(user) -> Client:
    """A client that authenticates as `user` with a read-only token (no session, no cookie)."""
    return client_with_token(user, name="Tests")


@pytest.fixture(name="as_partner")
def as_partner_fixture(demo, demo_user):
    """The CAF's user, through a token: a partner party to the demo contract."""
    return bearer_client(demo_user("partner-caf"))


def results(response) -> list:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"]
