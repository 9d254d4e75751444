"""Hostile input on the plenary pages: odd plenary numbers in the address, odd values of the
« seance » parameter (the choice of another plenary), and comment bodies full of scripts
printed in the page and the pack. Never a server error; a refusal in French; no script in
the page, no script action in the PDF."""

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.models import Plenary
from tests.agenda import test_plenary_pack as pack
from tests.agenda.test_plenary_pack import comment, submit
from tests.hostile.checks import (
    assert_french_refusal_page,
    assert_inert_pdf,
    assert_no_executable_script,
    isolated_example,
)
from tests.hostile.strategies import hostile_text

pytestmark = pytest.mark.django_db

successor, plenaries = pack.successor, pack.plenaries


def examples(count: int):
    """The hostile directory's profile (tests/hostile/conftest.py) for tests that live here:
    the same examples on every run, no deadline, fixtures set up once per test."""
    return settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(["0", "-1", str(2**63), str(2**64), "1e3", "0x10", "١٢", " 1", "9" * 500]),
)


def check(response, allowed=(200, 302, 400, 404)):
    assert response.status_code in allowed, response.status_code
    if response.status_code >= 400:
        assert_french_refusal_page(response)
    if response.get("Content-Type", "").startswith("text/html"):
        assert_no_executable_script(response.content.decode())


@examples(25)
@given(number=numbers, suffix=st.sampled_from(["", "pack.pdf"]))
def test_odd_plenary_numbers(client, demo_user, plenaries, number, suffix):
    client.force_login(demo_user("partner-caf"))
    with isolated_example():
        check(client.get(f"/plenaries/{number}/{suffix}"))


@examples(40)
@given(
    value=st.one_of(numbers, hostile_text, st.sampled_from(["", " ", "%00", "1,2", "[]", "null"])),
    username=st.sampled_from(["cdaje", "partner-caf"]),
)
def test_odd_choices_of_plenary(client, demo_user, plenaries, value, username):
    client.force_login(demo_user(username))
    with isolated_example():
        response = client.get(f"/plenaries/{plenaries[1].pk}/", {"seance": value})
        check(response, allowed=(302, 400))
        if response.status_code == 302:  # only ever to a plenary of the same territory
            territory = Plenary.objects.filter(territory=plenaries[1].territory)
            assert response["Location"] in {
                f"/plenaries/{pk}/" for pk in territory.values_list("pk", flat=True)
            }
        else:
            page = html.unescape(response.content.decode())
            assert "Cette séance n'existe pas pour ce territoire" in page


@examples(4)
@given(body=hostile_text)
def test_scripts_in_comments_never_reach_the_page_or_the_pack(
    client, demo_user, successor, plenaries, body
):
    from fiches.models import Fiche

    cdaje = demo_user("cdaje")
    client.force_login(cdaje)
    with isolated_example():
        fiche = submit(Fiche.objects.get(contract=successor, number=1), cdaje)
        comment(fiche, demo_user("partner-caf"), body)
        check(client.get(f"/plenaries/{plenaries[1].pk}/"))
        response = client.get(f"/plenaries/{plenaries[1].pk}/pack.pdf")
        assert response.status_code == 200
        assert_inert_pdf(response.content)
