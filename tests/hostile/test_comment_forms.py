"""Hostile input to the comment forms and addresses: any text (scripts, NUL, invisible
characters, mentions of anyone), any target, section and visibility, any number in the
address. No server error; a refusal says why in French; what is accepted shows in the
fiche's page as inert text, and a partner never gets a CDAJE-only thread."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments.models import Comment, Visibility
from fiches.models import Fiche
from tests.hostile.checks import (
    assert_french_refusal_page,
    assert_no_executable_script,
    isolated_example,
    tally,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text, nul_text

pytestmark = pytest.mark.django_db

SLUG = "cej-loire-2018-2021"
ODD = ["", "0", "-1", "1.5", "abc", "1\x00", str(2**31), str(2**63), str(2**80), "٣", " 1 "]
mentions = st.sampled_from(["", "@cdaje", "@partner-caf", "@inconnu", "@", "@@", "@a" * 30])


@pytest.fixture
def fiche(contract_in_preparation):
    return Fiche.objects.filter(contract=contract_in_preparation).order_by("number").first()


def _check(response):
    assert response.status_code in (302, 400, 403, 404), response.status_code
    tally(f"HTTP {response.status_code}")
    if response.status_code != 302:
        assert_french_refusal_page(response)
        assert_no_executable_script(response.content.decode())


def _page(client, fiche):
    return client.get(f"/contracts/{SLUG}/fiches/{fiche.number}/").content.decode()


@examples(15)
@given(
    user=st.sampled_from(["cdaje", "partner-caf", "finance"]),
    text=st.one_of(hostile_text, nul_text),
    mention=mentions,
    anchor=st.one_of(st.sampled_from(["", "field:findings", "line:1", "x" * 500]), hostile_text),
    visibility=st.sampled_from(["shared", "staff", "", "public", "\x00"]),
    kind=st.sampled_from(["fiche", "review", "amendment", "", "x" * 100]),
    target=st.one_of(st.sampled_from(ODD), st.just("FICHE")),
)
def test_any_new_comment(
    client, demo_user, fiche, user, text, mention, anchor, visibility, kind, target
):
    client.force_login(demo_user(user))
    with isolated_example():
        reserved = Comment.objects.filter(visibility=Visibility.STAFF).count()
        data = {
            "target_kind": kind,
            "target_id": str(fiche.pk) if target == "FICHE" else target,
            "anchor": anchor,
            "visibility": visibility,
            "body": f"{text} {mention}",
        }
        _check(client.post(f"/contracts/{SLUG}/comments/new/", data))
        assert_no_executable_script(_page(client, fiche))
        if user != "cdaje":  # only the CDAJE staff write a CDAJE-only thread
            assert Comment.objects.filter(visibility=Visibility.STAFF).count() == reserved


@examples(15)
@given(
    user=st.sampled_from(["cdaje", "partner-caf", "partner-msa"]),
    text=st.one_of(hostile_text, nul_text),
    mention=mentions,
    action=st.sampled_from(["reply", "edit"]),
)
def test_any_reply_and_edit(client, demo_user, fiche, user, text, mention, action):
    from comments import services
    from comments.models import TargetKind
    from comments.targets import target_for

    with isolated_example():
        thread = services.comment_create(
            target=target_for(TargetKind.FICHE, fiche, fiche.contract),
            body="Question",
            by=demo_user("partner-caf"),
        )
        client.force_login(demo_user(user))
        data = {"body": f"{text} {mention}"}
        _check(client.post(f"/contracts/{SLUG}/comments/{thread.pk}/{action}/", data))
        assert_no_executable_script(_page(client, fiche))


@examples(20)
@given(
    number=st.one_of(
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.sampled_from(["0", "-1", "1e3", "١٢", "9" * 500, str(2**63), str(2**64)]),
    ),
    action=st.sampled_from(["reply/", "edit/", "delete/", "resolve/", "reopen/", "history/"]),
    method=st.sampled_from(["get", "post"]),
)
def test_any_number_in_the_address(client, demo_user, demo, number, action, method):
    client.force_login(demo_user("partner-caf"))
    with isolated_example():
        response = getattr(client, method)(f"/contracts/{SLUG}/comments/{number}/{action}")
        assert response.status_code in (200, 400, 403, 404, 405), response.status_code
        if response.status_code != 405:
            assert_french_refusal_page(response)
