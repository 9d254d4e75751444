"""E-mailing notifications through a real SMTP server (tests/smtp.py): at once, in the daily
digest, claimed once, retried after a failure, never raising into the request."""

import datetime
import smtplib
import zoneinfo

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from notifications.mail import (
    STALE_CLAIM,
    claim,
    send_digests,
    send_notifications,
    send_pending,
)
from notifications.models import Delivery, EmailState, Kind, Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SITE = "https://cej.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _tell(
    user,
    *,
    kind=Kind.FICHE_SUBMITTED,
    title="Fiche 3 « Accueil » soumise à la CDAJE",
    url="/contracts/cej-loire-2014-2017/fiches/3/",
    contract=None,
    **extra,
):
    (notification,) = notify(
        kind=kind, recipients=[user], title=title, url=url, contract=contract, **extra
    )
    return notification


def subject(message) -> str:
    # A long encoded subject is folded onto the next line (« Subject: » then « =?utf-8?… »);
    # the parser keeps the fold's space, which mail clients drop.
    return message["Subject"].strip()


def _state(notification):
    notification.refresh_from_db()
    return notification.email_state


def test_an_immediate_notification_arrives_in_french_with_both_parts_and_absolute_links(
    smtp_server, demo_user, demo_contract
):
    cdaje, partner = demo_user("cdaje"), demo_user("partner-caf")
    notification = _tell(cdaje, contract=demo_contract, actor=partner, body="Relue par la CAF.")

    assert send_notifications([notification.pk]) == 1

    (message,) = smtp_server.to(cdaje.email)
    assert subject(message) == "[CEJ Loire] Fiche 3 « Accueil » soumise à la CDAJE"
    assert message["To"] == cdaje.email
    assert "ne-pas-repondre" in message["From"]
    text, html = smtp_server.text(message), smtp_server.html(message)
    link = f"{SITE}/contracts/cej-loire-2014-2017/fiches/3/"
    for part in (text, html):
        assert "Bonjour" in part
        assert link in part
        assert f"{SITE}/notifications/preferences/" in part
        assert demo_contract.title in part
        assert "Relue par la CAF." in part
    assert "Pour y accéder" in text
    assert "&laquo;" not in text and "&#x27;" not in text  # plain text is not HTML-escaped
    assert f'href="{link}"' in html
    assert _state(notification) == EmailState.SENT
    assert notification.emailed_at is not None and notification.email_claim == ""


def test_only_pending_immediate_ones_are_sent_and_never_twice(smtp_server, demo_user):
    cdaje = demo_user("cdaje")
    at_once = _tell(cdaje)
    digest = _tell(cdaje, kind=Kind.AMENDMENT_OPENED, title="Avenant n° 3 ouvert")
    assert digest.delivery == Delivery.DIGEST

    assert send_notifications([at_once.pk, digest.pk]) == 1
    assert send_notifications([at_once.pk, digest.pk]) == 0
    assert send_pending() == 0
    assert len(smtp_server.messages) == 1
    assert _state(digest) == EmailState.PENDING


def test_a_claimed_row_goes_to_one_sender_only(demo_user):
    notification = _tell(demo_user("cdaje"))
    rows = Notification.objects.filter(pk=notification.pk)
    first, claimed = claim(rows)
    second, claimed_again = claim(rows)
    assert claimed == [notification.pk] and claimed_again == []
    assert first != second
    assert _state(notification) == EmailState.SENDING


def test_a_claim_left_by_a_sender_that_died_is_sent_by_a_later_run(smtp_server, demo_user):
    cdaje = demo_user("cdaje")
    notification = _tell(cdaje)
    claim(Notification.objects.filter(pk=notification.pk))  # … and the sender died there
    # A claim younger than STALE_CLAIM may still be sending: left alone.
    assert send_pending() == 0 and _state(notification) == EmailState.SENDING
    later = timezone.now() + STALE_CLAIM + datetime.timedelta(minutes=1)
    assert send_pending(now=later) == 1
    assert _state(notification) == EmailState.SENT
    assert [m["To"] for m in smtp_server.messages] == [cdaje.email]


def test_an_smtp_failure_puts_it_back_to_pending_and_a_later_run_sends_it(
    smtp_server, demo_user, monkeypatch, caplog
):
    cdaje, finance = demo_user("cdaje"), demo_user("finance")
    refused, sent = _tell(cdaje), _tell(finance)
    real_send = EmailMultiAlternatives.send

    def refuse_cdaje(message, *args, **kwargs):
        if cdaje.email in message.to:
            raise smtplib.SMTPRecipientsRefused({cdaje.email: (550, b"Mailbox unavailable")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_cdaje)
    assert send_notifications([refused.pk, sent.pk]) == 1
    assert _state(refused) == EmailState.PENDING and refused.email_claim == ""
    assert _state(sent) == EmailState.SENT
    assert "nouvel essai" in caplog.text

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert send_pending() == 1
    assert _state(refused) == EmailState.SENT
    assert [m["To"] for m in smtp_server.messages] == [finance.email, cdaje.email]


def test_a_server_out_of_reach_leaves_everything_pending(settings, demo_user, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    notification = _tell(demo_user("cdaje"))
    assert send_notifications([notification.pk]) == 0
    assert _state(notification) == EmailState.PENDING
    assert "injoignable" in caplog.text


def test_the_request_that_notifies_never_sees_an_smtp_error(
    settings, demo_user, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = _tell(demo_user("cdaje"))
    assert _state(notification) == EmailState.PENDING


def test_notify_sends_the_immediate_ones_once_the_transaction_commits(
    smtp_server, demo_user, django_capture_on_commit_callbacks
):
    cdaje = demo_user("cdaje")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _tell(cdaje)
        assert smtp_server.messages == []  # nothing before the commit
    assert len(callbacks) == 1
    assert len(smtp_server.to(cdaje.email)) == 1
    assert _state(notification) == EmailState.SENT


def test_someone_without_an_address_keeps_the_notification_in_the_app(smtp_server, demo_user):
    cdaje = demo_user("cdaje")
    cdaje.email = ""
    cdaje.save(update_fields=["email"])
    notification = _tell(cdaje)
    assert send_notifications([notification.pk]) == 0
    assert _state(notification) == EmailState.NOT_WANTED
    assert smtp_server.messages == []


def _digest(user, title, at, contract=None):
    notification = _tell(user, kind=Kind.OPINION_RECORDED, title=title, contract=contract)
    Notification.objects.filter(pk=notification.pk).update(created_at=at)
    return notification


def test_the_daily_digest_gathers_each_persons_notifications_of_the_day(
    smtp_server, demo_user, demo_contract, contract_in_preparation
):
    caf, msa = demo_user("partner-caf"), demo_user("partner-msa")
    day = datetime.date(2026, 12, 3)
    evening = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=PARIS)
    morning = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=PARIS)
    tomorrow = datetime.datetime(2026, 12, 4, 0, 30, tzinfo=PARIS)
    first = _digest(caf, "Avis favorable sur la fiche 1", morning, demo_contract)
    second = _digest(caf, "Avis favorable sur la fiche 2", evening, demo_contract)
    later = _digest(caf, "Avis favorable sur la fiche 5", tomorrow, demo_contract)
    other = _digest(msa, "Avis favorable sur la fiche 9 (MSA)", morning)
    at_once = _tell(caf, title="Fiche 4 renvoyée")

    assert send_digests(day=day) == 2

    (message,) = smtp_server.to(caf.email)
    assert subject(message) == "[CEJ Loire] Résumé quotidien du 3 décembre 2026 : 2 notifications"
    text, html = smtp_server.text(message), smtp_server.html(message)
    for part in (text, html):
        assert "Avis favorable sur la fiche 1" in part and "Avis favorable sur la fiche 2" in part
        assert "fiche 5" not in part and "MSA" not in part and "Fiche 4 renvoyée" not in part
        assert f"{SITE}/contracts/cej-loire-2014-2017/fiches/3/" in part
        assert f"{SITE}/notifications/preferences/" in part
        assert "Avis de la CDAJE enregistré" in part
    (to_msa,) = smtp_server.to(msa.email)
    assert "fiche 1" not in smtp_server.text(to_msa)
    assert [_state(n) for n in (first, second, other)] == [EmailState.SENT] * 3
    assert _state(later) == EmailState.PENDING and _state(at_once) == EmailState.PENDING

    assert send_digests(day=day) == 0  # a second run sends nothing twice
    assert len(smtp_server.messages) == 2


def test_digest_mail_is_french_whatever_the_active_language(smtp_server, demo_user):
    caf = demo_user("partner-caf")
    _digest(caf, "Avis favorable", datetime.datetime(2026, 12, 3, 9, 0, tzinfo=PARIS))
    with (
        override_settings(LANGUAGE_CODE="fr"),
        __import__("django").utils.translation.override("en"),
    ):
        assert send_digests(day=datetime.date(2026, 12, 3)) == 1
    (message,) = smtp_server.messages
    assert "Résumé quotidien du 3 décembre 2026 : 1 notification" in subject(message)


def test_even_a_database_error_while_sending_is_logged_not_raised(demo_user, monkeypatch, caplog):
    notification = _tell(demo_user("cdaje"))

    def broken(queryset):
        raise RuntimeError("base de données indisponible")

    monkeypatch.setattr("notifications.mail.claim", broken)
    assert send_notifications([notification.pk]) == 0
    assert "en échec" in caplog.text
    assert _state(notification) == EmailState.PENDING


def test_someone_deactivated_since_is_not_written_to(smtp_server, demo_user):
    finance = demo_user("finance")
    notification = _tell(finance)
    finance.is_active = False
    finance.save(update_fields=["is_active"])
    assert send_notifications([notification.pk]) == 0
    assert send_pending() == 0
    assert smtp_server.messages == []
