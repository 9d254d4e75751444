"""Two senders at once (two `send_reminders`, or a request's at-once sender and the morning
run): each notification is e-mailed once. The claim is one conditional UPDATE: the second
sender waits for the first one's row locks, then finds the rows no longer pending."""

import datetime
import zoneinfo

import pytest

from notifications.mail import send_digests, send_pending
from notifications.models import Delivery, EmailState, Kind, Notification
from tests.concurrency.sessions import at_once, finish, sessions, wait_for_lock

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2026, 12, 3)
MORNING = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
PEOPLE = ("cdaje", "finance", "partner-cg", "partner-caf", "partner-msa")


def _pending(demo_user, delivery: str) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(
            recipient=demo_user(name),
            kind=Kind.OPINION_RECORDED,
            title=f"Avis de la CDAJE n° {n} pour {name}",
            url="/contracts/cej-loire-2014-2017/",
            created_at=MORNING,
            delivery=delivery,
            email_state=EmailState.PENDING,
        )
        for name in PEOPLE
        for n in (1, 2)
    )


def _once_each(smtp_server, demo_user, per_person: int) -> None:
    for name in PEOPLE:
        received = smtp_server.to(demo_user(name).email)
        assert len(received) == per_person, (name, len(received))
    # The demo's own notifications (told today) are not these tests' business.
    states = set(
        Notification.objects.filter(created_at=MORNING).values_list("email_state", flat=True)
    )
    assert states == {EmailState.SENT}


def test_two_digest_runs_at_once_send_each_digest_once(demo, demo_user, smtp_server):
    _pending(demo_user, Delivery.DIGEST)
    first, second = at_once(lambda: send_digests(day=DAY), lambda: send_digests(day=DAY))
    assert first.outcome() + second.outcome() == len(PEOPLE)
    _once_each(smtp_server, demo_user, per_person=1)


def test_the_second_sender_waits_for_the_first_then_finds_nothing(demo, demo_user, smtp_server):
    _pending(demo_user, Delivery.IMMEDIATE)
    with sessions() as begin:
        first = begin("S1", send_pending, hold=True)  # claimed and sent, not committed yet
        second = begin("S2", send_pending)
        wait_for_lock(second)
        first.commit()
        finish(first, second)
    assert (first.outcome(), second.outcome()) == (2 * len(PEOPLE), 0)
    _once_each(smtp_server, demo_user, per_person=2)
