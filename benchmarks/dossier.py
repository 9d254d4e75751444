"""Auditor's dossier benchmark: the dossier de contrôle of the largest generated contract
(the most budget lines, so the longest histories and tables), built as the page streams it
and written to a file. Targets: under 10 s, and under 150 MB more resident memory than
before it (the kernel's high-water mark, reset just before: `PeakMemory.reset`). Then, for
information and untimed, the file checked back with `verify_dossier` (manifest and seals).

`make bench` runs it at scale from `benchmarks/__main__.py`; `python -m benchmarks.dossier`
runs it alone: the Loire demo sealed, the scale data (BENCH_TERRITORIES and BENCH_CONTRACTS
shrink it), then the dossier."""

import gc
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from benchmarks.environment import (
    PeakMemory,
    bench_database,
    machine,
    rss_mb,
    stamp,
    write_results,
)

TARGETS = {"seconds": 10.0, "peak_mb": 150.0}


def largest_contract():
    from django.db.models import Count

    from cej.models import Contract

    return (
        Contract.objects.filter(slug__startswith="scale-")
        .annotate(lines=Count("budget_lines"))
        .select_related("territory")
        .order_by("-lines", "slug")
        .first()
    )


def coordinator_of(contract):
    from django.contrib.auth import get_user_model

    from cej import roles

    return (
        get_user_model()
        .objects.filter(territories=contract.territory, groups__name=roles.CDAJE_COORDINATOR)
        .order_by("username")
        .first()
    )


def bench_dossier(contract=None) -> dict:
    from dossier.build import Dossier, check_documents
    from dossier.verify import verify_dossier
    from financing.models import BudgetLineVersion

    contract = contract or largest_contract()
    user = coordinator_of(contract)
    with tempfile.TemporaryDirectory(prefix="cej-dossier-") as folder:
        path = Path(folder) / "dossier.zip"
        gc.collect()
        peak_known = PeakMemory.reset()
        before = rss_mb("VmRSS")
        start = time.perf_counter()
        check_documents(contract)  # what the page does before its first byte
        dossier = Dossier(contract, user=user)
        with open(path, "wb") as handle:
            for chunk in dossier.stream():
                handle.write(chunk)
        seconds = time.perf_counter() - start
        peak = rss_mb("VmHWM") if peak_known else None
        report = verify_dossier(path)
    return {
        "slug": contract.slug,
        "user": user.username if user else None,
        "budget_line_versions": BudgetLineVersion.objects.filter(contract=contract).count(),
        "files": len(dossier.written),
        "bytes": dossier.size,
        "seconds": round(seconds, 2),
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_increase_mb": round(peak - before, 1) if peak and before else None,
        "largest_held_bytes": dossier.largest_held,
        "verified": not report.problems,
        "verify_problems": report.problems[:5],
    }


def dossier_rows(results: dict) -> list:
    increase = results["rss_increase_mb"]
    return [
        (
            f"dossier of {results['slug']} (s)",
            results["seconds"],
            f"< {TARGETS['seconds']:g}",
            results["seconds"] < TARGETS["seconds"],
        ),
        (
            "dossier: resident memory increase (MB)",
            increase,
            f"< {TARGETS['peak_mb']:g}",
            None if increase is None else increase < TARGETS["peak_mb"],
        ),
        ("dossier: files, MB", f"{results['files']}, {results['bytes'] / 1e6:.1f}", "", None),
        (
            "dossier: most bytes held by the writer (KB)",
            results["largest_held_bytes"] // 1024,
            "",
            None,
        ),
        (
            "dossier read back by verify_dossier",
            "OK" if results["verified"] else "KO",
            "OK",
            results["verified"],
        ),
    ]


def main() -> int:
    from benchmarks.__main__ import scale_arguments
    from benchmarks.exchange import print_rows
    from demo.loire import load_loire_demo, seal_demo_documents
    from demo.scale import generate_scale_data

    started = time.perf_counter()
    arguments = scale_arguments()
    with bench_database():
        contract = load_loire_demo(with_accounts=True).contract
        seal_demo_documents(contract)
        generate_scale_data(**arguments)
        results = bench_dossier()
    rows = dossier_rows(results)
    print_rows(f"auditor's dossier ({results['slug']})", rows)
    if arguments:
        print(f"NOTE: scale data shrunk to {arguments}, not the full scale of the targets")
    print(f"database: {connection.vendor}, whole run {time.perf_counter() - started:.1f} s")
    write_results(
        "dossier",
        {
            "date": stamp(),
            "machine": machine(),
            "scale": arguments,
            "dossier": results,
            "targets": TARGETS,
        },
    )
    return 0 if all(met is not False for *_rest, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
