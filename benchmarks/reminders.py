"""`send_reminders` over the national scale data (`python -m benchmarks`, step « reminders
at scale »): every territory's live contracts as of a day of 2016 (the generated contracts
run 2006–2021), the notices stored and the e-mails sent (to Django's in-memory backend: the
bench measures the application, not an SMTP server). Run twice: the first run tells people,
the second finds everyone told and must read each batch of contracts in a fixed number of
queries, whatever the batch.

Targets: the whole first run under 60 s; at most QUERIES_PER_BATCH queries per batch of
contracts when there is nothing new to tell (the reads: obligations, people, notices given)."""

import datetime
import time
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

DAY = datetime.date(2016, 3, 1)
TARGETS = {"seconds": 60.0, "queries_per_batch": 20}


def _run(day):
    """One run; also the queries of each batch of contracts (`remind_batch`)."""
    from agenda import reminders

    per_batch = []
    original = reminders.remind_batch

    def counted(*args, **kwargs):
        with CaptureQueriesContext(connection) as batch:
            original(*args, **kwargs)
        per_batch.append(len(batch.captured_queries))

    with (
        mock.patch.object(reminders, "remind_batch", counted),
        CaptureQueriesContext(connection) as queries,
    ):
        start = time.perf_counter()
        summary = reminders.send_reminders(day=day)
        seconds = time.perf_counter() - start
    return summary, seconds, len(queries.captured_queries), per_batch


def bench_reminders(day: datetime.date = DAY) -> dict:
    from notifications.models import Notification

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        first, first_s, first_queries, first_batches = _run(day)
        again, again_s, again_queries, again_batches = _run(day)
    return {
        "day": day.isoformat(),
        "contracts": first.contracts,
        "batches": first.batches,
        "notices": first.soon + first.late,
        "soon": first.soon,
        "late": first.late,
        "people": len(first.people),
        "emails": first.emails,
        "digests": first.digests,
        "seconds": round(first_s, 2),
        "queries": first_queries,
        "second_run_seconds": round(again_s, 2),
        "second_run_queries": again_queries,
        "second_run_notices": again.soon + again.late,
        # The second run finds everyone told: what each batch's reads cost.
        "queries_per_batch": max(again_batches, default=0),
        "queries_per_batch_first_run": first_batches,
        "stored": Notification.objects.filter(key__startswith="agenda:").count(),
    }


def reminder_rows(figures: dict) -> list:
    """(label, value, target, met) rows for the bench's table and verdict."""
    return [
        (
            f"send_reminders --date {figures['day']}, {figures['contracts']} live contracts "
            f"({figures['notices']} notices, {figures['emails']} e-mails, "
            f"{figures['digests']} digests)",
            f"{figures['seconds']} s, {figures['queries']} queries",
            f"< {TARGETS['seconds']:g} s",
            figures["seconds"] < TARGETS["seconds"],
        ),
        (
            f"send_reminders again (nothing new: {figures['second_run_notices']} notices), "
            f"queries per batch of contracts",
            f"{figures['queries_per_batch']} ({figures['second_run_queries']} queries, "
            f"{figures['batches']} batches, {figures['second_run_seconds']} s)",
            f"≤ {TARGETS['queries_per_batch']}",
            figures["queries_per_batch"] <= TARGETS["queries_per_batch"]
            and figures["second_run_notices"] == 0,
        ),
    ]
