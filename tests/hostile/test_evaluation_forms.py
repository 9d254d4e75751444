"""Hostile input to the final evaluation's form (its synthesis, opinion, plenary date, and
each fiche's lessons and recommendation) and to its adoption: no server error; a refusal
says why in French and writes nothing; what is accepted shows in the page as inert text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiches.models import Fiche
from reviews.models import FinalEvaluation
from tests.hostile.checks import assert_no_executable_script, isolated_example, tally
from tests.hostile.sizing import examples
from tests.hostile.strategies import acceptable_text
from tests.hostile.test_forms import (
    SLUG,
    attacked,
    check_page,
    check_refusal,
    date_value,
    odd_value,
    post,
    text_value,
    version_value,
)

pytestmark = pytest.mark.django_db
PAGE = f"/contracts/{SLUG}/evaluation/"


def evaluation_state():
    evaluation = FinalEvaluation.objects.get(contract__slug=SLUG)
    notes = sorted(evaluation.fiches.values_list("fiche_id", "lessons", "recommendation"))
    return (evaluation.version, evaluation.summary, evaluation.opinion, evaluation.status, notes)


@st.composite
def evaluation_fields(draw, fiche_ids):
    target = draw(st.sampled_from(fiche_ids))
    fields = {
        "version": "current",
        "summary": draw(acceptable_text),
        "opinion": draw(st.one_of(st.just(""), acceptable_text)),
        "opinion_on": draw(st.one_of(st.just(""), st.just("2017-12-12"))),
        f"lessons_{target}": draw(acceptable_text),
        f"recommendation_{target}": draw(st.sampled_from(["continue", "adapt", "end"])),
    }
    return attacked(
        draw,
        fields,
        {
            "version": version_value,
            "summary": text_value,
            "opinion": text_value,
            "opinion_on": date_value,
            f"lessons_{target}": text_value,
            f"recommendation_{target}": odd_value,
        },
    )


@pytest.fixture
def fiche_ids(demo):
    return list(
        Fiche.objects.filter(contract__slug=SLUG)
        .exclude(status="withdrawn")
        .values_list("pk", flat=True)
    )


@examples(10)
@given(data=st.data())
def test_a_hostile_evaluation_is_refused_in_french_or_stored_inert(cdaje, fiche_ids, data):
    fields = data.draw(evaluation_fields(fiche_ids))
    with isolated_example():
        before = evaluation_state()
        if fields["version"] == "current":
            fields["version"] = str(before[0])
        response = post(cdaje, PAGE, fields)
        if response.status_code != 302:
            check_refusal(response, evaluation_state, before)
            return
        stored = FinalEvaluation.objects.get(contract__slug=SLUG)
        assert "\x00" not in stored.summary + stored.opinion
        assert_no_executable_script(check_page(cdaje, PAGE))
        tally("accepted")


@pytest.mark.parametrize(
    "value", ["", "31/02/2017", "2999-01-01", "\x00", "<script>", str(2**64), "١٢"]
)
def test_a_hostile_adoption_date_is_refused_and_writes_nothing(cdaje, demo, value):
    before = evaluation_state()
    response = post(cdaje, PAGE + "adopt/", {"opinion_on": value})
    assert response.status_code == 302  # back to the page, which says why
    assert evaluation_state() == before
    page = cdaje.get(PAGE).content.decode()
    assert_no_executable_script(page)
    assert "message-error" in page  # the refusal, said on the page
