"""Concurrency tests: several users writing the same contract at the same moment, each on a
PostgreSQL connection of their own (see `sessions.py`).

They need PostgreSQL: row locks are its own, and SQLite's in-memory test database serves one
writer at a time. So the test modules here run when the suite's database is PostgreSQL, and
`test_on_postgresql.py` runs when it is SQLite: it runs this folder again in a child pytest on
a throw-away PostgreSQL database. Whichever pass CI makes, the guarantees are proven, and the
tests that do not belong to the pass are deselected (reported as such), never skipped.
"""

from pathlib import Path

from django.conf import settings

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
