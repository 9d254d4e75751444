"""A backup as docs/deployment.md prescribes it (`pg_dump -Fc` and an archive of the private
storage), restored into a new database and a new storage folder, brings back the same
contract: the same budget figures per year, the same fiches and accounts, the same documents
with bytes that match their SHA-256, and `verify_documents` finds nothing wrong."""

import json
import os
import tarfile
from pathlib import Path

import pytest

from deploy.sandbox import manage, manage_status, production_env, throwaway_database
from tests.deployment.pg import pg_dump, pg_restore, require_postgres
from tests.deployment.snapshot import COMMAND

# The seal and the demo site (conftest.py) are built once for these: one xdist worker runs
# them (tests/conftest.py, XDIST_GROUPS).


def snapshot(env: dict) -> dict:
    return json.loads(manage(env, "shell", "--no-imports", "-c", COMMAND, timeout=120))


@pytest.fixture(scope="module")
def backup(demo_site, tmp_path_factory):
    """The demo site's backup: the database dump and the storage archive, and what the
    application showed when it was taken."""
    require_postgres("pg_dump", "pg_restore")
    folder = tmp_path_factory.mktemp("backup")
    before = snapshot(demo_site.env)
    pg_dump(demo_site.env["DATABASE_URL"], folder / "cej.dump", env=demo_site.env)
    with tarfile.open(folder / "private.tar.gz", "w:gz") as archive:
        archive.add(demo_site.env["PRIVATE_STORAGE_ROOT"], arcname="private")
    return folder, before


@pytest.fixture(scope="module")
def restored(backup, seal_folder, tmp_path_factory):
    """A new database and a new storage folder, filled from the backup only."""
    folder, _before = backup
    work = tmp_path_factory.mktemp("restored")
    with tarfile.open(folder / "private.tar.gz") as archive:
        archive.extractall(work, filter="data")
    with throwaway_database(f"cej_restore_{os.getpid()}") as url:
        env = production_env(work=work, database_url=url, seal=seal_folder)
        pg_restore(folder / "cej.dump", url, env=env)
        yield env


def test_the_backup_holds_the_signed_demo(backup):
    _folder, before = backup
    assert before["contract"]["status"] == "signed"
    assert set(before["per_year"]) == {"2014", "2015", "2016", "2017"}
    assert before["per_year"]["2014"]["planned"] == "198000.00"
    assert before["total"]["committed"] != "0.00" and before["total"]["paid"] != "0.00"
    assert before["fiches"] == 15  # 14 signed in 2014, n° 15 added by avenant n° 1
    # Advances and balances 2014–2017, one reversement (demo.loire_cycle).
    assert len(before["funder_payments"]) == 15
    assert [p[2] for p in before["funder_payments"]].count("refund") == 1
    # Contract, annex convention, avenant n° 1, the annual reviews 2014–2016.
    assert [d["sealed"] for d in before["documents"]] == [True] * 6
    assert all(d["served_sha256"] == d["sha256"] for d in before["documents"])


def test_the_restored_instance_shows_the_same_contract_and_documents(backup, restored):
    _folder, before = backup
    assert snapshot(restored) == before


def test_verify_documents_passes_on_the_restored_storage(restored):
    result = manage_status(restored, "verify_documents")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 documents vérifiés, 0 en erreur" in result.stdout


def test_verify_documents_fails_when_a_restored_file_differs(restored):
    stored = sorted(Path(restored["PRIVATE_STORAGE_ROOT"]).rglob("*.pdf"))[0]
    original = stored.read_bytes()
    try:
        stored.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        result = manage_status(restored, "verify_documents")
    finally:
        stored.write_bytes(original)
    assert result.returncode != 0
    assert "contenu différent" in result.stderr
