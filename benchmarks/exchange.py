"""Budget exchange benchmark (issue 4), on a throw-away test database:

- XLSX export of one contract holding 50 000 budget lines (three contributions and one
  commitment each; two other contracts add 10 000 lines around it), against tablib alone
  writing the same rows to XLSX, in the same run: target ratio ≤ 1,5 ×;
- the export's peak memory: the process's peak resident memory during the export (Linux
  /proc, its high-water mark reset just before; it includes the data set up before), target
  < 300 Mo; and, for information, the peak of Python allocations traced by tracemalloc;
- the import of 10 000 rows (XLSX and CSV): upload through the real view, parse, full
  validation, comparison with the stored lines and the rendered preview page: target < 30 s.

`main()` prints a table and stores the figures in benchmarks/results/ as JSON. It creates
and destroys its own test database, so it can run alone (`python -m benchmarks.exchange`)
or after the pages benchmark in the same process."""

import csv
import gc
import io
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cej.settings")
os.environ.setdefault("SECRET_KEY", "benchmarks-only")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

EXPORT_LINES = 50_000
OTHER_LINES = 5_000  # in each of two other contracts
IMPORT_ROWS = 10_000
YEARS = (2014, 2015, 2016, 2017)
POSTS = 50
RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"ratio": 1.5, "peak_mb": 300, "import_s": 30}


def _contract(index: int, lines: int, territory, partners, posts):
    """A contract of `lines` lines: every (year, poste, fiche) until the count is reached."""
    from cej.models import Contract, ContractParty, ContractStatus
    from fiches.models import Fiche, Objective
    from financing.models import BudgetLine, Contribution, ExecutionEntry

    contract = Contract.objects.create(
        territory=territory,
        slug=f"bench-{index}",
        title=f"Contrat de mesure n° {index}",
        start_year=YEARS[0],
        end_year=YEARS[-1],
        annual_envelope=Decimal("9000000000.00"),
        status=ContractStatus.SIGNED,
        signed_on=date(2014, 10, 1),
    )
    for order, partner in enumerate(partners, start=1):
        ContractParty.objects.create(contract=contract, partner=partner, order=order)
    objective = Objective.objects.create(contract=contract, number=1, title="Objectif")
    per_year_and_post = -(-lines // (len(YEARS) * len(posts)))  # ceiling
    fiches = Fiche.objects.bulk_create(
        Fiche(contract=contract, objective=objective, number=n, title=f"Fiche de mesure {n}")
        for n in range(1, per_year_and_post + 1)
    )
    keys = [(y, p, f) for y in YEARS for p in posts for f in fiches][:lines]
    created = BudgetLine.objects.bulk_create(
        (
            BudgetLine(
                contract=contract,
                year=year,
                post=post,
                fiche=fiche,
                label=f"Action {fiche.number} — {post.label}",
                amount=Decimal("1000.00") + fiche.number,
            )
            for year, post, fiche in keys
        ),
        batch_size=2000,
    )
    shares = (Decimal("0.40"), Decimal("0.50"))
    Contribution.objects.bulk_create(
        (
            Contribution(line=line, partner=partner, amount=amount)
            for line in created
            for partner, amount in zip(
                partners,
                _split(line.amount, shares),
                strict=True,
            )
        ),
        batch_size=5000,
    )
    ExecutionEntry.objects.bulk_create(
        (
            ExecutionEntry(line=line, kind="commitment", date=date(line.year, 3, 1), amount=500)
            for line in created
        ),
        batch_size=5000,
    )
    return contract


def _split(amount: Decimal, shares) -> list[Decimal]:
    parts = [(amount * share).quantize(Decimal("0.01")) for share in shares]
    return [*parts, amount - sum(parts)]


def _populate():
    from cej.models import Territory
    from financing.models import BudgetPost, Instrument
    from partners.models import Partner, PartnerKind

    territory = Territory.objects.create(name="Territoire de mesure", code="99")
    partners = [
        Partner.objects.create(
            name=f"{name} de mesure",
            short_name=name,
            slug=f"bench-{name.lower()}",
            kind=kind,
            siret=siret,
        )
        for name, kind, siret in [
            ("CG", PartnerKind.CONSEIL_GENERAL, "22429900800017"),
            ("CAF", PartnerKind.CAF, "77989900400013"),
            ("MSA", PartnerKind.MSA, "77999900200016"),
        ]
    ]
    posts = BudgetPost.objects.bulk_create(
        BudgetPost(code=f"poste-{n:02d}", label=f"Poste {n}", instrument=Instrument.CEJ, order=n)
        for n in range(1, POSTS + 1)
    )
    exported = _contract(1, EXPORT_LINES, territory, partners, posts)
    imported = _contract(2, IMPORT_ROWS, territory, partners, posts)
    _contract(3, OTHER_LINES, territory, partners, posts)
    return territory, exported, imported


def _rss_mb(field: str) -> float | None:
    """`VmRSS` (now) or `VmHWM` (peak) of this process, from Linux's /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Make VmHWM start again from the current RSS (Linux ≥ 4.0), so that the peak read
    after the export is the export's, not the data set-up's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _measure_export(contract) -> dict:
    import tablib

    from financing.exports import build_xlsx
    from financing.resources import BudgetLineResource

    gc.collect()
    baseline = _rss_mb("VmRSS")
    peak_known = _reset_peak_rss()
    start = time.perf_counter()
    content = build_xlsx(contract)
    ours = time.perf_counter() - start
    peak_rss = _rss_mb("VmHWM") if peak_known else None

    layout = BudgetLineResource(contract=contract)
    rows = list(layout.rows())
    assert len(rows) == EXPORT_LINES, len(rows)
    headers = layout.headers()
    start = time.perf_counter()
    tablib.Dataset(*rows, headers=headers).export("xlsx")
    alone = time.perf_counter() - start
    del rows
    gc.collect()

    tracemalloc.start()
    build_xlsx(contract)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "lines": EXPORT_LINES,
        "xlsx_s": round(ours, 2),
        "tablib_s": round(alone, 2),
        "ratio": round(ours / alone, 2),
        "traced_peak_mb": round(peak / 1024 / 1024, 1),
        "rss_before_mb": baseline,
        "rss_peak_mb": peak_rss,
        "size_kb": len(content) // 1024,
    }


def _corrected(contract, extension: str) -> bytes:
    """The contract's export with one row in ten raised by 100 € (on its first
    contribution), and the rest unchanged."""
    import openpyxl

    from financing.exports import build_csv, build_xlsx

    if extension == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(contract)))
        sheet = workbook["Lignes budgétaires"]
        for row in range(2, sheet.max_row + 1, 10):
            sheet.cell(row, 8).value += 100
            sheet.cell(row, 9).value += 100
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    text = build_csv(contract).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    for row in rows[1::10]:
        for column in (7, 8):
            row[column] = str(Decimal(row[column].replace(",", ".")) + 100).replace(".", ",")
    output = io.StringIO()
    csv.writer(output, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + output.getvalue()).encode()


def _measure_import(contract, territory) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cej import roles

    user = get_user_model().objects.create(username="bench-finance")
    user.groups.set([roles.sync_groups()[roles.FINANCE_OFFICER]])
    territory.staff.add(user)
    client = Client()
    client.force_login(user)
    url = f"/contracts/{contract.slug}/budget/import/"
    results = {"rows": IMPORT_ROWS}
    for extension in ("xlsx", "csv"):
        content = _corrected(contract, extension)
        start = time.perf_counter()
        response = client.post(url, {"file": SimpleUploadedFile(f"b.{extension}", content)})
        elapsed = time.perf_counter() - start
        html = response.content.decode()
        assert response.status_code == 200, response.status_code
        assert "Confirmer et enregistrer 1" in html, html[:2000]  # 1 000 rows changed
        results[f"{extension}_s"] = round(elapsed, 2)
        results[f"{extension}_kb"] = len(content) // 1024
    return results


def main():
    from django.test.utils import setup_test_environment, teardown_test_environment

    RESULTS.mkdir(exist_ok=True)
    own_environment = False
    try:
        setup_test_environment()
        own_environment = True
    except RuntimeError:  # already set up by the pages benchmark in this process
        pass
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    started = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory() as private,
            override_settings(
                PRIVATE_STORAGE_ROOT=private,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                STORAGES={
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
            ),
        ):
            territory, exported, imported = _populate()
            populated = time.perf_counter() - started
            export = _measure_export(exported)
            imports = _measure_import(imported, territory)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if own_environment:
            teardown_test_environment()
    total = time.perf_counter() - started

    def verdict(ok):
        return "ok" if ok else "MISSED"

    print(f"\n{'budget exchange':<44}{'measured':>12}{'target':>12}")
    rows = [
        (f"XLSX export, {EXPORT_LINES:,} lines (s)", export["xlsx_s"], "", ""),
        ("tablib alone, same rows (s)", export["tablib_s"], "", ""),
        ("export ÷ tablib", export["ratio"], "≤ 1.5", export["ratio"] <= TARGETS["ratio"]),
        (
            "export: Python allocations, peak (MB)",
            export["traced_peak_mb"],
            "",
            "",
        ),
        (
            "export: process RSS before → peak (MB)",
            f"{export['rss_before_mb']} → {export['rss_peak_mb']}",
            "< 300",
            export["rss_peak_mb"] is None or export["rss_peak_mb"] < TARGETS["peak_mb"],
        ),
        (
            f"import {IMPORT_ROWS:,} rows, XLSX → preview (s)",
            imports["xlsx_s"],
            "< 30",
            imports["xlsx_s"] < TARGETS["import_s"],
        ),
        (
            f"import {IMPORT_ROWS:,} rows, CSV → preview (s)",
            imports["csv_s"],
            "< 30",
            imports["csv_s"] < TARGETS["import_s"],
        ),
    ]
    for label, value, target, ok in rows:
        mark = "" if ok == "" else verdict(ok)
        print(f"{label:<44}{value:>12}{target:>12}  {mark}")
    print(
        f"\ndatabase: {connection.vendor}, Python {platform.python_version()}, "
        f"data set-up {populated:.1f} s, whole run {total:.1f} s"
    )

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "date": stamp,
        "database": connection.vendor,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "export": export,
        "import": imports,
        "targets": TARGETS,
    }
    (RESULTS / f"exchange-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(payload, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
