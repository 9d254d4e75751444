"""Users working at the same time, for the concurrency tests.

A `Session` is one user's request: its work runs in a thread of its own, hence on a database
connection of its own (Django keeps one per thread), as in two gunicorn workers. A held
session keeps its transaction open once its work is done — its row locks held — until
`commit()`: that is how a test makes the other session start inside the first one's
transaction, at a chosen moment, instead of hoping the threads interleave.

Every wait is bounded (`TIMEOUT`, PostgreSQL's `lock_timeout` and `statement_timeout`), so a
deadlock or a forgotten lock fails the test in seconds instead of hanging the run.
"""

import threading
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import translation

# Seconds any wait of these tests may last before it fails.
TIMEOUT = 15


class Session(threading.Thread):
    """One user's request. `work` is called with no argument; its result or its exception is
    kept. Held (`hold=True`), it runs inside an outer transaction, so the service's own
    becomes a savepoint and every lock it took stays held until `commit()`."""

    def __init__(self, name: str, work, *, hold: bool = False, barrier=None):
        super().__init__(name=name, daemon=True)
        self.work, self.hold, self.barrier = work, hold, barrier
        self.pid = None  # the PostgreSQL backend serving this session
        self.result = self.error = None
        self.connected = threading.Event()
        self.worked = threading.Event()  # work done (held: transaction still open)
        self._release = threading.Event()

    def run(self):
        translation.activate("fr")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{TIMEOUT - 5}s'")
                cursor.execute(f"SET statement_timeout = '{TIMEOUT}s'")
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            if self.barrier is not None:
                self.barrier.wait(TIMEOUT)
            if self.hold:
                with transaction.atomic():
                    self.result = self.work()
                    self.worked.set()
                    if not self._release.wait(TIMEOUT):
                        raise TimeoutError(f"{self.name}: never told to commit")
            else:
                self.result = self.work()
        except Exception as exc:  # kept for the test to examine
            self.error = exc
        finally:
            self.worked.set()
            self.connected.set()
            connection.close()

    def commit(self) -> None:
        self._release.set()

    def outcome(self):
        """The work's result, or its exception raised again."""
        if self.error is not None:
            raise self.error
        return self.result

    def __repr__(self):
        state = "running" if self.is_alive() else f"error={self.error!r} result={self.result!r}"
        return f"<Session {self.name}: {state}>"


@contextmanager
def sessions():
    """Start sessions with `begin(name, work, hold=…)`; on the way out every one is released
    and joined, whatever happened, so that no connection outlives the test."""
    started: list[Session] = []

    def begin(name, work, *, hold=False, barrier=None) -> Session:
        session = Session(name, work, hold=hold, barrier=barrier)
        started.append(session)
        session.start()
        if hold:
            assert session.worked.wait(TIMEOUT), f"{name} did not finish its work"
            assert session.error is None, f"{name} failed: {session.error!r}"
        else:
            assert session.connected.wait(TIMEOUT), f"{name} did not connect"
        return session

    try:
        yield begin
    finally:
        for session in started:
            session.commit()
        finish(*started)


def finish(*sessions: Session) -> None:
    """Wait for the sessions to end, within TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    for session in sessions:
        session.join(max(0.0, deadline - time.monotonic()))
    stuck = [s for s in sessions if s.is_alive()]
    assert not stuck, f"still running after {TIMEOUT} s (deadlock?): {stuck}"


def at_once(*works) -> list[Session]:
    """Run each work in its own session, all released together by a barrier once connected;
    returns the finished sessions."""
    barrier = threading.Barrier(len(works))
    with sessions() as begin:
        started = [begin(f"S{n}", work, barrier=barrier) for n, work in enumerate(works, 1)]
    return started


def wait_for_lock(session: Session) -> None:
    """Wait until PostgreSQL shows `session` waiting for a lock held by another transaction.
    Fails if it finishes first: then nothing made it wait, which is the bug."""
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [session.pid]
            )
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            if not session.is_alive():
                raise AssertionError(
                    f"{session.name} did not wait for the other transaction: it ended with "
                    f"{session.error or session.result!r}"
                )
            time.sleep(0.01)
    raise AssertionError(f"{session.name} never waited for a lock within {TIMEOUT} s")


class Pause:
    """A stop inside a service: `owner.name` (a function the service calls) stops in the
    thread of the session called `session`, before or after the call, until `go_on()`. Other
    threads pass through. Used where the race window lies inside one service call."""

    def __init__(self, monkeypatch, owner, name: str, *, session: str, after: bool = True):
        self.reached, self._go_on = threading.Event(), threading.Event()
        original = getattr(owner, name)

        def pausing(*args, **kwargs):
            mine = threading.current_thread().name == session
            if mine and not after:
                self._stop()
            result = original(*args, **kwargs)
            if mine and after:
                self._stop()
            return result

        monkeypatch.setattr(owner, name, pausing)

    def _stop(self):
        self.reached.set()
        if not self._go_on.wait(TIMEOUT):
            raise TimeoutError("never told to go on")

    def wait(self) -> None:
        assert self.reached.wait(TIMEOUT), "the session never reached its pause"

    def go_on(self) -> None:
        self._go_on.set()
