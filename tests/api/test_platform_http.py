"""What every API route shares, seen from a client: conditional GET (`ETag`,
`If-None-Match` → 304, a new tag when the data changes), throttling per token (429 in
French, another token unaffected), pagination (`page`, `page_size`, a page that does not
exist → 404 in French) and one error format (`detail`, and `errors` naming each field)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.throttling import PerTokenThrottle
from cej.models import Contract
from cej.page_cache import mark_contract_changed
from tests.api.platform_helpers import token_for

pytestmark = pytest.mark.django_db

CONTRACTS = "/api/v1/contracts/"
DETAIL = "/api/v1/contracts/cej-loire-2014-2017/"


@pytest.fixture
def partner(demo_user):
    return token_for(demo_user("partner-caf"))[1]


@pytest.fixture
def admin(demo_user):
    return token_for(demo_user("admin"))[1]


def test_an_unchanged_resource_answers_304_and_a_changed_one_a_new_etag(client, partner):
    first = client.get(DETAIL, **partner)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 42
    assert first["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie", "Accept-Language"} <= {
        part.strip() for part in first["Vary"].split(",")
    }
    again = client.get(DETAIL, HTTP_IF_NONE_MATCH=etag, **partner)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(DETAIL, HTTP_IF_NONE_MATCH='"autre", ' + etag, **partner).status_code == 304
    assert client.get(DETAIL, HTTP_IF_NONE_MATCH='"autre"', **partner).status_code == 200

    Contract.objects.filter(slug="cej-loire-2014-2017").update(title="CEJ de la Loire, modifié")
    # As every service does after a write: the kept answers of the old state are unreachable.
    mark_contract_changed(Contract.objects.get(slug="cej-loire-2014-2017").pk)
    changed = client.get(DETAIL, HTTP_IF_NONE_MATCH=etag, **partner)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["title"] == "CEJ de la Loire, modifié"
    # The list's tag changes with it.
    listed = client.get(CONTRACTS, **partner)
    assert client.get(CONTRACTS, HTTP_IF_NONE_MATCH=listed["ETag"], **partner).status_code == 304


def test_throttling_is_per_token_and_says_when_to_retry_in_french(client, demo_user):
    cache.clear()
    user = demo_user("partner-caf")
    _one, first = token_for(user)
    _two, second = token_for(user, name="Autre outil")
    with mock.patch.object(PerTokenThrottle, "THROTTLE_RATES", {"api": "3/min"}):
        for _ in range(3):
            assert client.get(CONTRACTS, **first).status_code == 200
        refused = client.get(CONTRACTS, **first)
        assert refused.status_code == 429
        assert refused.json()["detail"].startswith("Trop de requêtes : réessayez dans ")
        assert 1 <= int(refused["Retry-After"]) <= 60
        # Another token of the same person has its own allowance.
        assert client.get(CONTRACTS, **second).status_code == 200
    cache.clear()


def test_pages_of_a_list(client, admin):
    whole = client.get(CONTRACTS, **admin).json()
    assert set(whole) == {"count", "next", "previous", "results"}
    assert whole["count"] == len(whole["results"]) >= 3
    first = client.get(CONTRACTS, {"page_size": 2}, **admin).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    assert first["next"].endswith("?page=2&page_size=2")
    second = client.get(first["next"], **admin).json()
    assert second["previous"] is not None
    assert second["results"][0]["slug"] == whole["results"][2]["slug"]
    # page_size is capped, never refused.
    assert (
        len(client.get(CONTRACTS, {"page_size": 10_000}, **admin).json()["results"])
        == (whole["count"])
    )
    for page in ("99", "0", "abc", "-1"):
        missing = client.get(CONTRACTS, {"page": page}, **admin)
        assert missing.status_code == 404, page
        assert missing.json() == {"detail": "Page non valide."}, missing.json()


def test_errors_have_one_shape_in_french(client, partner):
    bad = client.get(CONTRACTS, {"year": "deux-mille"}, **partner)
    assert bad.status_code == 400
    assert bad.json() == {
        "detail": "Données refusées : « year » — Nombre entier attendu, reçu « deux-mille ».",
        "errors": {"year": ["Nombre entier attendu, reçu « deux-mille »."]},
    }
    status = client.get(CONTRACTS, {"status": "perdu"}, **partner).json()
    assert status["detail"].startswith("Données refusées : « status » — Valeur inconnue « perdu »")
    assert list(status["errors"]) == ["status"]
    missing = client.get("/api/v1/contracts/cej-inexistant-2014-2017/", **partner)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Aucun contrat à cette adresse."}
    # Out of scope reads as a contract that does not exist.
    rhone = Contract.objects.exclude(territory__code="42").first()
    if rhone is not None:
        hidden = client.get(f"/api/v1/contracts/{rhone.slug}/", **partner)
        assert hidden.status_code == 404 and hidden.json() == missing.json()
    refused = client.delete(CONTRACTS, **partner)  # a read-only token
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}


def test_a_list_costs_the_same_queries_whatever_the_data(client, demo, demo_user):
    """The contracts list as the administrator (every contract): its page grows, its queries
    do not — territory and predecessor come with each contract."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ContractFactory

    _token, headers = token_for(demo_user("admin"))
    client.get(CONTRACTS, **headers)  # the token's first use is written once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CONTRACTS, **headers).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    predecessor = Contract.objects.get(slug="cej-loire-2014-2017")
    ContractFactory.create_batch(12, predecessor=predecessor)
    assert client.get(CONTRACTS, **headers).json()["count"] >= 15
    assert queries() == before <= 4


def test_an_answer_is_kept_until_a_service_changes_the_contract(client, partner, demo_user):
    """Kept per contract state (api.views_base.KeptPerContractState), as the pages are: the
    second reading asks only who is asking and the contract; a write through a service
    gives the next reading the new figures; scope is checked before anything kept is read."""
    from financing.cycle_services import line_actuals_save
    from financing.models import BudgetLine

    lines = f"{DETAIL}budget-lines/?year=2016&page_size=200"
    client.get(lines, **partner)  # the token's first use is recorded once
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(lines, **partner)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(lines, **partner)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert len(warm) < len(cold) and len(warm) <= 4, [q["sql"] for q in warm.captured_queries]

    line = BudgetLine.objects.get(pk=first.json()["results"][0]["id"])
    line_actuals_save(
        line=line, actual_expenses="1234.56", actual_receipts="0", by=demo_user("finance")
    )
    third = client.get(lines, **partner)
    declared = {row["id"]: row["actual_expenses"] for row in third.json()["results"]}
    assert declared[line.pk] == "1234.56" and third["ETag"] != first["ETag"]

    # Someone out of scope never reads what was kept for another: the 404 of any slug.
    from tests.factories import PartnerFactory, UserFactory

    outsider = token_for(UserFactory(partner_user=True, partner=PartnerFactory()))[1]
    refused = client.get(lines, **outsider)
    assert refused.status_code == 404 and "198000" not in refused.content.decode()
