"""Hostile input to the annual review's forms: the synthesis and narratives, the needs and
supply table (names, odd numbers), the CSV import (any bytes). No server error; a refusal
says why in French; what is accepted shows in the page as inert text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from reviews.models import AnnualReview
from tests.hostile.checks import (
    assert_french_refusal_page,
    assert_no_executable_script,
    isolated_example,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text, nul_text

pytestmark = pytest.mark.django_db

URL = "/contracts/cej-loire-2014-2017/reviews/2017/"
ODD = ["", "0", "-1", "1.5", "1e3", "abc", "1\x00", "99999999999", "٣", "½", " 12 "]


@pytest.fixture
def agent(client, demo_user):
    client.force_login(demo_user("cdaje"))
    return client


def _review():
    return AnnualReview.objects.get(contract__slug="cej-loire-2014-2017", year=2017)


def _check(response):
    assert response.status_code in (302, 400, 409), response.status_code
    if response.status_code != 302:
        assert_french_refusal_page(response)
        assert_no_executable_script(response.content.decode())


@examples(10)
@given(text=st.one_of(hostile_text, nul_text), state=st.sampled_from(["done", "x", ""]))
def test_any_synthesis_and_narrative(agent, demo, text, state):
    with isolated_example():
        review = _review()
        data = {"version": review.version, "summary": text}
        for row in review.fiches.all():
            data[f"state_{row.fiche_id}"] = state
            data[f"narrative_{row.fiche_id}"] = text
        _check(agent.post(URL, data))
        assert_no_executable_script(agent.get(URL).content.decode())


@examples(10)
@given(
    name=st.one_of(hostile_text, nul_text),
    number=st.sampled_from(ODD),
    rows=st.sampled_from(["1", "0", "-5", "999999", "x"]),
)
def test_any_needs_table(agent, demo, name, number, rows):
    with isolated_example():
        data = {
            "version": _review().version,
            "rows": rows,
            "name_0": name,
            "children_0": number,
            "collective_0": number,
        }
        _check(agent.post(URL + "needs/", data))
        assert_no_executable_script(agent.get(URL).content.decode())


@examples(10)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.tuples(hostile_text, st.sampled_from(ODD)).map(
            lambda t: (
                f"Zone;Enfants de moins de 3 ans;Micro-crèches\r\n{t[0]};{t[1]};{t[1]}\r\n".encode(
                    "utf-8", "surrogatepass"
                )
            )
        ),
    ),
    name=st.sampled_from(["besoins.csv", "besoins.pdf", "../../x.csv", ""]),
)
def test_any_csv_import(agent, demo, content, name):
    with isolated_example():
        upload = SimpleUploadedFile(name or "x", content, content_type="text/csv")
        response = agent.post(URL + "needs/import/", {"version": _review().version, "file": upload})
        _check(response)
