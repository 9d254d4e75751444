"""Log-in hardening: django-axes locks a username from one address after five wrong
passwords, with a French page and an administrator's unlock; sessions end; changing a
password ends the user's other sessions."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
OFFICE = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def attempt(client, username, password, address=OFFICE):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address=OFFICE):
    """`times` wrong passwords: the form again with its error, the lock page at the fifth."""
    for number in range(1, times + 1):
        response = attempt(client, username, "wrong", address)
        assert response.status_code == (429 if number >= settings.AXES_FAILURE_LIMIT else 200)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/contracts/"


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client, demo):
    fail(client, "cdaje", 4)
    assert logged_in(attempt(client, "cdaje", "demo"))
    client.logout()
    fail(client, "cdaje", 4)
    assert logged_in(attempt(Client(), "cdaje", "demo"))


def test_the_fifth_failure_locks_that_username_from_that_address(client, demo):
    fail(client, "cdaje", 4)
    response = attempt(client, "cdaje", "wrong")
    assert response.status_code == 429
    assert "Compte verrouillé" in response.content.decode()
    # Even the right password is refused now, with a French explanation.
    response = attempt(Client(), "cdaje", "demo")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Compte verrouillé" in page
    assert "Après 5 tentatives de connexion échouées" in page
    assert "Réessayez dans 1 heure, ou demandez à un administrateur" in page
    assert Session.objects.count() == 0


def test_a_lockout_touches_neither_other_accounts_nor_other_addresses(client, demo):
    fail(client, "cdaje", 5)
    assert attempt(client, "cdaje", "demo").status_code == 429
    # A colleague in the same office, and the same agent from home, still log in.
    assert logged_in(attempt(Client(), "partner-cg", "demo", OFFICE))
    assert logged_in(attempt(Client(), "cdaje", "demo", ELSEWHERE))


def test_an_administrator_unlocks_from_the_admin(client, demo, demo_user):
    fail(client, "cdaje", 5)
    locked = AccessAttempt.objects.get(username="cdaje", ip_address=OFFICE)
    admin = Client()
    admin.force_login(demo_user("admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    assert "cdaje" in listing.content.decode()
    response = admin.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert logged_in(attempt(Client(), "cdaje", "demo"))


def test_an_operator_unlocks_from_the_command_line(client, demo):
    fail(client, "cdaje", 5)
    call_command("axes_reset_username", "cdaje")
    assert logged_in(attempt(Client(), "cdaje", "demo"))


def test_the_lock_ends_by_itself_after_the_cool_off(client, demo):
    fail(client, "cdaje", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))
    assert logged_in(attempt(Client(), "cdaje", "demo"))


def test_sessions_end_with_the_browser_and_after_a_working_day(client, demo, demo_user):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(demo_user("cdaje"))
    assert client.get("/contracts/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/contracts/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_changing_a_password_ends_the_other_sessions_only(demo, demo_user):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.force_login(demo_user("cdaje"))
        assert browser.get("/contracts/").status_code == 200
    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": "demo",
            "new_password1": "Loire-enfance-2026",
            "new_password2": "Loire-enfance-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert "Vos autres sessions ont été fermées" in here.get(response["Location"]).content.decode()
    assert here.get("/contracts/").status_code == 200
    response = elsewhere.get("/contracts/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert logged_in(attempt(Client(), "cdaje", "Loire-enfance-2026"))


def test_a_weak_new_password_is_refused_in_french(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "demo", "new_password1": "loire", "new_password2": "loire"},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert client.get("/contracts/").status_code == 200
