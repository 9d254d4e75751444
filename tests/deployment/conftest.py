"""Fixtures of the deployment tests. They run the application as production does, in
subprocesses with production settings (deploy/sandbox.py), on PostgreSQL databases of their
own: independent of the Django test database, so they run the same in both CI passes
(SQLite and PostgreSQL).

Session-scoped, to pay once for what is slow: the seal certificate, and a demo site
(migrate, load_demo with its two sealed documents, collectstatic) that the backup test dumps
and the two-instance test copies (`CREATE DATABASE … TEMPLATE`)."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.sandbox import create_seal, prepare_demo_site, production_env, throwaway_database
from tests.deployment.pg import require_postgres


@dataclass
class DemoSite:
    name: str  # the database
    env: dict
    work: Path


@pytest.fixture(scope="session")
def seal_folder(tmp_path_factory) -> Path:
    """One development seal certificate (with a passphrase) for every deployment test."""
    work = tmp_path_factory.mktemp("deployment-seal")
    create_seal(production_env(work=work, database_url="sqlite://"))
    return work / "seal"


@pytest.fixture(scope="session")
def demo_site(seal_folder, tmp_path_factory):
    """The demo as an operator loads it on a new PostgreSQL database. Nobody writes to it:
    a test that changes data works on a copy."""
    require_postgres()
    work = tmp_path_factory.mktemp("demo-site")
    name = f"cej_deploy_{os.getpid()}"
    with throwaway_database(name) as url:
        env = production_env(work=work, database_url=url, seal=seal_folder)
        prepare_demo_site(env)
        yield DemoSite(name=name, env=env, work=work)
