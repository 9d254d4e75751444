"""The notification pages: a person's list (newest first, unread highlighted, paginated,
mark one or all read), opening one, the preferences; and the count in the header, which
costs a page one query at most."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Delivery, EmailState, Kind, Notification, NotificationPreference
from notifications.services import notify
from notifications.views import PER_PAGE

pytestmark = pytest.mark.django_db
TARGET = "/contracts/cej-loire-2014-2017/fiches/3/"


def _make(user, count, *, start=None, title="Fiche {} soumise à la CDAJE", url=TARGET):
    start = start or timezone.now() - datetime.timedelta(days=1)
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Kind.FICHE_SUBMITTED,
            title=title.format(i),
            url=url,
            created_at=start + datetime.timedelta(minutes=i),
            delivery=Delivery.IMMEDIATE,
            email_state=EmailState.SENT,
        )
        for i in range(count)
    )


@pytest.fixture
def cdaje(client, demo_user):
    user = demo_user("cdaje")
    Notification.objects.filter(recipient=user).delete()
    client.force_login(user)
    return user


def test_the_list_shows_mine_newest_first_and_the_unread_highlighted(client, cdaje, demo_user):
    old, new = _make(cdaje, 2)
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    _make(demo_user("partner-caf"), 1, title="Réservée à la CAF {}")

    response = client.get("/notifications/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Fiche 1 soumise") < page.index("Fiche 0 soumise")
    assert page.count("notification-unread") == 1
    assert "Non lue" in page and f"/notifications/{new.pk}/" in page
    assert "Réservée à la CAF" not in page
    assert "Tout marquer comme lu" in page


def test_the_list_is_paginated(client, cdaje):
    _make(cdaje, PER_PAGE + 3)
    first = client.get("/notifications/").content.decode()
    assert f"Fiche {PER_PAGE + 2} soumise" in first and "Fiche 2 soumise" not in first
    assert "page 1 sur 2" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert "Fiche 2 soumise" in second and f"Fiche {PER_PAGE + 2} soumise" not in second
    assert client.get("/notifications/?page=abc").status_code == 200  # the first page


def _queries(client, url) -> list[str]:
    client.get(url)  # the session and the viewer's facts, read once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_list_queries_do_not_grow_with_the_notifications(client, cdaje, demo_contract):
    _make(cdaje, 2)
    few = _queries(client, "/notifications/")
    notifications = _make(cdaje, 3 * PER_PAGE)
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        contract=demo_contract, actor=cdaje
    )
    many = _queries(client, "/notifications/")
    # The session, the user, the header's count, the page's count and its rows.
    assert len(few) == len(many) == 5, many


def test_the_header_shows_the_unread_count_for_one_query(client, cdaje):
    _make(cdaje, 3)
    queries = _queries(client, "/contracts/")
    counting = [sql for sql in queries if "notifications_notification" in sql]
    assert len(counting) == 1, counting
    page = client.get("/contracts/").content.decode()
    assert '>3<span class="visually-hidden"> non lues</span></span>' in page


def test_no_count_without_unread_nor_for_a_redirect(client, cdaje):
    page = client.get("/contracts/").content.decode()
    assert "non lue" not in page and ">Notifications</a>" in page
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 302
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]


def test_anonymous_pages_ask_nothing(client, demo):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/login/").status_code == 200
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]
    assert client.get("/notifications/").status_code == 302


def test_opening_one_marks_it_read_and_leads_to_its_page(client, cdaje):
    (notification,) = _make(cdaje, 1)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == TARGET
    notification.refresh_from_db()
    assert notification.read_at is not None
    first_read = notification.read_at
    client.get(f"/notifications/{notification.pk}/")
    notification.refresh_from_db()
    assert notification.read_at == first_read  # read once, when first read


def test_someone_elses_is_not_found(client, cdaje, demo_user):
    (theirs,) = _make(demo_user("partner-caf"), 1)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "url", ["https://malveillant.example/", "//malveillant.example/x", "javascript:alert(1)"]
)
def test_a_link_elsewhere_leads_to_the_list(client, cdaje, url):
    (notification,) = _make(cdaje, 1, url=url)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == "/notifications/"


def test_mark_one_and_all_read(client, cdaje, demo_user):
    one, *_others = _make(cdaje, 3)
    (theirs,) = _make(demo_user("finance"), 1)
    response = client.post(f"/notifications/{one.pk}/read/", {"page": "2"})
    assert response["Location"] == "/notifications/?page=2"
    assert Notification.objects.for_user(cdaje).unread().count() == 2

    response = client.post("/notifications/read/", follow=True)
    assert "2 notifications marquées comme lues." in response.content.decode()
    assert Notification.objects.for_user(cdaje).unread().count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_show_the_defaults_then_the_choices(client, cdaje):
    page = client.get("/notifications/preferences/").content.decode()
    for kind in Kind:
        assert str(kind.label) in page
    assert "Tout de suite, par e-mail" in page and "Jamais" in page

    data = {kind.value: Delivery.DIGEST for kind in Kind}
    data[Kind.MENTION] = Delivery.NONE
    response = client.post("/notifications/preferences/", data, follow=True)
    assert "Vos préférences de notification sont enregistrées." in response.content.decode()
    stored = dict(NotificationPreference.objects.filter(user=cdaje).values_list("kind", "delivery"))
    assert stored[Kind.MENTION] == Delivery.NONE and stored[Kind.OVERDUE] == Delivery.DIGEST

    assert notify(kind=Kind.MENTION, recipients=[cdaje], title="Mention", url=TARGET) == []
    (overdue,) = notify(kind=Kind.OVERDUE, recipients=[cdaje], title="En retard", url=TARGET)
    assert overdue.delivery == Delivery.DIGEST


def test_an_unknown_choice_is_refused_in_french(client, cdaje):
    data = {kind.value: Delivery.IMMEDIATE for kind in Kind}
    data[Kind.REPLY] = "souvent"
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 400
    assert "Choisissez parmi les options proposées." in response.content.decode()
    assert not NotificationPreference.objects.filter(user=cdaje).exists()
