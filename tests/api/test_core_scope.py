"""Scope: every route of the contract core answers a person who may not see the contract as
if it did not exist — the same 404, byte for byte, as a slug never used — and nobody
without credentials gets anything. Conditional GET on a list."""

import pytest

from tests.api.core_support import DEMO_SLUG, api_url, bearer_client
from tests.factories import ContractFactory, PartnerFactory, TerritoryFactory, UserFactory

ROUTES = [
    ("contract_detail", {}),
    ("party_list", {}),
    ("objective_list", {}),
    ("fiche_list", {}),
    ("fiche_detail", {"number": 4}),
    ("fiche_versions", {"number": 4}),
    ("indicator_list", {}),
    ("review_list", {}),
    ("review_detail", {"year": 2014}),
    ("avenant_list", {}),
    ("avenant_detail", {"number": 1}),
    ("document_list", {}),
    ("document_detail", {"pk": 1}),
    ("document_download", {"pk": 1}),
]


@pytest.fixture
def elsewhere(demo):
    """A partner's user of another département, party to a contract there only."""
    partner = PartnerFactory()
    ContractFactory(territory=TerritoryFactory(), partners=[partner], signed=True)
    return bearer_client(UserFactory(partner_user=True, partner=partner))


def test_out_of_scope_is_the_404_of_a_slug_never_used(elsewhere, client):
    for name, kwargs in ROUTES:
        response = elsewhere.get(api_url(name, **kwargs))
        missing = elsewhere.get(api_url(name, slug="cej-inexistant-2014-2017", **kwargs))
        assert response.status_code == missing.status_code == 404, name
        assert (
            response.content
            == missing.content
            == ('{"detail":"Aucun contrat à cette adresse."}'.encode())
        ), name
        anonymous = client.get(api_url(name, **kwargs))
        assert anonymous.status_code == 401, name
        assert anonymous["WWW-Authenticate"].startswith("Bearer"), name


def test_a_post_on_a_read_only_route_is_405(demo, demo_user, client):
    client.force_login(demo_user("cdaje"))
    response = client.post(api_url("fiche_list"), {"title": "x"})
    assert response.status_code == 405
    assert response.json()["detail"] == "Méthode «\u00a0POST\u00a0» non autorisée."


def test_conditional_get_on_the_fiche_list(demo, demo_user):
    client = bearer_client(demo_user("finance"))
    first = client.get(api_url("fiche_list"))
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    assert "Authorization" in first["Vary"]
    again = client.get(api_url("fiche_list"), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    # Another filter, another body: the tag does not match.
    other = client.get(f"{api_url('fiche_list')}?objective=2", HTTP_IF_NONE_MATCH=tag)
    assert other.status_code == 200 and other["ETag"] != tag
    assert DEMO_SLUG in first.json()["results"][0]["api_url"]
