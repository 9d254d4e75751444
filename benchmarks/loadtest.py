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
3. starts gunicorn (`config.wsgi`, sync workers) on a free loopback port with production
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

The parts: benchmarks/loadtest_prepare.py (database, management commands, static files,
targets), loadtest_processes.py (gunicorn and locust started, warmed up, stopped; CPU),
loadtest_report.py (figures, table, JSON); the options and the run are here.
"""

import argparse
import json
import math
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.loadtest_common import BIN, ROOT, WORK, SetupError, tail
from benchmarks.loadtest_prepare import collect_targets, prepare, server_env
from benchmarks.loadtest_processes import (
    CpuWatch,
    busy_pct,
    children_cpu,
    free_port,
    machine_cpu,
    start,
    stop,
    wait_until_up,
    warm_up,
)
from benchmarks.loadtest_report import (
    figures,
    login_figures,
    print_cpu,
    print_failures,
    print_table,
    read_csv,
    starting_figures,
    write_results,
)

LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cej_loadtest"
P95_TARGET_MS = 200


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
                "config.wsgi",
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
    print_failures(ramp_errors, outcome["failures"])
    cpu = outcome["cpu"]
    print_cpu(cpu)
    problems = []
    failures = total["failures"] + ramp_failures
    if failures:
        problems.append(f"{failures} requête{'s' if failures > 1 else ''} en échec")
    measured_s = outcome["measured_s"]
    if measured_s < args.duration - 1:
        problems.append(f"mesure écourtée à {measured_s:.0f} s (connexions trop lentes)")
    if total["p95_ms"] > P95_TARGET_MS:
        problems.append(f"p95 de {total['p95_ms']:.0f} ms > {P95_TARGET_MS} ms")
    wall_s = time.perf_counter() - wall
    result_path = write_results(
        {
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
        }
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
