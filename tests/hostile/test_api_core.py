"""Hostile input on the API's contract core (api/urls_core.py): any query parameter, any
number in the address. Never a server error: 200, or a French refusal in JSON — 400 naming
the parameter, 404 for what does not exist (409 for a document whose file is not in this
test's storage)."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile.checks import (
    assert_french,
    assert_french_refusal_page,
    isolated_example,
    tally,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text
from tests.hostile.test_urls import numbers

pytestmark = pytest.mark.django_db

BASE = "/api/v1/contracts/cej-loire-2014-2017/"
LISTS = {
    "fiches/": ["objective", "status", "aim", "lead", "q"],
    "indicators/": ["fiche"],
    "avenants/": ["status"],
    "documents/": ["kind"],
    "parties/": [],
    "objectives/": [],
    "reviews/": [],
}
NUMBERED = [
    "fiches/{n}/",
    "fiches/{n}/versions/",
    "reviews/{n}/",
    "avenants/{n}/",
    "documents/{n}/",
    "documents/{n}/download/",
]
value = st.one_of(
    st.sampled_from(["", "0", "-1", "1", "2", "3", "caf42", "draft", "validated", "١", "1e3"]),
    numbers,
    hostile_text,
    st.just("\x00"),
    st.just("\ud800"),
    st.just("x" * 10_000),
)


def check(response) -> None:
    assert response.status_code in (200, 400, 404, 409), response.status_code
    tally(f"HTTP {response.status_code}")
    if response.status_code < 400:
        return
    if not response["Content-Type"].startswith("application/json"):
        # An address no route matches (a negative number): the site's own 404 page.
        assert_french_refusal_page(response)
        return
    body = response.json()
    if response.status_code == 400:
        # api.exceptions.french_errors: the summary names the first parameter refused (the
        # messages are short — « Valeur inconnue « x » » — for the French word test).
        [name, *_others] = body["errors"]
        assert body["detail"].startswith(f"Données refusées : « {name} » — "), body
    elif body["detail"] != "Page non valide.":  # DRF's paginator, Django's French catalog
        assert_french([body["detail"]])


@pytest.fixture
def api(client, demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    return client


@examples(40)
@given(data=st.data())
def test_any_query_parameter_gives_a_list_or_a_french_400(api, data):
    path = data.draw(st.sampled_from(sorted(LISTS)))
    names = [*LISTS[path], "page", "page_size"]
    params = data.draw(st.dictionaries(st.sampled_from(names), value, max_size=3))
    with isolated_example():
        check(api.get(BASE + path + "?" + urlencode(params, errors="surrogatepass")))


@examples(30)
@given(template=st.sampled_from(NUMBERED), number=numbers)
def test_any_number_gives_a_resource_or_a_french_404(api, template, number):
    with isolated_example():
        path = BASE + template.format(n=quote(number, safe="", errors="surrogatepass"))
        check(api.get(path))
