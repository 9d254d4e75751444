"""Hostile input to the calendar: the plenary and deadline forms (any text, odd dates,
forged choices), the pages' parameters (`date`, `show`, `contract`), ids beyond a bigint,
any feed token. No server error; a refusal says why in French; what is accepted shows in the
pages and in the feed as inert text."""

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agenda.models import Deadline, Plenary
from tests.hostile.checks import (
    assert_french,
    assert_french_refusal_page,
    assert_no_executable_script,
    isolated_example,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text, nul_text

pytestmark = pytest.mark.django_db

CALENDAR = "/contracts/cej-loire-2014-2017/calendar/"
ODD_DATES = ["", "2016-02-30", "30/02/2016", "0000-01-01", "9999-12-31", "2016-3-1", "x", "1e3",
             "2016-03-01\x00", "١٢", "2016-03-01T00:00", " 2016-03-01 ", "1899-12-31"]  # fmt: skip
ODD_IDS = ["", "0", "-1", "x", "1.5", str(2**63), str(10**30), "9" * 500, "١"]


@pytest.fixture
def agent(client, demo_user):
    client.force_login(demo_user("cdaje"))
    return client


def _check(response):
    assert response.status_code in (302, 400, 403, 404), response.status_code
    if response.status_code == 400:
        # The form comes back with the text typed (which may be anything): its errors say
        # what is wrong, in French.
        page = html.unescape(response.content.decode())
        assert_french(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', page, re.S))
        assert_no_executable_script(response.content.decode())
    elif response.status_code != 302:
        assert_french_refusal_page(response)


@examples(10)
@given(text=st.one_of(hostile_text, nul_text), day=st.sampled_from([*ODD_DATES, "2019-02-05"]))
def test_any_plenary(agent, demo, text, day):
    with isolated_example():
        _check(
            agent.post(CALENDAR + "plenaries/new/", {"held_on": day, "place": text, "note": text})
        )
        assert_no_executable_script(agent.get(CALENDAR).content.decode())


@examples(10)
@given(
    text=st.one_of(hostile_text, nul_text),
    day=st.sampled_from([*ODD_DATES, "2017-09-05"]),
    visibility=st.sampled_from(["shared", "staff", "", "public", "x" * 300]),
    responsible=st.sampled_from(ODD_IDS),
)
def test_any_deadline(agent, demo, text, day, visibility, responsible):
    with isolated_example():
        data = {
            "due_on": day,
            "title": text,
            "description": text,
            "visibility": visibility,
            "responsible": responsible,
        }
        _check(agent.post(CALENDAR + "deadlines/new/", data))
        page = agent.get(CALENDAR).content.decode()
        assert_no_executable_script(page)
        feed = agent.post("/deadlines/feed/new/").content.decode()
        assert_no_executable_script(feed)


@examples(10)
@given(
    day=st.one_of(st.sampled_from(ODD_DATES), hostile_text),
    show=st.one_of(st.sampled_from(["todo", "late", "all", "", "x"]), hostile_text),
    contract=st.one_of(st.sampled_from(["", "cej-loire-2014-2017", "a" * 5000]), hostile_text),
)
def test_any_page_parameters(agent, demo, day, show, contract):
    response = agent.get("/deadlines/", {"date": day, "show": show, "contract": contract})
    assert response.status_code in (200, 404)
    if response.status_code == 404:
        assert_french_refusal_page(response)
    assert_no_executable_script(response.content.decode())
    response = agent.get(CALENDAR, {"date": day})
    assert response.status_code == 200
    assert_no_executable_script(response.content.decode())


@pytest.mark.parametrize("pk", [str(2**63), str(10**30), "0"])
@pytest.mark.parametrize("path", ["plenaries/{}/edit/", "deadlines/{}/edit/", "deadlines/{}/close/",
                                  "deadlines/{}/delete/", "plenaries/{}/delete/"])  # fmt: skip
def test_ids_beyond_a_bigint_are_not_found(agent, demo, pk, path):
    response = agent.post(CALENDAR + path.format(pk), {"held_on": "2019-02-05"})
    assert response.status_code == 404
    assert_french_refusal_page(response)


@pytest.mark.parametrize("day", ODD_DATES)
def test_closing_with_an_odd_date(agent, demo_contract, day):
    deadline = Deadline.objects.filter(contract=demo_contract).first()
    before = deadline.done_on
    response = agent.post(f"{CALENDAR}deadlines/{deadline.pk}/close/", {"done_on": day})
    _check(response)
    deadline.refresh_from_db()
    assert response.status_code == 302 or deadline.done_on == before


@examples(10)
@given(token=st.one_of(hostile_text, st.text(min_size=1, max_size=300)))
def test_any_feed_token(client, demo, token):
    from urllib.parse import quote

    path = "/calendar/" + quote(token.replace("/", ""), safe="", errors="surrogatepass") + ".ics"
    response = client.get(path)
    assert response.status_code == 404
    assert_french_refusal_page(response)


def test_nothing_was_left_behind(demo_contract):
    assert Plenary.objects.filter(territory=demo_contract.territory).count() == 16
