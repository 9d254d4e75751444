"""The security log: log-in failures, lockouts, permission denials, out-of-scope contracts,
document downloads and imports, one JSON object per line on standard output."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cej.log_format import JsonLineFormatter
from cej.models import Contract, Territory
from demo.loire import DEMO_SLUG

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = f"/contracts/{DEMO_SLUG}/"


@pytest.fixture
def security_events():
    """The events written while the test runs, parsed back from their JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("cej.security")
    logger.addHandler(handler)

    def read():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    logger.removeHandler(handler)


def events_named(events, name):
    return [event for event in events if event["event"] == name]


def test_login_failures_and_the_lockout_are_logged_without_the_password(
    client, demo, security_events
):
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "cdaje", "password": "secret-guess"},
            REMOTE_ADDR="203.0.113.9",
        )
    events = security_events()
    failures = events_named(events, "login_failed")
    assert len(failures) == 4
    assert failures[0]["username"] == "cdaje"
    assert failures[0]["ip"] == "203.0.113.9"
    assert failures[0]["path"] == "/accounts/login/"
    [lockout] = events_named(events, "lockout")
    assert lockout["username"] == "cdaje" and lockout["ip"] == "203.0.113.9"
    assert "secret-guess" not in json.dumps(events)
    assert {"time", "level", "logger"} <= set(failures[0])


def test_a_successful_login_is_logged(client, demo, security_events):
    client.post("/accounts/login/", {"username": "finance", "password": "demo"})
    [login] = events_named(security_events(), "login")
    assert login["username"] == "finance"


def test_a_permission_denial_is_logged_with_its_reason(client, demo, demo_user, security_events):
    client.force_login(demo_user("partner-cg"))
    response = client.get(f"{CONTRACT}budget/lines/new/?year=2015")
    assert response.status_code == 403
    [denial] = events_named(security_events(), "permission_denied")
    assert denial["user"] == "partner-cg"
    assert denial["path"] == f"{CONTRACT}budget/lines/new/"
    assert denial["reason"]  # the predicate's French reason


def test_probing_another_territory_s_contract_is_logged_but_not_a_missing_one(
    client, demo, demo_user, security_events
):
    other = Territory.objects.create(code="43", name="Haute-Loire")
    Contract.objects.filter(pk=demo.contract.pk).update(territory=other)
    client.force_login(demo_user("cdaje"))
    assert client.get(CONTRACT).status_code == 404
    assert client.get("/contracts/no-such-contract/").status_code == 404
    [probe] = events_named(security_events(), "out_of_scope")
    assert probe["user"] == "cdaje" and probe["contract"] == DEMO_SLUG


def test_document_downloads_are_logged(client, sealed_demo, demo_user, security_events):
    from cej.models import Document

    document = Document.objects.filter(contract=sealed_demo.contract).first()
    client.force_login(demo_user("partner-caf"))
    response = client.get(f"{CONTRACT}documents/{document.pk}/download/")
    assert response.status_code == 200
    [download] = events_named(security_events(), "document_download")
    assert download["user"] == "partner-caf"
    assert download["document"] == document.pk
    assert download["sha256"] == document.sha256
    assert download["outcome"] == "served"


def test_imports_are_logged_applied_or_rejected(
    client, contract_in_preparation, demo_user, security_events
):
    """On the contract in preparation: a signed one's lines change only through an avenant."""
    from tests.financing.test_imports import IMPORT, edited, export, upload

    client.force_login(demo_user("finance"))
    assert upload(client, b"not;a;budget\n1;2;3\n", name="budget.csv").status_code == 200
    # Row 5 (coordination 2015) gets a label; its amounts cannot grow (every year of the demo
    # is allocated up to its envelope) nor shrink (every line is committed in full).
    preview = upload(client, edited(export(client), G5="Coordination départementale 2015"))
    client.post(f"{IMPORT}confirm/", {"fingerprint": preview.context["fingerprint"]})
    events = security_events()
    [refusal] = events_named(events, "import_rejected")
    assert refusal["filename"] == "budget.csv" and refusal["issues"] >= 1
    [applied] = events_named(events, "import_applied")
    assert applied["user"] == "finance" and applied["changed"] == 1
    assert applied["contract"] == DEMO_SLUG and len(applied["sha256"]) == 64


def test_the_security_log_goes_to_standard_output_as_json_lines(tmp_path):
    """In a fresh process, with the real logging configuration."""
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    code = (
        "import django; django.setup(); from cej.security_log import log_security_event; "
        "log_security_event('lockout', username='cdaje')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    event = json.loads(line)
    assert event["event"] == "lockout" and event["username"] == "cdaje"
    assert event["logger"] == "cej.security" and event["level"] == "INFO"
    assert result.stderr == ""
