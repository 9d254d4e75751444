"""Hostile-input property tests: the hypothesis profiles and the logged-in clients.

« ci » (chosen when CI=true) is derandomized — the same examples on every run, so CI never
flakes — and keeps no example database; « dev » (the default elsewhere) draws new examples
on each run and remembers the failing ones in .hypothesis/. HYPOTHESIS_PROFILE picks a
profile by name. Each test's number of examples is set in `sizing`."""

import os

import pytest
from hypothesis import HealthCheck, settings

# Fixtures are set up once per test, not per example: each example runs in its own rolled
# back savepoint instead (checks.isolated_example).
_SUPPRESSED = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
]
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
settings.register_profile("dev", deadline=None, suppress_health_check=_SUPPRESSED)
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


@pytest.fixture
def finance(client, demo_user):
    client.force_login(demo_user("finance"))
    return client


@pytest.fixture
def cdaje(client, demo_user):
    client.force_login(demo_user("cdaje"))
    return client


@pytest.fixture
def contract_with_room(contract_in_preparation):
    """The demo contract in preparation (hostile input goes to the forms and imports that
    change a contract's content directly) with its budget as signed in 2014: without the
    annex lines avenant n° 1 added for 2015–2017, so that 40 000 € of each of those years
    are left to plan — the demo allocates every year in full. Their commitments and payments
    go first (a line with execution is never deleted); all of it around the services, as
    setting up, not as a change under test."""
    from financing.models import BudgetLine, ExecutionEntry, Instrument

    added = BudgetLine.objects.filter(
        contract=contract_in_preparation, year__gte=2015, post__instrument=Instrument.ANNEX
    )
    ExecutionEntry.objects.filter(line__in=added).delete()
    added.delete()
    return contract_in_preparation
