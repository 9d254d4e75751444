"""Production-like rehearsals on this machine, shared by `python -m deploy.two_instances` and
tests/deployment: a throw-away PostgreSQL database, the environment a production instance gets,
manage.py and gunicorn (with deploy/gunicorn.conf.py) in subprocesses, always stopped.

Every subprocess gets a clean environment: nothing of the caller's DATABASE_URL, settings
module or CACHE_URL leaks in, and every variable of .env.example is set explicitly, so a
developer's `.env` (which only fills variables left unset) changes nothing either.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# The local server, trust authentication (the development and CI machines' set-up).
POSTGRES_SERVER = os.environ.get("SANDBOX_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# The site's host name as the reverse proxy passes it on (Host header), and the client
# address it adds (X-Forwarded-For): a documentation address, nobody's.
PUBLIC_HOST = "127.0.0.1"
CLIENT_ADDRESS = "203.0.113.7"
SEAL_PASSPHRASE = "sandbox-seal-passphrase"
_PASSTHROUGH = {"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "USER", "LOGNAME"}


class SandboxError(Exception):
    """A step could not run (PostgreSQL unreachable, a command failed, a server did not
    start): one message, with what the command printed."""


class PostgresUnavailable(SandboxError):
    pass


# --- Environment ---------------------------------------------------------------------------


def env_example() -> dict[str, str]:
    """The variables of .env.example with their documented production values."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def documented_env(**overrides: str) -> dict[str, str]:
    """A clean environment with every variable of .env.example at its documented value."""
    env = {k: v for k, v in os.environ.items() if k in _PASSTHROUGH or k.startswith("LC_")}
    env.update(env_example())
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def production_env(
    *, work: Path, database_url: str, seal: Path | None = None, **overrides: str
) -> dict[str, str]:
    """The environment of a production instance whose files live under `work`: DEBUG off, a
    random SECRET_KEY, behind an HTTPS reverse proxy, demo accounts allowed (a rehearsal logs
    in with them). `seal` is the folder of the seal certificate (default: work/seal)."""
    seal = seal or work / "seal"
    env = documented_env()
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": PUBLIC_HOST,
            # The proxy passes the Host header on: the browser's Origin matches it, and
            # Django's CSRF check needs no trusted origin.
            "CSRF_TRUSTED_ORIGINS": "",
            "BEHIND_HTTPS_PROXY": "true",
            "DATABASE_URL": database_url,
            "CACHE_URL": "locmemcache://cej-pages",
            "DOCUMENTS_STORAGE": "local",
            "STATIC_ROOT": str(work / "static"),
            "PRIVATE_STORAGE_ROOT": str(work / "private"),
            "SEAL_CERTIFICATE_PATH": str(seal / "certificate.pem"),
            "SEAL_KEY_PATH": str(seal / "key.pem"),
            "SEAL_KEY_PASSPHRASE": SEAL_PASSPHRASE,
            "DEMO_ACCOUNTS": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


# --- PostgreSQL ----------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"{POSTGRES_SERVER}/{name}"


def _connect():
    import psycopg

    try:
        return psycopg.connect(database_url("postgres"), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise PostgresUnavailable(
            f"PostgreSQL injoignable ({POSTGRES_SERVER}) : {error}".strip()
            + "\nDémarrez-le, par exemple : "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from error


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or None."""
    try:
        _connect().close()
    except PostgresUnavailable as error:
        return str(error)
    return None


def create_database(name: str, *, template: str | None = None) -> str:
    """A new empty database (or a copy of `template`, which nobody may be connected to);
    one left over by an interrupted run of the same name is dropped first."""
    from psycopg import sql

    drop_database(name)
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _connect() as connection:
        connection.execute(statement)
    return database_url(name)


def drop_database(name: str) -> None:
    from psycopg import sql

    with _connect() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def throwaway_database(name: str, *, template: str | None = None) -> Iterator[str]:
    """A database that exists for the `with` block only; yields its URL."""
    url = create_database(name, template=template)
    try:
        yield url
    finally:
        drop_database(name)


# --- Commands ------------------------------------------------------------------------------


def run(command: list[str], *, env: dict, timeout: float = 300) -> str:
    """Run a command at the project's root; its standard output, or SandboxError with what it
    printed when it fails or overruns."""
    shown = " ".join(str(part) for part in command)
    try:
        result = subprocess.run(
            [str(part) for part in command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxError(f"{shown} : toujours en cours après {timeout:.0f} s.") from error
    if result.returncode:
        raise SandboxError(
            f"{shown} a échoué (code {result.returncode}) :\n"
            f"{_tail(result.stdout)}\n{_tail(result.stderr)}".rstrip()
        )
    return result.stdout


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    return run([sys.executable, "manage.py", *args], env=env, timeout=timeout)


def manage_status(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """manage.py whose failure is the expected answer: the completed process, as it is."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def create_seal(env: dict) -> None:
    """A development seal certificate at the environment's SEAL_* paths."""
    Path(env["SEAL_CERTIFICATE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    manage(
        env, "create_seal_certificate", "--skip-checks", "--common-name", "Sceau CEJ (répétition)"
    )


def prepare_demo_site(env: dict, *, static: bool = True) -> dict[str, float]:
    """What an operator does on a new database: migrate, load the demo (its sealed documents
    included), collect the static files. Returns the seconds each step took."""
    timings = {}
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    timings["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    output = manage(env, "load_demo")
    timings["load_demo"] = time.perf_counter() - started
    if "PDF scellé non produit" in output or output.count("Document scellé") != 2:
        raise SandboxError(f"load_demo n'a pas produit les deux documents scellés :\n{output}")
    if static:
        started = time.perf_counter()
        manage(env, "collectstatic", "--noinput", "-v", "0")
        timings["collectstatic"] = time.perf_counter() - started
    return timings


# --- gunicorn ------------------------------------------------------------------------------


@dataclass
class Instance:
    """One gunicorn server (master and workers, in their own process group)."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_instance(env: dict, *, name: str, work: Path, workers: int = 1) -> Instance:
    port = free_port()
    log = work / f"gunicorn-{name}.log"
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "config.wsgi"],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped whole, workers included
        )
    return Instance(name=name, port=port, process=process, log=log)


def wait_until_ready(instance: Instance, *, timeout: float = 60) -> None:
    """Until the login page answers 200 through the proxy headers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise SandboxError(
                f"gunicorn {instance.name} s'est arrêté (code {instance.process.returncode}) :"
                f"\n{_tail(instance.log_text())}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=10)
        try:
            connection.request(
                "GET",
                "/accounts/login/",
                headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"},
            )
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise SandboxError(
        f"gunicorn {instance.name} ne répond pas après {timeout:.0f} s :\n"
        f"{_tail(instance.log_text())}"
    )


def _signal_group(group: int, signum: int) -> bool:
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def stop_instance(instance: Instance, *, grace: float = 10) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds; returns once no process
    of the group is left."""
    group = instance.process.pid
    _signal_group(group, signal.SIGTERM)
    try:
        instance.process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal_group(group, signal.SIGKILL)
        instance.process.wait(timeout=grace)
    deadline = time.monotonic() + grace
    while _signal_group(group, 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_group(group, signal.SIGKILL)  # a worker that outlived its master


@contextmanager
def running_instances(
    env: dict, *, work: Path, names: tuple[str, ...] = ("A", "B"), workers: int = 1
) -> Iterator[list[Instance]]:
    """gunicorn servers on free loopback ports, ready; all stopped when the block ends, even
    when one failed to start."""
    instances: list[Instance] = []
    try:
        for name in names:
            instances.append(start_instance(env, name=name, work=work, workers=workers))
        for instance in instances:
            wait_until_ready(instance)
        yield instances
    finally:
        for instance in instances:
            stop_instance(instance)
