"""Budget exchange benchmark (issue 4), on a throw-away test database:

- XLSX export of one contract holding 50 000 budget lines (each with its financing plan:
  other receipts, the three forecast shares the contract's funding terms give it, the actual
  figures declared for 2014–2016 — whose plan the export computes —, and one commitment;
  two other contracts add 10 000 lines around it), against tablib alone writing the same
  rows to XLSX, in the same run: target ratio ≤ 1,5 ×;
- the export's peak memory: the process's peak resident memory during the export (Linux
  /proc, its high-water mark reset just before; it includes the data set up before), target
  < 300 Mo; and, for information with BENCH_TRACEMALLOC=1, the peak of Python allocations
  traced by tracemalloc;
- the import of 10 000 rows (XLSX and CSV): upload through the real view, parse, full
  validation, comparison with the stored lines and the rendered preview page: target < 30 s.

`make bench` runs `bench_exchange()` on top of the scale data (`benchmarks/__main__.py`);
`python -m benchmarks.exchange` runs it alone on an otherwise empty test database, prints a
table and stores the figures in benchmarks/results/ as JSON."""

import csv
import gc
import io
import os
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test import Client

from benchmarks.environment import (
    PeakMemory,
    bench_database,
    machine,
    rss_mb,
    stamp,
    timed,
    write_results,
)

EXPORT_LINES = 50_000
OTHER_LINES = 5_000  # in each of two other contracts
IMPORT_ROWS = 10_000
YEARS = (2014, 2015, 2016, 2017)
POSTS = 50
TARGETS = {"ratio": 1.5, "peak_mb": 300, "import_s": 30}
TRACEMALLOC = os.environ.get("BENCH_TRACEMALLOC") == "1"


# The CAF's and the MSA's terms: share of the net cost, rate new / continued, ceiling.
TERMS = {
    "CAF": ("90", "55", "60", "100000"),
    "MSA": ("10", "55", "60", "100000"),
}


def _contract(index: int, lines: int, territory, partners, posts, *, signed=True):
    """A contract of `lines` lines: every (year, poste, fiche) until the count is reached.
    The first partner is the beneficiary, the others fund it on `TERMS`, set through the
    service while the contract is prepared; each line's forecast shares are what the
    services compute (`forecast_shares`), written in bulk; then it is signed, unless it is
    the one the import changes (a signed contract's lines change only through an avenant)."""
    from cej.models import Contract, ContractParty, ContractStatus, PartyRole
    from fiches.models import Fiche, Objective
    from financing.cycle_services import funding_terms_save
    from financing.models import BudgetLine, Contribution, ExecutionEntry, FundingTerms
    from financing.services import forecast_shares
    from financing.terms import contract_terms

    contract = Contract.objects.create(
        territory=territory,
        slug=f"bench-{index}",
        title=f"Contrat de mesure n° {index}",
        start_year=YEARS[0],
        end_year=YEARS[-1],
        annual_envelope=Decimal("9000000000.00"),
        status=ContractStatus.DRAFT,
    )
    for order, partner in enumerate(partners, start=1):
        role = PartyRole.BENEFICIARY if order == 1 else PartyRole.FUNDER
        ContractParty.objects.create(contract=contract, partner=partner, order=order, role=role)
    for partner in partners[1:]:
        share, rate_new, rate_continued, ceiling = map(Decimal, TERMS[partner.short_name])
        funding_terms_save(
            terms=FundingTerms(
                contract=contract,
                instrument="cej",
                funder=partner,
                share=share,
                rate_new=rate_new,
                rate_continued=rate_continued,
                ceiling=ceiling,
            )
        )
    terms = contract_terms(contract.pk)
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
                other_receipts=Decimal(fiche.number % 7 * 10),
                continued=fiche.number % 3 == 0,
                # The actual figures of the closed years: the export computes their plan.
                actual_expenses=(Decimal("950.00") + fiche.number) if year < YEARS[-1] else None,
                actual_receipts=Decimal(fiche.number % 5 * 10) if year < YEARS[-1] else None,
            )
            for year, post, fiche in keys
        ),
        batch_size=2000,
    )
    Contribution.objects.bulk_create(
        (
            Contribution(line=line, partner_id=partner_id, amount=amount)
            for line in created
            for partner_id, amount in forecast_shares(line, terms).items()
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
    if signed:
        Contract.objects.filter(pk=contract.pk).update(
            status=ContractStatus.SIGNED, signed_on=date(2014, 10, 1)
        )
        contract.refresh_from_db()
    return contract


def _populate():
    from cej.models import Territory
    from financing.models import BudgetPost, Instrument
    from partners.models import Partner, PartnerKind

    # Codes and slugs of their own: the scale data uses the départements' codes and
    # `scale-…` slugs, the demo `42`, `cg42`… and the posts `coordination`, `communication`.
    territory = Territory.objects.create(name="Territoire de mesure", code="BENCH")
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
        BudgetPost(
            code=f"bench-poste-{n:02d}", label=f"Poste {n}", instrument=Instrument.CEJ, order=n
        )
        for n in range(1, POSTS + 1)
    )
    exported = _contract(1, EXPORT_LINES, territory, partners, posts)
    imported = _contract(2, IMPORT_ROWS, territory, partners, posts, signed=False)
    _contract(3, OTHER_LINES, territory, partners, posts)
    return territory, exported, imported


def _measure_export(contract) -> dict:
    import tablib

    from financing.exports import build_xlsx
    from financing.resources import BudgetLineResource

    gc.collect()
    baseline = rss_mb("VmRSS")
    peak_known = PeakMemory.reset()
    start = time.perf_counter()
    content = build_xlsx(contract)
    ours = time.perf_counter() - start
    peak_rss = rss_mb("VmHWM") if peak_known else None

    layout = BudgetLineResource(contract=contract)
    rows = list(layout.rows())
    assert len(rows) == EXPORT_LINES, len(rows)
    headers = layout.headers()
    start = time.perf_counter()
    tablib.Dataset(*rows, headers=headers).export("xlsx")
    alone = time.perf_counter() - start
    del rows
    gc.collect()

    peak = None
    if TRACEMALLOC:  # tracing every allocation makes the export about five times slower
        tracemalloc.start()
        build_xlsx(contract)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "lines": EXPORT_LINES,
        "xlsx_s": round(ours, 2),
        "tablib_s": round(alone, 2),
        "ratio": round(ours / alone, 2),
        "traced_peak_mb": None if peak is None else round(peak / 1024 / 1024, 1),
        "rss_before_mb": baseline,
        "rss_peak_mb": peak_rss,
        "size_kb": len(content) // 1024,
    }


def _corrected(contract, extension: str) -> bytes:
    """The contract's export with one row in ten raised by 100 € (its planned amount) and
    50 € (its other receipts): its shares are recomputed in the preview. The rest is
    unchanged."""
    import openpyxl

    from financing.exports import build_csv, build_xlsx

    raised = {"Prévu (€)": 100, "Autres recettes prévues (€)": 50}
    if extension == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(contract)))
        sheet = workbook["Lignes budgétaires"]
        header = [cell.value for cell in sheet[1]]
        for row in range(2, sheet.max_row + 1, 10):
            for title, step in raised.items():
                sheet.cell(row, header.index(title) + 1).value += step
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    text = build_csv(contract).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    for row in rows[1::10]:
        for title, step in raised.items():
            column = rows[0].index(title)
            row[column] = str(Decimal(row[column].replace(",", ".")) + step).replace(".", ",")
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
    results = {"rows": IMPORT_ROWS, "rss_before_mb": rss_mb("VmRSS")}
    for extension in ("xlsx", "csv"):
        content = _corrected(contract, extension)
        gc.collect()
        peak_known = PeakMemory.reset()
        start = time.perf_counter()
        response = client.post(url, {"file": SimpleUploadedFile(f"b.{extension}", content)})
        elapsed = time.perf_counter() - start
        results[f"{extension}_rss_peak_mb"] = rss_mb("VmHWM") if peak_known else None
        html = response.content.decode()
        assert response.status_code == 200, response.status_code
        assert "Confirmer et enregistrer 1" in html, html[:2000]  # 1 000 rows changed
        results[f"{extension}_s"] = round(elapsed, 2)
        results[f"{extension}_kb"] = len(content) // 1024
    return results


def bench_exchange() -> dict:
    """Builds the three contracts, then measures the export and the import; call inside
    `bench_database()`."""
    PeakMemory.begin("exchange: set-up")
    populated, (territory, exported, imported) = timed(_populate)
    PeakMemory.begin("exchange: export and tablib")
    exporting, export = timed(lambda: _measure_export(exported))
    PeakMemory.begin("exchange: import")
    importing, imports = timed(lambda: _measure_import(imported, territory))
    return {
        "setup_s": round(populated, 1),
        "export": export,
        "import": imports,
        "steps_s": {"export": round(exporting, 1), "import": round(importing, 1)},
    }


def exchange_rows(results: dict) -> list[tuple[str, object, str, bool | None]]:
    """(label, measured, target, met — None when there is no target) for the tables."""
    export, imports = results["export"], results["import"]
    return [
        (f"XLSX export, {export['lines']:,} lines (s)", export["xlsx_s"], "", None),
        ("tablib alone, same rows (s)", export["tablib_s"], "", None),
        ("XLSX export ÷ tablib", export["ratio"], "≤ 1.5", export["ratio"] <= TARGETS["ratio"]),
        *(
            [("export: Python allocations, peak (MB)", export["traced_peak_mb"], "", None)]
            if export["traced_peak_mb"] is not None
            else []
        ),
        (
            "export: process RSS before → peak (MB)",
            f"{export['rss_before_mb']} → {export['rss_peak_mb']}",
            f"< {TARGETS['peak_mb']}",
            export["rss_peak_mb"] is None or export["rss_peak_mb"] < TARGETS["peak_mb"],
        ),
        (
            f"import {imports['rows']:,} rows, XLSX → preview (s)",
            imports["xlsx_s"],
            f"< {TARGETS['import_s']}",
            imports["xlsx_s"] < TARGETS["import_s"],
        ),
        (
            f"import {imports['rows']:,} rows, CSV → preview (s)",
            imports["csv_s"],
            f"< {TARGETS['import_s']}",
            imports["csv_s"] < TARGETS["import_s"],
        ),
        (
            "import: process RSS peak, XLSX / CSV (MB)",
            f"{imports['xlsx_rss_peak_mb']} / {imports['csv_rss_peak_mb']}",
            "",
            None,
        ),
    ]


def print_rows(title: str, rows) -> None:
    print(f"\n{title:<46}{'measured':>14}{'target':>9}")
    for label, value, target, met in rows:
        mark = "" if met is None else ("OK" if met else "KO")
        print(f"{label:<46}{value!s:>14}{target:>9}  {mark}")


def main() -> int:
    started = time.perf_counter()
    with bench_database():
        results = bench_exchange()
    rows = exchange_rows(results)
    print_rows("budget exchange", rows)
    print(
        f"\ndatabase: {connection.vendor}, data set-up {results['setup_s']} s, export "
        f"{results['steps_s']['export']} s, import {results['steps_s']['import']} s, "
        f"whole run {time.perf_counter() - started:.1f} s"
    )
    write_results(
        "exchange",
        {
            "date": stamp(),
            "database": connection.vendor,
            "machine": machine(),
            **results,
            "targets": TARGETS,
        },
    )
    return 0 if all(met is not False for *_, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
