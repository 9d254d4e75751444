"""`make loadtest`: the application under 50 concurrent users, as deployed, on PostgreSQL.

What it does, from a fresh clone (after `make install`): about 2 min 30 s the first time
(the scale data takes half a minute to generate), 1 min 30 s after that.

1. prepares the database `cej_loadtest` on the local PostgreSQL (LOADTEST_DATABASE_URL,
   default postgres://postgres@127.0.0.1:5432/cej_loadtest): creates it if missing,
   `migrate`, `load_demo --accounts` (the Loire demo and its sealed PDF, with a development
   seal certificate), `generate_scale_data --password demo` (101 territories × 3 contracts;
   a second run adds nothing and only takes seconds) and `collectstatic`. Everything the run
   writes (seal, private documents, static files, logs, locust's CSV) stays in var/loadtest/;
2. lists from the database the accounts and contracts the simulated users work on
   (var/loadtest/targets.json): one territory per CDAJE user, with fiches it may edit;
3. starts gunicorn (`cej.wsgi`, sync workers) on a free loopback port with production
   settings: DEBUG off, a throw-away SECRET_KEY, persistent database connections
   (CONN_MAX_AGE=60), static files from whitenoise's manifest; and warms every worker up;
4. runs locust headless (benchmarks/locustfile.py: CDAJE, finance and partner journeys with
   1 to 3 s of think time). Each simulated user first logs in through the login form; once
   all are logged in and a few seconds have let the logins' queue drain, locust's statistics
   are reset and the measure lasts `--duration` seconds. The run is bounded: a locust that
   overruns is killed;
5. stops locust and gunicorn whatever happens (SIGTERM then SIGKILL to their whole process
   groups), prints one line per request (count, failures, median, p95, max, requests per
   second) and the total; apart, the logins and the other requests made while users were
   logging in; the CPU used by gunicorn, PostgreSQL and locust; and writes the figures to
   benchmarks/results/loadtest-<date>.json (git-ignored).

It exits with status 1 when a request failed (logins included) or when the 95th percentile
of the measured requests exceeds 200 ms (2 when the run could not take place). Why the
logins are apart: each one hashes the password (PBKDF2, 1 000 000 iterations, about 0.25 s
of CPU by design), and 50 of them in ten seconds saturate two cores and hold up every other
request meanwhile; a person logs in once a day, not once a minute.

Reproduce: `make loadtest`, or `.venv/bin/python -m benchmarks.loadtest --help` for the
options (users, duration, workers, spawn rate, settle time; also LOADTEST_* variables).
Other processes running on the machine distort the figures: the run reports how busy the
machine was just before it. If PostgreSQL is not running:
`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.
"""

import argparse
import csv
import json
import math
import os
import platform
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "loadtest"
RESULTS = ROOT / "benchmarks" / "results"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cej_loadtest"
PASSWORD = "demo"
P95_TARGET_MS = 200
LOGIN = "POST /accounts/login/"
SCALE_PREFIX = "scale-"
SEAL_NAME = "Sceau CEJ Loire (test de charge)"
# Above this share of the CPU used by others before the run, its figures are not comparable.
BUSY_WARNING_PCT = 25


class SetupError(Exception):
    """The run cannot start or finish (database unreachable, a command failed): one message."""


def options(argv=None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.loadtest",
        description="Load test: gunicorn on PostgreSQL with the scale data, driven by locust.",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=int(env("LOADTEST_USERS", "50")),
        help="simulated users: 40%% CDAJE, 30%% finance, 30%% partners (default 50)",
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=int(env("LOADTEST_DURATION", "60")),
        help="seconds of measure, once every user is logged in (default 60)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(env("LOADTEST_WORKERS", "3")),
        help="gunicorn sync workers (default 3)",
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=float(env("LOADTEST_SPAWN_RATE", "5")),
        help="users started (and logged in) per second (default 5)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=float(env("LOADTEST_SETTLE", "5")),
        help="seconds between the last login and the measure (default 5)",
    )
    parser.add_argument(
        "--database-url",
        default=env("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database, created if missing (default {DEFAULT_DATABASE_URL})",
    )
    return parser.parse_args(argv)


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, for the management commands and gunicorn alike."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cej.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "PRIVATE_STORAGE_ROOT": str(WORK / "private"),
        "SEAL_CERTIFICATE_PATH": str(WORK / "seal" / "certificate.pem"),
        "SEAL_KEY_PATH": str(WORK / "seal" / "key.pem"),
        "SEAL_KEY_PASSPHRASE": "",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
    }


# --- Preparation -------------------------------------------------------------------------


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SetupError(f"LOADTEST_DATABASE_URL doit désigner PostgreSQL, pas {parts.scheme!r}.")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"  base {name} créée.")
    except psycopg.OperationalError as error:
        raise SetupError(
            f"PostgreSQL injoignable ({parts.hostname}:{parts.port or 5432}) : {error}\n"
            "Démarrez-le, par exemple : "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from error


def manage(env: dict, *args: str) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode:
        raise SetupError(f"manage.py {' '.join(args)} a échoué (code {result.returncode}).")
    print(f"  manage.py {args[0]} : {time.perf_counter() - started:.1f} s", flush=True)


def prepare(env: dict, database_url: str) -> None:
    ensure_database(database_url)
    (WORK / "seal").mkdir(parents=True, exist_ok=True)
    if not Path(env["SEAL_CERTIFICATE_PATH"]).is_file():
        manage(env, "create_seal_certificate", "--skip-checks", "--common-name", SEAL_NAME)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo", "--accounts")
    manage(env, "generate_scale_data", "--password", PASSWORD, "-v", "0")
    if static_files_stale():
        manage(env, "collectstatic", "--noinput", "-v", "0")


def static_files_stale() -> bool:
    """collectstatic (about ten seconds: whitenoise compresses every file) only when a
    static file or the installed packages changed since it last ran."""
    manifest = WORK / "static" / "staticfiles.json"
    if not manifest.is_file():
        return True
    sources = [ROOT / ".venv" / ".installed", *(ROOT / "static").rglob("*")]
    newest = max(path.stat().st_mtime for path in sources if path.exists())
    return newest > manifest.stat().st_mtime


def collect_targets(env: dict) -> dict:
    """Who the simulated users are and what they work on, read from the database: the
    generated accounts, and the demo partners for the Loire's sealed PDF."""
    import django

    os.environ.update(env)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.db.models import Case, Value, When

    from cej import roles
    from cej.models import Contract, ContractStatus, Document, DocumentKind
    from fiches.models import Fiche
    from fiches.workflow import EDITABLE_STATUSES

    users = get_user_model().objects.filter(is_active=True, is_superuser=False)
    generated = users.filter(username__startswith=SCALE_PREFIX).order_by("username")

    cdaje, seen = [], set()
    for user in generated.filter(groups__name=roles.CDAJE_STAFF).prefetch_related("territories"):
        territories = {t.pk for t in user.territories.all()}
        if not territories or territories & seen:
            continue  # one territory per simulated user: no two of them edit the same fiches
        seen |= territories
        best = None
        for contract in Contract.objects.filter(territory__in=territories).order_by("-start_year"):
            fiches = list(
                Fiche.objects.filter(contract=contract)
                .order_by("number")
                .values_list("number", "status")
            )
            editable = [n for n, status in fiches if status in EDITABLE_STATUSES]
            if fiches and (best is None or len(editable) > len(best["editable"])):
                best = {
                    "username": user.username,
                    "slug": contract.slug,
                    "fiches": [n for n, _ in fiches],
                    "editable": editable,
                }
        if best:
            cdaje.append(best)
    # The territories with fiches to edit (a contract in preparation) go first.
    cdaje.sort(key=lambda target: not target["editable"])

    finance = []
    signed_first = Case(When(status=ContractStatus.SIGNED, then=Value(0)), default=Value(1))
    for user in generated.filter(groups__name=roles.FINANCE_OFFICER):
        contract = (
            Contract.objects.filter(territory__staff=user)
            .exclude(budget_lines=None)
            .order_by(signed_first, "-start_year")
            .first()
        )
        if contract:
            years = list(range(contract.start_year, contract.end_year + 1))
            finance.append({"username": user.username, "slug": contract.slug, "years": years})

    # The demo partners first (the Loire's sealed PDF), then generated ones in a fixed shuffle,
    # so that the MSA accounts, which see three territories, are among them.
    partner_users = list(generated.filter(groups__name=roles.PARTNER_USER))
    random.Random(0).shuffle(partner_users)
    demo = users.filter(username__startswith="partner-", groups__name=roles.PARTNER_USER)
    partners = []
    for user in [*demo.order_by("username"), *partner_users]:
        documents = Document.objects.for_user(user).order_by("contract_id")
        signed = documents.filter(kind=DocumentKind.SIGNED_CONTRACT).first()
        document = signed or documents.first()
        if document is None:
            continue
        partners.append(
            {
                "username": user.username,
                "slug": Contract.objects.get(pk=document.contract_id).slug,
                "signed_document": signed is not None,
            }
        )
    connections.close_all()
    for role, found in (("CDAJE", cdaje), ("finance", finance), ("partenaire", partners)):
        if not found:
            raise SetupError(f"Aucun compte {role} utilisable dans la base de test de charge.")
    return {"password": PASSWORD, "cdaje": cdaje, "finance": finance, "partners": partners}


# --- Processes and CPU -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child in its own session, so that its whole process group can be stopped."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def signal_group(group: int, signum: int) -> bool:
    """Send `signum` to the process group; False when no process of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen | None, *, grace: float = 10) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds; then nothing of the group
    may remain (gunicorn's workers included)."""
    if process is None:
        return
    group = process.pid  # start_new_session: the child leads its own group
    signal_group(group, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(group, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + grace
    while signal_group(group, 0):
        if time.monotonic() > deadline + grace:
            print(f"Attention : le groupe de processus {group} survit à SIGKILL.", file=sys.stderr)
            return
        if time.monotonic() > deadline:
            signal_group(group, signal.SIGKILL)
        time.sleep(0.1)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn s'est arrêté (code {server.returncode}) :\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SetupError(f"gunicorn ne répond pas après {timeout:.0f} s :\n{tail(log)}")


def warm_up(url: str, workers: int) -> None:
    """Concurrent requests, so that every worker has loaded the URLconf and its views (Django
    does it on the first request) before the measure: a server in service is warm."""

    def get(_):
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(3):
            list(pool.map(get, range(workers * 2)))


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine since boot (Linux; zeros elsewhere)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks[:8]) - idle, sum(ticks[:8])


def busy_pct(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    total = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / total, 1) if total else None


def process_cpu(*, group: int | None = None, database: str | None = None) -> dict[int, float]:
    """CPU seconds so far of the live processes of a process group, or of the PostgreSQL
    backends connected to a database (their title reads "postgres: … user database …")."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        if (group is not None and int(fields[2]) == group) or (
            database is not None and title.startswith("postgres:") and f" {database} " in title
        ):
            found[int(proc.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


class CpuWatch:
    """CPU seconds used during the run by gunicorn (its process group) and by the PostgreSQL
    backends of the load test database, sampled every second or so: a backend that closes
    meanwhile (CONN_MAX_AGE recycles them) counts up to its last sample."""

    def __init__(self, *, group: int, database: str):
        self.group, self.database = group, database
        self.before = {"gunicorn": process_cpu(group=group), "postgres": self._postgres()}
        self.last = {name: dict(seen) for name, seen in self.before.items()}

    def _postgres(self):
        return process_cpu(database=self.database)

    def sample(self) -> None:
        self.last["gunicorn"].update(process_cpu(group=self.group))
        self.last["postgres"].update(self._postgres())

    def seconds(self, name: str) -> float:
        before, last = self.before[name], self.last[name]
        return round(sum(last[pid] - before.get(pid, 0) for pid in last), 1)


# --- The run -----------------------------------------------------------------------------


def run(args, env: dict, targets_path: Path) -> dict:
    """gunicorn and locust for one bounded run; both are stopped before returning."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    samples = WORK / "samples.json"
    for stale in (*WORK.glob("locust_*.csv"), samples):
        stale.unlink(missing_ok=True)
    # Logins take longer on a busy machine: room for them, and a bound for the whole run.
    limit = 2 * args.users / args.spawn_rate + args.settle + args.duration + 60
    server = locust = None
    cpu: dict[str, float | None] = {}
    try:
        server = start(
            [
                str(BIN / "gunicorn"),
                "cej.wsgi",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--preload",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            env,
            WORK / "gunicorn.log",
        )
        wait_until_up(f"{host}/accounts/login/", server, WORK / "gunicorn.log")
        warm_up(f"{host}/accounts/login/", args.workers)
        idle_before = machine_cpu()
        time.sleep(2)
        cpu["busy_before_pct"] = busy_pct(idle_before, machine_cpu())
        print(
            f"gunicorn : {args.workers} workers sur {host} ; locust : {args.users} utilisateurs, "
            f"{args.spawn_rate:g} connexions/s puis {args.duration} s de mesure…",
            flush=True,
        )
        started = time.perf_counter()
        machine_before = machine_cpu()
        locust_before = children_cpu()
        watch = CpuWatch(group=server.pid, database=urlsplit(args.database_url).path[1:])
        locust = start(
            [
                str(BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                f"{args.spawn_rate:g}",
                # The locustfile quits after the measure; this is a bound, should it not.
                "--run-time",
                f"{math.ceil(limit)}s",
                "--host",
                host,
                "--csv",
                str(WORK / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            {
                **os.environ,
                "LOADTEST_TARGETS": str(targets_path),
                "LOADTEST_SAMPLES": str(samples),
                "LOADTEST_SETTLE": str(args.settle),
                "LOADTEST_MEASURE": str(args.duration),
            },
            WORK / "locust.log",
        )
        while locust.poll() is None:
            watch.sample()
            if time.perf_counter() - started > limit + 30:
                log = tail(WORK / "locust.log")
                raise SetupError(f"locust dépasse {limit + 30:.0f} s : arrêté.\n{log}")
            time.sleep(1)
        watch.sample()
        cpu["elapsed_s"] = round(time.perf_counter() - started, 1)
        cpu["machine_busy_pct"] = busy_pct(machine_before, machine_cpu())
        cpu["gunicorn_s"] = watch.seconds("gunicorn")
        cpu["postgres_s"] = watch.seconds("postgres")
        cpu["locust_s"] = round(children_cpu() - locust_before, 1)
    finally:
        stop(locust)
        stop(server)
    stats = WORK / "locust_stats.csv"
    if not stats.is_file():
        raise SetupError(f"locust n'a pas écrit ses statistiques :\n{tail(WORK / 'locust.log')}")
    measures = json.loads(samples.read_text()) if samples.is_file() else {}
    if not measures.get("measured_s"):
        raise SetupError(f"la mesure n'a pas commencé :\n{tail(WORK / 'locust.log')}")
    return {
        "stats": read_csv(stats),
        "failures": read_csv(WORK / "locust_failures.csv"),
        "samples": measures,
        "measured_s": measures["measured_s"],
        "cpu": cpu,
    }


# --- Figures -----------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank, as locust computes its percentiles."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(row: dict) -> dict:
    """One line of locust's statistics (the measured window)."""
    return {
        "name": "Total" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}",
        "count": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "median_ms": float(row["Median Response Time"]),
        "p95_ms": float(row["95%"]),
        "max_ms": round(float(row["Max Response Time"])),
        "rps": round(float(row["Requests/s"]), 2),
    }


def login_figures(samples: dict) -> dict | None:
    """The logins, over the whole run (they happen while the users start)."""
    times = [t for phase in ("ramp", "measure") for t in samples[phase].get(LOGIN, [])]
    if not times:
        return None
    failures = sum(
        sum(samples["errors"][phase].get(LOGIN, {}).values()) for phase in ("ramp", "measure")
    )
    return {
        "name": LOGIN,
        "count": len(times),
        "failures": failures,
        "median_ms": round(percentile(times, 0.5)),
        "p95_ms": round(percentile(times, 0.95)),
        "max_ms": round(max(times)),
        "rps": None,
    }


def starting_figures(samples: dict) -> dict | None:
    """The other requests while users were logging in, before the measure."""
    times = [t for name, values in samples["ramp"].items() if name != LOGIN for t in values]
    if not times:
        return None
    return {
        "name": "autres requêtes pendant les connexions",
        "count": len(times),
        "failures": sum(
            n
            for name, errors in samples["errors"]["ramp"].items()
            if name != LOGIN
            for n in errors.values()
        ),
        "median_ms": round(percentile(times, 0.5)),
        "p95_ms": round(percentile(times, 0.95)),
        "max_ms": round(max(times)),
        "rps": None,
    }


def print_table(requests: list[dict], total: dict, login: dict | None, starting: dict | None):
    extra = [r for r in (login, starting) if r]
    width = max(len(r["name"]) for r in [*requests, total, *extra])
    header = f"{'requête':<{width}}  {'nombre':>6} {'échecs':>6} {'médiane':>8} {'p95':>7} "
    print(f"\n{header}{'max':>7} {'req/s':>6}")

    def line(r):
        rps = f"{r['rps']:>6.2f}" if r["rps"] is not None else f"{'':>6}"
        print(
            f"{r['name']:<{width}}  {r['count']:>6} {r['failures']:>6} {r['median_ms']:>6.0f}ms "
            f"{r['p95_ms']:>5.0f}ms {r['max_ms']:>5}ms {rps}"
        )

    for r in requests:
        line(r)
    print("-" * (width + 46))
    line(total)
    if extra:
        print(
            "\nHors mesure, à l'arrivée des utilisateurs (chaque connexion calcule le hachage"
            "\nPBKDF2 du mot de passe, environ 0,25 s de CPU) :"
        )
        for r in extra:
            line(r)


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = options(argv)
    wall = time.perf_counter()
    env = server_env(args.database_url)
    WORK.mkdir(parents=True, exist_ok=True)
    # A `kill` of this process must stop gunicorn and locust too: through the finally blocks.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        print(f"Préparation de la base {urlsplit(args.database_url).path.lstrip('/')}…")
        prepare(env, args.database_url)
        targets = collect_targets(env)
        targets_path = WORK / "targets.json"
        targets_path.write_text(json.dumps(targets, indent=1))
        editable = sum(1 for t in targets["cdaje"] if t["editable"])
        print(
            f"  cibles : {len(targets['cdaje'])} territoires CDAJE (dont {editable} avec des "
            f"fiches modifiables), {len(targets['finance'])} comptes finance, "
            f"{len(targets['partners'])} comptes partenaires."
        )
        setup_s = time.perf_counter() - wall
        outcome = run(args, env, targets_path)
    except SetupError as error:
        print(f"\nTest de charge impossible : {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nTest de charge interrompu : gunicorn et locust sont arrêtés.", file=sys.stderr)
        return 130

    rows = [figures(row) for row in outcome["stats"] if int(row["Request Count"])]
    total = next(r for r in rows if r["name"] == "Total")
    requests = sorted((r for r in rows if r is not total), key=lambda r: r["name"])
    login = login_figures(outcome["samples"])
    starting = starting_figures(outcome["samples"])
    ramp_errors = outcome["samples"]["errors"]["ramp"]
    ramp_failures = sum(n for errors in ramp_errors.values() for n in errors.values())
    print_table(requests, total, login, starting)
    for name, errors in ramp_errors.items():
        for error, count in errors.items():
            print(f"  échec pendant les connexions : {name} — {error} (×{count})")
    for failure in outcome["failures"]:
        print(
            f"  échec : {failure['Method']} {failure['Name']} — {failure['Error']} "
            f"(×{failure['Occurrences']})"
        )
    cpu = outcome["cpu"]
    print(
        f"\nCPU ({os.cpu_count()} cœurs, {cpu['elapsed_s']} s de locust, montée en charge "
        f"comprise) : gunicorn {cpu['gunicorn_s']} s, PostgreSQL {cpu['postgres_s']} s, "
        f"locust {cpu['locust_s']} s ; machine occupée à {cpu['machine_busy_pct']} % "
        f"(à {cpu['busy_before_pct']} % juste avant le test)."
    )
    if (cpu["busy_before_pct"] or 0) > BUSY_WARNING_PCT:
        print(
            "Attention : d'autres processus occupaient la machine avant le test ; "
            "ses chiffres en sont dégradés."
        )
    problems = []
    failures = total["failures"] + ramp_failures
    if failures:
        problems.append(f"{failures} requête(s) en échec")
    measured_s = outcome["measured_s"]
    if measured_s < args.duration - 1:
        problems.append(f"mesure écourtée à {measured_s:.0f} s (connexions trop lentes)")
    if total["p95_ms"] > P95_TARGET_MS:
        problems.append(f"p95 de {total['p95_ms']:.0f} ms > {P95_TARGET_MS} ms")
    wall_s = time.perf_counter() - wall
    stamp = datetime.now(UTC)
    RESULTS.mkdir(exist_ok=True)
    result_path = RESULTS / f"loadtest-{stamp:%Y%m%dT%H%M%SZ}.json"
    result_path.write_text(
        json.dumps(
            {
                "date": stamp.isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "workers": args.workers,
                "users": args.users,
                "spawn_rate": args.spawn_rate,
                "settle_s": args.settle,
                "duration_s": args.duration,
                "measured_s": measured_s,
                "targets": {"p95_ms": P95_TARGET_MS, "failures": 0},
                "requests": requests,
                "aggregate": total,
                "login": login,
                "while_starting": starting,
                "failures_while_starting": ramp_errors,
                "failure_details": outcome["failures"],
                "cpu": cpu,
                "setup_s": round(setup_s, 1),
                "wall_s": round(wall_s, 1),
                "passed": not problems,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(
        f"{total['rps']:.1f} requêtes/s mesurées ; durée totale {wall_s:.0f} s (préparation "
        f"{setup_s:.0f} s). Résultats : {result_path.relative_to(ROOT)}"
    )
    if problems:
        print(f"ÉCHEC du test de charge : {' ; '.join(problems)}.", file=sys.stderr)
        return 1
    print(f"Objectifs tenus : aucun échec, p95 ≤ {P95_TARGET_MS} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
