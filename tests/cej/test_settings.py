"""Start-up configuration, checked in a fresh interpreter as a deployment would see it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(*args, **env):
    """A fresh interpreter without SECRET_KEY or DEBUG, unless given."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def load_settings(**env):
    return run_python(
        "-c",
        "import config.settings as s; print(s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE, "
        "s.DATABASES['default']['ENGINE'])",
        **env,
    )


WITHOUT_LOCAL_ENV = pytest.mark.skipif(
    (ROOT / ".env").exists() and not os.environ.get("CI"),
    reason="SKIPPED: a local .env sets SECRET_KEY for every process; remove it to run this test",
)


@WITHOUT_LOCAL_ENV
def test_without_debug_a_missing_secret_key_stops_the_server_start_up_clearly():
    result = run_python("-c", "import config.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY n'est pas définie" in result.stderr


@WITHOUT_LOCAL_ENV
def test_commands_that_sign_nothing_run_without_a_secret_key():
    """Django validates SECRET_KEY on first use: the migrations check of a bare checkout
    runs, and the deployment check names the missing key instead of crashing."""
    migrations = run_python("manage.py", "makemigrations", "--check", "--dry-run")
    assert migrations.returncode == 0, migrations.stderr
    assert "No changes detected" in migrations.stdout
    deploy = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert deploy.returncode != 0
    assert "security.W009" in deploy.stderr


def test_debug_is_off_unless_set_and_the_defaults_are_french():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "fr", "Europe/Paris"]


def test_development_needs_no_configuration():
    result = load_settings(DEBUG="true", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "fr", "Europe/Paris", "django.db.backends.sqlite3"]


def test_postgresql_is_chosen_by_database_url():
    result = load_settings(DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "django.db.backends.postgresql"


def test_a_missing_seal_certificate_is_reported_at_start_up(settings, tmp_path):
    from cej.checks import seal_certificate_check

    settings.DEBUG = False
    settings.SEAL_CERTIFICATE_PATH = str(tmp_path / "absent.pem")
    settings.SEAL_KEY_PATH = str(tmp_path / "absent-key.pem")
    warnings = seal_certificate_check(None)
    assert [w.id for w in warnings] == ["cej.W001"]
    assert "aucun contrat ne pourra être signé" in warnings[0].msg


def test_a_configured_seal_certificate_passes_the_check(settings, seal):
    from cej.checks import seal_certificate_check

    settings.DEBUG = False
    assert seal_certificate_check(None) == []
