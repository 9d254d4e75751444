"""Two `send_reminders` at once (two instances, or the timer and an operator), each on its
own PostgreSQL connection: every notice is stored once per person and every e-mail — at once
or in the digest — is sent once, through a real SMTP server (tests/smtp.py)."""

import datetime
from collections import Counter

import pytest

from agenda.reminders import send_reminders
from notifications.models import EmailState, Notification
from tests.concurrency.sessions import at_once

pytestmark = pytest.mark.django_db(transaction=True)

MARCH_1 = datetime.date(2016, 3, 1)


def test_two_runs_at_once_send_each_message_once(demo, smtp_server):
    first, second = at_once(
        lambda: send_reminders(day=MARCH_1), lambda: send_reminders(day=MARCH_1)
    )
    summaries = [first.outcome(), second.outcome()]
    notices = list(Notification.objects.filter(key__startswith="agenda:"))
    # The Loire demo that morning: 7 advance notices and 2 late ones (tests/agenda).
    assert len(notices) == 9
    assert sum(s.soon + s.late for s in summaries) == 9
    assert Counter((n.recipient_id, n.key) for n in notices).most_common(1)[0][1] == 1
    assert {n.email_state for n in notices} == {EmailState.SENT}
    # One e-mail per late notice (sent at once) and one digest per person told of the rest.
    at_once_count = sum(1 for n in notices if n.delivery == "immediate")
    digests = len({n.recipient_id for n in notices if n.delivery == "digest"})
    subjects = Counter(
        (tuple(recipients), message["Subject"].strip())
        for message, (_sender, recipients) in zip(
            smtp_server.messages, smtp_server.envelopes, strict=True
        )
    )
    assert len(smtp_server.messages) == at_once_count + digests == 6
    assert max(subjects.values()) == 1
    assert sum(s.emails for s in summaries) == at_once_count
    assert sum(s.digests for s in summaries) == digests
