"""PostgreSQL for the deployment tests: the throw-away databases and the subprocesses live in
deploy/sandbox.py (shared with `python -m deploy.two_instances`); here, what a test needs on
top: PostgreSQL and the command-line tools required (skipped with the reason on a developer's
machine, failed under CI=true, where a skip would hide a gap, as tests/pdftools.py does), and
the backup commands."""

import os
import shutil
from pathlib import Path

import pytest

from deploy.sandbox import postgres_problem, run


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skip_or_fail(message: str) -> None:
    if _in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require(missing: list[str], install: str) -> None:
    """Skip, or fail under CI=true, when tools are missing."""
    if missing:
        _skip_or_fail(f"SKIPPED, {', '.join(missing)} not found: {install}")


def require_postgres(*tools: str) -> None:
    """The local PostgreSQL reachable, and these of its client tools on PATH."""
    require([tool for tool in tools if shutil.which(tool) is None], "apt-get install postgresql")
    problem = postgres_problem()
    if problem:
        _skip_or_fail(f"SKIPPED, PostgreSQL needed: {problem}")


def pg_dump(database_url: str, archive: Path, *, env: dict) -> None:
    """The custom-format dump docs/deployment.md prescribes."""
    run(["pg_dump", "--format=custom", f"--file={archive}", database_url], env=env, timeout=120)


def pg_restore(archive: Path, database_url: str, *, env: dict) -> None:
    """Into an empty database, as docs/deployment.md says; any error stops it."""
    run(
        ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={database_url}", archive],
        env=env,
        timeout=120,
    )
