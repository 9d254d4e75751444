"""`manage.py check --deploy --fail-level WARNING`, in a fresh interpreter with the production
variables documented in .env.example (and a seal certificate), passes; and it is a real
gate: the same environment with DEBUG on, or with the placeholder SECRET_KEY of
.env.example, fails it."""

import secrets

import pytest

from deploy.sandbox import SEAL_PASSPHRASE, documented_env, env_example, manage_status

# The seal and the demo site (conftest.py) are built once for these: one xdist worker runs
# them (tests/conftest.py, XDIST_GROUPS).


@pytest.fixture(scope="module")
def check_deploy(seal_folder):
    def run(**overrides: str):
        env = documented_env(
            SECRET_KEY=secrets.token_urlsafe(50),
            SEAL_CERTIFICATE_PATH=str(seal_folder / "certificate.pem"),
            SEAL_KEY_PATH=str(seal_folder / "key.pem"),
            SEAL_KEY_PASSPHRASE=SEAL_PASSPHRASE,
        )
        env.update(overrides)
        return manage_status(env, "check", "--deploy", "--fail-level", "WARNING")

    return run


def test_the_documented_production_settings_pass_the_deployment_check(check_deploy):
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_on_fails_the_deployment_check(check_deploy):
    result = check_deploy(DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG in deployment


def test_the_placeholder_secret_key_of_env_example_fails_the_deployment_check(check_deploy):
    placeholder = env_example()["SECRET_KEY"]
    result = check_deploy(SECRET_KEY=placeholder)
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # short or obviously not random


def test_a_short_secret_key_fails_the_deployment_check(check_deploy):
    result = check_deploy(SECRET_KEY="x" * 20)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_without_the_seal_certificate_the_deployment_check_fails(check_deploy, tmp_path):
    result = check_deploy(SEAL_CERTIFICATE_PATH=str(tmp_path / "absent.pem"))
    assert result.returncode != 0
    assert "cej.W001" in result.stderr
