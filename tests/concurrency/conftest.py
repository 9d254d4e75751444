"""Concurrency tests: several users writing the same contract at the same moment, each on a
PostgreSQL connection of their own (see `sessions.py`).

They need PostgreSQL: row locks are its own, and SQLite's in-memory test database serves one
writer at a time. So the test modules here run when the suite's database is PostgreSQL, and
`test_on_postgresql.py` runs when it is SQLite: it runs this folder again in a child pytest on
a throw-away PostgreSQL database. Whichever pass CI makes, the guarantees are proven, and the
tests that do not belong to the pass are deselected (reported as such), never skipped.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

HERE = Path(__file__).parent
WRAPPER = "test_on_postgresql.py"


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    direct = on_postgresql()
    kept, deselected = [], []
    for item in items:
        mine = HERE in item.path.parents
        if mine and (item.path.name == WRAPPER) == direct:
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After each test here (transactional, so followed by a flush), the database is emptied
    by DELETE instead of TRUNCATE: for the few hundred rows of the demo it takes
    milliseconds, where truncating ~45 tables (a new file each) takes about a second per
    test. Same result: every row gone, sequences kept (pytest-django does not reset them
    either); foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY
    DEFERRED)."""
    if HERE not in item.path.parents or not on_postgresql():
        return (yield)
    operations = connection.ops

    def delete_rows(style, tables, *, reset_sequences=False, allow_cascade=False):
        assert not reset_sequences, "this folder's tests do not reset sequences"
        return [f"DELETE FROM {operations.quote_name(table)};" for table in tables]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "sql_flush", delete_rows)
        return (yield)
