"""Hostile input to the notification pages: the page number of the list and of the « mark
read » forms, the preferences (unknown kinds and choices, any text), a notification's link.
No server error; a refusal says why in French; nothing is stored that was not offered."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import Delivery, EmailState, Kind, Notification, NotificationPreference
from tests.hostile.checks import (
    assert_french_refusal_page,
    assert_no_executable_script,
    isolated_example,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import hostile_text, nul_text

pytestmark = pytest.mark.django_db

ODD = ["", "0", "-1", "1.5", "1e3", "abc", "1\x00", "99999999999", "٣", "½", " 12 "]


@pytest.fixture
def agent(client, demo_user):
    client.force_login(demo_user("cdaje"))
    return client


def _mine(user, url="/contracts/"):
    return Notification.objects.create(
        recipient=user,
        kind=Kind.REPLY,
        title="Réponse",
        url=url,
        delivery=Delivery.IMMEDIATE,
        email_state=EmailState.SENT,
    )


@pytest.mark.parametrize("page", ODD)
def test_any_page_number(agent, page):
    response = agent.get("/notifications/", {"page": page})
    assert response.status_code == 200
    response = agent.post("/notifications/read/", {"page": page})
    assert response.status_code == 302
    assert response["Location"].startswith("/notifications/")


@examples(10)
@given(kind=st.one_of(hostile_text, st.sampled_from(Kind.values)), value=hostile_text | nul_text)
def test_any_preferences(agent, demo_user, kind, value):
    with isolated_example():
        data = dict.fromkeys(Kind.values, Delivery.DIGEST)
        data[kind] = value
        response = agent.post("/notifications/preferences/", data)
        if kind in Kind.values and value not in Delivery.values:
            assert response.status_code == 400
            assert_french_refusal_page(response)
            assert_no_executable_script(response.content.decode())
            assert not NotificationPreference.objects.exists()
        else:
            assert response.status_code == 302
            stored = set(NotificationPreference.objects.values_list("kind", "delivery"))
            assert {kind for kind, _ in stored} <= set(Kind.values)
            assert {delivery for _, delivery in stored} <= set(Delivery.values)


@examples(10)
@given(url=hostile_text)
def test_any_link_stays_on_the_site(agent, demo_user, url):
    with isolated_example():
        notification = _mine(demo_user("cdaje"), url=url[:500])
        response = agent.get(f"/notifications/{notification.pk}/")
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        page = agent.get("/notifications/").content.decode()
        assert_no_executable_script(page)
