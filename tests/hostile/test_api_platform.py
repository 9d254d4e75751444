"""Hostile input to the token pages and to what every API route reads: the token form's
fields, the token's number in the revocation address, the `Authorization` header, the
pagination and filter parameters. Never a server error; a token page refusing says why in
French; the API answers a JSON `{"detail": …}` in French."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from api.models import ApiToken
from tests.hostile.checks import (
    assert_french,
    assert_french_refusal_page,
    assert_no_executable_script,
    isolated_example,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text, long_text, nul_text

pytestmark = pytest.mark.django_db

NUMBERS = ["0", "-1", "1", "2", str(2**31), str(2**63), str(2**64 + 1), "9" * 40]
DATES = st.one_of(
    hostile_text,
    st.sampled_from(["", "2026-02-30", "0000-01-01", "9999-12-31", "31/12/2026", "demain"]),
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
)
ODD = ["", "0", "-1", "1.5", "1e3", "abc", "99999999999999999999", "٣", "½", " 2 ", "\x00"]


@pytest.fixture
def agent(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    return client


@examples(25)
@given(
    name=st.one_of(hostile_text, nul_text, long_text),
    expires_on=DATES,
    read_only=st.sampled_from(["", "on", "off", "false", "0", "<b>"]),
)
def test_any_token_form(agent, name, expires_on, read_only):
    with isolated_example():
        response = agent.post(
            "/api/tokens/", {"name": name, "expires_on": expires_on, "read_only": read_only}
        )
        assert response.status_code in (200, 400)
        assert_no_executable_script(response.content.decode())
        tokens = list(ApiToken.objects.filter(user__username="partner-caf"))
        if response.status_code == 400:
            assert_french_refusal_page(response)
            assert tokens == []
        else:
            [token] = tokens
            assert 0 < len(token.name) <= 100 and "\x00" not in token.name
            today = timezone.localdate()
            assert today < token.expires_on <= today + datetime.timedelta(days=366)


@pytest.mark.parametrize("number", NUMBERS)
def test_any_token_number(agent, number):
    for response in (
        agent.get(f"/api/tokens/{number}/revoke/"),
        agent.post(f"/api/tokens/{number}/revoke/"),
    ):
        assert response.status_code in (404,)
        assert_french_refusal_page(response)


latin1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=200)


@examples(25)
@given(
    header=st.one_of(
        latin1,
        latin1.map(lambda text: "Bearer " + text),
        latin1.map(lambda text: "Bearer cej_" + text),
        st.sampled_from(
            ["Bearer", "Bearer  ", "bearer cej_", "Basic YTpi", "Bearer " + "x" * 5000]
        ),
    )
)
def test_any_authorization_header(client, demo, header):
    response = client.get("/api/v1/contracts/", HTTP_AUTHORIZATION=header)
    # A header that is not a Bearer token is not ours to refuse: the request is then
    # anonymous, and refused as such.
    assert response.status_code == 401, (header, response.status_code)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert_french([response.json()["detail"]])


@examples(30)
@given(
    params=st.dictionaries(
        st.sampled_from(["page", "page_size", "year", "status", "territory"]),
        st.one_of(st.sampled_from(ODD), hostile_text),
        min_size=1,
    )
)
def test_any_list_parameter(agent, params):
    response = agent.get("/api/v1/contracts/", params)
    assert response.status_code in (200, 400, 404), response.status_code
    body = response.json()
    if response.status_code != 200:
        assert set(body) <= {"detail", "errors"}
        # The API's refusals are terse, too terse for the heuristic of French (and name the
        # codes a filter accepts, `in_signature`): each is one of these.
        assert body["detail"].startswith(("Données refusées : « ", "Page non valide.")), body
        for messages in body.get("errors", {}).values():
            assert all(message.endswith((".", "»")) for message in messages), messages
        if response.status_code == 400:
            assert set(body["errors"]) <= set(params)
