"""Project-wide fixtures and guards.

The Loire demo is built once per test session (per xdist worker) and committed: every test
sees it and runs in a transaction rolled back after it (see tests/world.py). Tests that
commit (browser, live server, concurrency) are followed by a restore of the same world;
tests that need a freshly migrated database ask for `empty_database`."""

import fcntl
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.template import TemplateSyntaxError
from django.test import override_settings
from django.utils import translation
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

from demo.loire import DemoResult, load_loire_demo, seal_demo_documents
from tests.world import RowChanges, Snapshot, project_models

# `smtp_server`: a real SMTP server (aiosmtpd) the e-mail tests send through.
pytest_plugins = ["tests.smtp"]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests that one xdist worker runs together, in order: those sharing a slow session fixture
# (the deployment rehearsal's demo site), and those checking what the test before them left.
XDIST_GROUPS = {"tests/deployment/": "deployment", "tests/test_world.py": "world"}


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's own `--dist loadgroup` reads an `xdist_group` mark through a node-id suffix
    that pytest 9.2 no longer keeps (pytest-xdist issue 1386: the groups silently spread over
    the workers). Same scheduling, the groups said by path instead."""
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PathGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid  # every other test on its own, as --dist load

    return PathGroupScheduling(config, log)


class FailOnUnknownTemplateVariable(str):
    """`string_if_invalid` that fails the test on any unknown variable in our templates
    (les-emplois' guard): a typo in a template is a bug, not an empty cell."""

    def __contains__(self, key):
        return key == "%s"

    def __mod__(self, variable):
        raise TemplateSyntaxError(f"Variable de gabarit inconnue : {variable}")


@pytest.fixture(autouse=True)
def _french(settings):
    """Messages are checked in French, the default language."""
    with translation.override("fr"):
        yield


def _guarded_templates(templates):
    return [
        {
            **templates[0],
            "OPTIONS": {
                **templates[0]["OPTIONS"],
                "string_if_invalid": FailOnUnknownTemplateVariable("%s"),
            },
        }
    ]


@pytest.fixture(scope="session", autouse=True)
def _session_settings():
    """The settings every test runs with, set once for the session. Set per test, each
    change of TEMPLATES made Django drop its template engines, and every test compiled the
    templates it rendered again (Django's signal `reset_template_engines`)."""
    from django.conf import settings

    unguarded = settings.TEMPLATES
    overrides = override_settings(
        # Hashing passwords with PBKDF2 would dominate the run.
        PASSWORD_HASHERS=FAST_HASHERS,
        # Static files are not collected in tests: plain storage, no manifest.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # Django's own admin templates rely on missing variables; the guard covers ours
        # (tests marked `admin_templates` run without it: `_test_settings`).
        TEMPLATES=_guarded_templates(unguarded),
    )
    overrides.enable()
    yield unguarded
    overrides.disable()


@pytest.fixture(autouse=True)
def _test_settings(_session_settings, request):
    if "admin_templates" in request.keywords:
        settings = request.getfixturevalue("settings")
        settings.TEMPLATES = _session_settings


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached page (cej.page_cache), as a fresh process would."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class DemoWorld:
    """The state every test starts from: a freshly migrated database (`fresh`) plus the Loire
    demo and its accounts (`snapshot`), committed once for the session."""

    fresh: Snapshot
    snapshot: Snapshot
    contract_pk: int
    created: int
    accounts: list[str]
    # The files the demo stores (the adopted annual reviews' PDFs), written to a folder of
    # the session, never to the developer's var/private; `store_documents` puts them into
    # the storage of the test that needs them.
    documents: Path | None = None

    def store_documents(self) -> None:
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        for path in sorted(self.documents.rglob("*")) if self.documents else ():
            if path.is_file():
                name = path.relative_to(self.documents).as_posix()
                if not default_storage.exists(name):
                    default_storage.save(name, ContentFile(path.read_bytes()))

    def result(self) -> DemoResult:
        """A new DemoResult per test: a test may change its contract object freely."""
        from cej.models import Contract

        return DemoResult(
            contract=Contract.objects.get(pk=self.contract_pk),
            created=self.created,
            accounts=list(self.accounts),
        )


_WORLD: DemoWorld | None = None


@dataclass
class _BuiltWorld:
    """What loading the demo left: every row, and the folder of the files it stored."""

    snapshot: Snapshot
    contract_pk: int
    created: int
    accounts: list[str]
    documents: Path


def _built_once_per_run(name: str, load, tmp_path_factory):
    """`load()` by the first xdist worker that needs it (the demo world, the seal, the sealed
    documents); the others read what it returned from the run's folder. Each worker starts
    its database work at a different moment (the deployment tests' worker ~1 min in), so
    the second one waits for nothing and saves the work (the demo's load ~8 s of CPU on
    SQLite, more on PostgreSQL; the sealing ~7 s). Without xdist, loaded here."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return load()
    run = tmp_path_factory.getbasetemp().parent  # this run's folder, shared by its workers
    stored = run / f"{name}.pickle"
    with open(run / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        built = load()
        partial = stored.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(built))
        partial.replace(stored)
        return built


def _reset_sequences() -> None:
    """Rows restored with their keys leave PostgreSQL's sequences behind them: moved past
    them, as `loaddata` does (SQLite's AUTOINCREMENT follows inserted keys by itself)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), project_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test database, with the Loire demo committed in it once."""
    global _WORLD
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    documents = tmp_path_factory.mktemp("demo-documents")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": documents, "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, STORAGES=storages),
    ):
        # What `migrate` itself writes (the project has no data migration). Restored first,
        # it also clears what a reused database (--reuse-db) kept from an earlier run.
        fresh = Snapshot.take(models=[ContentType, Permission])
        fresh.restore()

        def load() -> _BuiltWorld:
            result = load_loire_demo(with_accounts=True)
            return _BuiltWorld(
                snapshot=Snapshot.take(),
                contract_pk=result.contract.pk,
                created=result.created,
                accounts=result.accounts,
                documents=documents,
            )

        built = _built_once_per_run("demo-world", load, tmp_path_factory)
        if built.documents != documents:  # loaded by another worker: its rows and files
            built.snapshot.restore()
            _reset_sequences()
            shutil.copytree(built.documents, documents, dirs_exist_ok=True)
        _WORLD = DemoWorld(
            fresh=fresh,
            snapshot=built.snapshot,
            contract_pk=built.contract_pk,
            created=built.created,
            accounts=built.accounts,
            documents=documents,
        )
    yield _WORLD
    _WORLD = None


@pytest.fixture
def demo_world(django_db_setup) -> DemoWorld:
    return django_db_setup


@pytest.fixture
def demo(db, demo_world):
    """The Loire demo, with its accounts (built once; this test's changes are rolled back)."""
    return demo_world.result()


@pytest.fixture
def empty_database(db, demo_world):
    """A database as `migrate` leaves it, without the demo (for this test only)."""
    demo_world.fresh.restore()


def _is_transactional(item) -> bool:
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transactional, reset_sequences, *_ = validate_django_db(marker)
    return transactional or reset_sequences


def _no_flush(style, tables, *, reset_sequences=False, allow_cascade=False):
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that committed, the world comes back: every table emptied and refilled
    with the world's rows, one INSERT per table, instead of Django's flush (TRUNCATE of ~45
    tables on PostgreSQL, about a second) followed by a new demo."""
    if _WORLD is None or not _is_transactional(item):
        return (yield)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connection.ops, "sql_flush", _no_flush)
            return (yield)
    finally:
        if _WORLD is not None:
            with item.config.stash[blocking_manager_key].unblock():
                _WORLD.snapshot.restore()
                # As Django's teardown left them: closed. Opened here while Playwright's loop
                # ran, it would outlive the session and keep the database from being dropped.
                connections.close_all()


@pytest.fixture
def demo_contract(demo):
    return demo.contract


@pytest.fixture
def contract_in_preparation(demo):
    """The Loire demo contract put back in preparation (its content as the demo leaves it,
    avenant n° 1 applied), for the tests of editing a contract's content directly — fiches,
    planned lines, imports, their conflicts and history. A signed contract's content changes
    only through an avenant: tests/pilotage/test_amendment*.py, and the refusals in
    tests/pilotage/test_signed_contract_frozen.py."""
    from cej.models import Contract, ContractStatus

    Contract.objects.filter(pk=demo.contract.pk).update(status=ContractStatus.DRAFT)
    demo.contract.refresh_from_db()
    return demo.contract


@pytest.fixture
def demo_user(demo, django_user_model):
    def get(username):
        return django_user_model.objects.get(username=username)

    return get


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Stored documents go to a per-test folder, never to the developer's var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture(scope="session")
def seal_certificate(tmp_path_factory):
    """One self-signed development seal for the run (a 3072-bit key takes a moment)."""
    from cej.sealing import create_development_certificate

    def create():
        folder = tmp_path_factory.mktemp("seal")
        cert, key = folder / "certificate.pem", folder / "key.pem"
        create_development_certificate(cert, key, passphrase="tests", common_name="Sceau de test")
        return cert, key, "tests"

    # One for the run: the sealed documents made by one worker carry it (sealed_world).
    return _built_once_per_run("seal-certificate", create, tmp_path_factory)


@pytest.fixture
def seal(settings, seal_certificate):
    cert, key, passphrase = seal_certificate
    settings.SEAL_CERTIFICATE_PATH = str(cert)
    settings.SEAL_KEY_PATH = str(key)
    settings.SEAL_KEY_PASSPHRASE = passphrase
    return seal_certificate


@dataclass
class SealedWorld:
    """What sealing the demo's signed contract and annex convention writes: its rows and its
    files (the PDFs and their seals), made once for the session."""

    changes: RowChanges
    folder: Path

    def apply(self) -> None:
        """The rows in the current transaction; the same bytes, under the same names, in
        the documents' storage of the test (its own folder, or a mocked bucket)."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        self.changes.apply()
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(self.folder).as_posix()
                stored = default_storage.save(name, ContentFile(path.read_bytes()))
                assert stored == name, f"{name} was stored as {stored}: storage not empty"


@pytest.fixture(scope="session")
def sealed_world(django_db_setup, django_db_blocker, seal_certificate, tmp_path_factory):
    """Renders and seals the demo documents once, in a rolled-back transaction, and keeps
    what that wrote (session-scoped fixtures come before any test's own transaction)."""
    cert, key, passphrase = seal_certificate
    folder = tmp_path_factory.mktemp("sealed-demo")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    def seal_once() -> SealedWorld:
        with (
            override_settings(
                SEAL_CERTIFICATE_PATH=str(cert),
                SEAL_KEY_PATH=str(key),
                SEAL_KEY_PASSPHRASE=passphrase,
                STORAGES=storages,
            ),
            transaction.atomic(),
        ):
            before = Snapshot.take()
            seal_demo_documents(django_db_setup.result().contract)
            changes = RowChanges.between(before, Snapshot.take())
            transaction.set_rollback(True)
        return SealedWorld(changes=changes, folder=folder)

    with django_db_blocker.unblock():
        sealed = _built_once_per_run("sealed-world", seal_once, tmp_path_factory)
        if sealed.folder != folder:  # sealed by another worker
            # Its rows' keys follow the world's: PostgreSQL's sequences moved past them
            # (setval outlives the rollback), as sealing here would have left them.
            with transaction.atomic():
                sealed.changes.apply()
                _reset_sequences()
                transaction.set_rollback(True)
    return sealed


@pytest.fixture
def sealed_demo(sealed_world, demo, demo_world, seal):
    """The Loire demo with its sealed documents, as `load_demo` leaves it: the session's
    rows, and the same PDF bytes stored in this test's own storage."""
    sealed_world.apply()
    demo_world.store_documents()
    return demo_world.result()  # the contract as sealing left it
