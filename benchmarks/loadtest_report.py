"""`make loadtest`, the report: locust's CSV and the locustfile's samples turned into figures
(count, failures, median, p95, max, requests per second), the table printed, the failures and
the CPU used, and the JSON written to benchmarks/results/. See benchmarks/loadtest.py."""

import csv
import json
import math
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.loadtest_common import ROOT

RESULTS = ROOT / "benchmarks" / "results"
LOGIN = "POST /accounts/login/"
# Above this share of the CPU used by others before the run, its figures are not comparable.
BUSY_WARNING_PCT = 25


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


def print_failures(ramp_errors: dict, failures: list[dict]) -> None:
    """The failed requests: while users were logging in (the locustfile's samples), then
    during the measure (locust's CSV)."""
    for name, errors in ramp_errors.items():
        for error, count in errors.items():
            print(f"  échec pendant les connexions : {name} — {error} (×{count})")
    for failure in failures:
        print(
            f"  échec : {failure['Method']} {failure['Name']} — {failure['Error']} "
            f"(×{failure['Occurrences']})"
        )


def print_cpu(cpu: dict) -> None:
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


def write_results(fields: dict) -> Path:
    """benchmarks/results/loadtest-<date>.json (git-ignored): the date and the machine, then
    `fields`, in their order."""
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
                **fields,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return result_path
