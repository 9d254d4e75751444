"""What every benchmark shares: Django configured as in production (the settings module as
is, DEBUG off unless the environment says otherwise, and none of the test framework's
template instrumentation), a throw-away test database, a temporary private storage root
and seal certificate, and where the results go.

Importing this module sets Django up, so the other benchmark modules import it first."""

import json
import os
import platform
import shutil
import tempfile
import time
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmarks-only")
# STATIC_ROOT is only filled by collectstatic; whitenoise's warning about it is noise here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def bench_database():
    """A fresh test database (never kept) and the settings every benchmark runs under;
    yields the temporary working directory (private storage, seal certificate).

    Settings changed, and why: DEBUG off, as in production, whatever a local `.env` says,
    except the https redirect (the test client speaks http, as gunicorn behind the proxy);
    the default local-memory cache, since the benchmarks clear it;
    'testserver' is the test client's host (the test framework would add it, together with
    its template instrumentation, which production lacks); the benchmarks' URLs add the
    floor views to the application's; MD5 hashing makes creating the demo accounts fast;
    the seal certificate and the private storage are temporary; the static files storage
    needs no collectstatic manifest."""
    from cej.sealing import create_development_certificate

    workdir = Path(tempfile.mkdtemp(prefix="cej-bench-"))
    create_development_certificate(
        workdir / "cert.pem", workdir / "key.pem", common_name="Sceau du banc d'essai"
    )
    private = workdir / "private"
    private.mkdir()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    old_test_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        # A file, as `make run` uses, not the test framework's in-memory database: that one
        # would be faster than any deployment and would count in the process's memory.
        test_settings["NAME"] = str(workdir / "test.sqlite3")
    try:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    except OperationalError as error:
        shutil.rmtree(workdir, ignore_errors=True)
        raise SystemExit(
            f"Cannot create the test database on {connection.vendor} "
            f"({connection.settings_dict.get('HOST') or 'local'}): {error}\n"
            "Start the database server, or point DATABASE_URL (BENCH_DATABASE_URL for "
            "`make bench`; empty for SQLite only) at one."
        ) from error
    try:
        with (
            override_settings(
                DEBUG=False,
                # The test client speaks plain http, as gunicorn does behind the TLS proxy; the
                # redirect to https would answer every page with a 301.
                SECURE_SSL_REDIRECT=False,
                # The benchmarks clear the cache: never a shared one that CACHE_URL might name.
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "cej-bench",
                        "OPTIONS": settings.CACHES["default"].get("OPTIONS", {}),
                    }
                },
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                # The demo's and the scale data's notifications are e-mailed at once: kept in
                # memory, never sent to whatever SMTP server EMAIL_URL names.
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                ROOT_URLCONF="benchmarks.urls",
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                SEAL_CERTIFICATE_PATH=str(workdir / "cert.pem"),
                SEAL_KEY_PATH=str(workdir / "key.pem"),
                SEAL_KEY_PASSPHRASE="",
                PRIVATE_STORAGE_ROOT=private,
                MEDIA_ROOT=private,
                STORAGES={
                    "default": {
                        "BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": private, "base_url": None},
                    },
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
            ),
            _security_log_discarded(),
        ):
            yield workdir
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        test_settings["NAME"] = old_test_name
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _security_log_discarded():
    """Every log-in and download writes a security event: still formatted, as in production
    (its cost is measured), but to nowhere instead of the benchmark's report."""
    import logging

    logger = logging.getLogger("cej.security")
    handlers = logger.handlers[:]
    with open(os.devnull, "w") as nowhere:
        discard = logging.StreamHandler(nowhere)
        discard.setFormatter(handlers[0].formatter if handlers else None)
        logger.handlers = [discard]
        try:
            yield
        finally:
            logger.handlers = handlers


def timed(function):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def rss_mb(field: str = "VmRSS") -> float | None:
    """`VmRSS` (now) or `VmHWM` (peak) of this process in MB, from Linux's /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class PeakMemory:
    """The process's peak resident memory, over the whole run and step by step, although a
    benchmark resets the kernel's high-water mark to measure one operation: it is read
    before every reset."""

    peak_mb: float | None = None
    by_step: dict[str, float] = {}  # one process, one run
    _step: str = "start"
    _step_peak: float = 0.0

    @classmethod
    def note(cls) -> float | None:
        current = rss_mb("VmHWM")
        if current is not None:
            cls.peak_mb = max(cls.peak_mb or 0, current)
            cls._step_peak = max(cls._step_peak, current)
        return current

    @classmethod
    def reset(cls) -> bool:
        """Make VmHWM start again from the current RSS (Linux ≥ 4.0); False if impossible."""
        cls.note()
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    @classmethod
    def begin(cls, step: str) -> None:
        """Record the peak of the step that ends (the highest resident memory since it
        began) under its name, and start `step`."""
        cls.reset()
        if cls._step_peak:
            cls.by_step[cls._step] = max(cls._step_peak, cls.by_step.get(cls._step, 0))
        cls._step, cls._step_peak = step, 0.0


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_results(prefix: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{prefix}-{connection.vendor}-{payload.get('date') or stamp()}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    return path
