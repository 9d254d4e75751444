"""Documents benchmark: the contract PDF against WeasyPrint alone, and the download of the
stored signed PDF against serving the same file as a static file.

- Contract PDF: `render_pdf` (queries + template + WeasyPrint) versus `html_to_pdf` on the
  very same final HTML, interleaved so both see the same machine state. Target: ≤ 1.3×.
- Download: the scoped, hash-checked, recorded download versus django.views.static.serve of
  the same file, both through the full middleware stack as a logged-in partner (for
  information: no target).

`make bench` runs these at scale from `benchmarks/__main__.py`; `python -m
benchmarks.documents` runs them alone on the Loire demo. Figures are medians; ratios compare
within this run."""

import gc
import os
import statistics
import sys

from django.db import connection

from benchmarks.environment import bench_database, machine, stamp, timed, write_results
from benchmarks.pages import logged_in

PDF_ROUNDS = int(os.environ.get("BENCH_PDF_ROUNDS", "7"))
TARGETS = {"pdf_ratio": 1.3}


def bench_contract_pdf(contract, rounds: int = PDF_ROUNDS) -> dict:
    from cej.pdf import html_to_pdf, render_html, render_pdf
    from pilotage.selectors import contract_document

    template = "pilotage/pdf/contract.html"
    html = render_html(template, contract_document(contract))
    render_pdf(template, contract_document(contract))  # warm fonts and imports
    full, raw = [], []

    def application():
        return render_pdf(template, contract_document(contract))

    def alone():
        return html_to_pdf(html)

    # Interleaved, the order swapped every round and the garbage collected before each
    # render, so that neither side always pays for the other's leftovers.
    for round_ in range(rounds):
        pairs = [(full, application), (raw, alone)]
        for timings, function in pairs if round_ % 2 == 0 else reversed(pairs):
            gc.collect()
            timings.append(timed(function)[0])
    archival = timed(lambda: html_to_pdf(html, archival=True))
    return {
        "application_median_s": round(statistics.median(full), 3),
        "weasyprint_alone_median_s": round(statistics.median(raw), 3),
        "ratio": round(statistics.median(full) / statistics.median(raw), 3),
        "archival_render_s": round(archival[0], 3),
        "pdf_bytes": len(archival[1]),
        "html_chars": len(html),
        "rounds": rounds,
    }


def _body(response) -> bytes:
    if response.streaming:
        content = b"".join(response.streaming_content)
        response.close()
        return content
    return response.content


def _median_download(client, url, rounds):
    """Median time to get the whole body; the bytes must be the same on every round."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    expected = _body(response)
    timings = []
    for _ in range(rounds):
        seconds, content = timed(lambda: _body(client.get(url)))
        timings.append(seconds)
    assert content == expected
    return statistics.median(timings), expected


def bench_downloads(contract, rounds: int) -> dict:
    """The sealed signed contract of `contract` (see `seal_demo_documents`), downloaded by
    the CAF's demo partner user three ways."""
    from django.contrib.auth import get_user_model

    from cej.models import Document, DocumentDownload, DocumentKind

    document = Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)
    client = logged_in(get_user_model().objects.get(username="partner-caf"))
    routes = {
        "static file (floor)": f"/__static__/{document.file.name}",
        "document download": f"/contracts/{contract.slug}/documents/{document.pk}/download/",
        "contract.pdf (signed)": f"/contracts/{contract.slug}/contract.pdf",
    }
    medians, served = {}, set()
    for name, url in routes.items():
        medians[name], content = _median_download(client, url, rounds)
        served.add(content)
    assert len(served) == 1, "every route must serve the same stored bytes"
    floor = medians["static file (floor)"]
    return {
        "median_ms": {name: round(median * 1000, 3) for name, median in medians.items()},
        "ratio_to_static": {name: round(median / floor, 2) for name, median in medians.items()},
        "bytes": document.size,
        "downloads_recorded": DocumentDownload.objects.count(),
        "rounds": rounds,
    }


def print_documents(pdf: dict, downloads: dict) -> None:
    application, alone = pdf["application_median_s"], pdf["weasyprint_alone_median_s"]
    print("\nContract PDF (Loire 2014–2017)")
    print(f"  application (queries + template + WeasyPrint): {application:.2f} s")
    print(f"  WeasyPrint alone on the same HTML:              {alone:.2f} s")
    print(f"  ratio: {pdf['ratio']:.3f}× (target ≤ 1.3×), median of {pdf['rounds']}")
    print(f"  PDF/A-3b render: {pdf['archival_render_s']:.2f} s, {pdf['pdf_bytes']:,} bytes")
    print(f"\n{'download':<24}{'median ms':>11}{'× static':>10}")
    for name, median in downloads["median_ms"].items():
        print(f"{name:<24}{median:>11.2f}{downloads['ratio_to_static'][name]:>10.2f}")
    print(
        f"  ({downloads['bytes']:,} bytes; {downloads['downloads_recorded']} downloads "
        f"recorded; {downloads['rounds']} rounds)"
    )


def main() -> int:
    from demo.loire import load_loire_demo, seal_demo_documents

    rounds = int(os.environ.get("BENCH_ROUNDS", "30"))
    with bench_database():
        contract = load_loire_demo(with_accounts=True).contract
        pdf = bench_contract_pdf(contract)
        seal_seconds = timed(lambda: seal_demo_documents(contract))[0]
        downloads = bench_downloads(contract, rounds)
    print_documents(pdf, downloads)
    print(f"  sealing the demo documents (contract + annex convention): {seal_seconds:.2f} s")
    print(f"database: {connection.vendor}")
    write_results(
        "documents",
        {
            "date": stamp(),
            "database": connection.vendor,
            "machine": machine(),
            "contract_pdf": pdf,
            "seal_demo_documents_s": round(seal_seconds, 3),
            "downloads": downloads,
            "targets": TARGETS,
        },
    )
    return 0 if pdf["ratio"] <= TARGETS["pdf_ratio"] else 1


if __name__ == "__main__":
    sys.exit(main())
