"""The SQLite pass of the suite proves the concurrency guarantees too: this test runs
`tests/concurrency` again in a child pytest whose database is PostgreSQL, and fails with the
child's output if anything there fails. (On the PostgreSQL pass those tests run directly and
this one is deselected: see conftest.py.)

The child uses a throw-away database named after this process, `cej_concurrency_<pid>`
(pytest-django creates and drops `test_cej_concurrency_<pid>`), on the server of
`CONCURRENCY_DATABASE_URL`, by default the local one CI starts. Without a server, the test
skips with the reason on a developer's machine and fails in CI (CI=true)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
# The child's own tests are bounded (sessions.TIMEOUT); this bounds the whole child.
CHILD_TIMEOUT = 300


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def database_url() -> str:
    server = os.environ.get("CONCURRENCY_DATABASE_URL", "").rstrip("/") or SERVER
    return f"{server}/cej_concurrency_{os.getpid()}"


def require_server(url: str) -> None:
    """Connect to the server's maintenance database, as Django will to create the test one."""
    maintenance = urlsplit(url)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(maintenance, connect_timeout=5).close()
    except psycopg.Error as error:
        message = (
            f"PostgreSQL is needed for the concurrency tests and is not reachable at "
            f"{maintenance} ({error}); set CONCURRENCY_DATABASE_URL to another server"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_the_concurrency_tests_pass_on_postgresql():
    url = database_url()
    require_server(url)
    child = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    report = f"{child.stdout}\n{child.stderr}"
    assert child.returncode == 0, f"tests/concurrency on PostgreSQL ({url}):\n{report}"
    summary = child.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, report
