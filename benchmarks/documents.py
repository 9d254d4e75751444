"""`make bench` (documents): the contract PDF against WeasyPrint alone, and the download of
the stored signed PDF against serving the same file as a static file.

- Contract PDF: `render_pdf` (queries + template + WeasyPrint) versus `html_to_pdf` on the
  very same final HTML, interleaved so both see the same machine state. Target: ≤ 1.3×.
- Download: the scoped, hash-checked, recorded download versus django.views.static.serve of
  the same file, both through the full middleware stack as a logged-in partner.
Figures are medians; ratios compare within this run. JSON goes to benchmarks/results/.
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cej.settings")
os.environ.setdefault("SECRET_KEY", "benchmarks-only")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

PDF_ROUNDS = int(os.environ.get("BENCH_PDF_ROUNDS", "5"))
DOWNLOAD_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
RESULTS = Path(__file__).resolve().parent / "results"


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def bench_contract_pdf(contract):
    from cej.contract_document import contract_document_context
    from cej.pdf import html_to_pdf, render_html, render_pdf

    template = "cej/pdf/contract.html"
    html = render_html(template, contract_document_context(contract))
    render_pdf(template, contract_document_context(contract))  # warm fonts and imports
    full, raw = [], []
    for _ in range(PDF_ROUNDS):
        full.append(timed(lambda: render_pdf(template, contract_document_context(contract)))[0])
        raw.append(timed(lambda: html_to_pdf(html))[0])
    archival = timed(lambda: html_to_pdf(html, archival=True))
    return {
        "application_median_s": statistics.median(full),
        "weasyprint_alone_median_s": statistics.median(raw),
        "ratio": statistics.median(full) / statistics.median(raw),
        "archival_render_s": archival[0],
        "pdf_bytes": len(archival[1]),
        "html_chars": len(html),
    }


def bench_seal(pdf_bytes):
    from cej.sealing import seal_pdf

    seconds, sealed = timed(lambda: seal_pdf(pdf_bytes, reason="banc d'essai", location="ici"))
    return seconds, len(sealed)


def body(response) -> bytes:
    if response.streaming:
        content = b"".join(response.streaming_content)
        response.close()
        return content
    return response.content


def measure(client, url, rounds=DOWNLOAD_ROUNDS):
    """Median time to get the whole body; the bytes must be the same on every route."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    expected = body(response)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        content = body(client.get(url))
        timings.append(time.perf_counter() - start)
    assert content == expected
    return statistics.median(timings), expected


def main():
    from cej.demo.loire import DEMO_SLUG, load_loire_demo, seal_demo_documents
    from cej.models import Document, DocumentDownload, DocumentKind
    from cej.sealing import create_development_certificate

    setup_test_environment()
    workdir = Path(tempfile.mkdtemp(prefix="cej-bench-"))
    create_development_certificate(
        workdir / "cert.pem", workdir / "key.pem", common_name="Sceau du banc d'essai"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            ROOT_URLCONF="benchmarks.urls",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            SEAL_CERTIFICATE_PATH=str(workdir / "cert.pem"),
            SEAL_KEY_PATH=str(workdir / "key.pem"),
            SEAL_KEY_PASSPHRASE="",
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": workdir / "private", "base_url": None},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ):
            demo = load_loire_demo(with_accounts=True)
            contract = demo.contract
            pdf = bench_contract_pdf(contract)
            seal_seconds = timed(lambda: seal_demo_documents(contract))[0]
            document = Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT)
            client = Client()
            assert client.login(username="partner-caf", password="demo")
            routes = {
                "static file (floor)": f"/__static__/{document.file.name}",
                "document download": f"/contracts/{DEMO_SLUG}/documents/{document.pk}/download/",
                "contract.pdf (signed)": f"/contracts/{DEMO_SLUG}/contract.pdf",
            }
            downloads, served = {}, set()
            for name, url in routes.items():
                downloads[name], content = measure(client, url)
                served.add(content)
            assert len(served) == 1, "every route must serve the same stored bytes"
            recorded = DocumentDownload.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print("\nContract PDF (Loire 2014–2017)")
    application, alone = pdf["application_median_s"], pdf["weasyprint_alone_median_s"]
    print(f"  application (queries + template + WeasyPrint): {application:.2f} s")
    print(f"  WeasyPrint alone on the same HTML:              {alone:.2f} s")
    print(f"  ratio: {pdf['ratio']:.3f}× (target ≤ 1.3×), median of {PDF_ROUNDS}")
    print(f"  PDF/A-3b render: {pdf['archival_render_s']:.2f} s, {pdf['pdf_bytes']:,} bytes")
    print(f"  sealing the demo documents (contract + annex convention): {seal_seconds:.2f} s")
    floor = downloads["static file (floor)"]
    print(f"\n{'download':<24}{'median ms':>11}{'× static':>10}")
    for name, median in downloads.items():
        print(f"{name:<24}{median * 1000:>11.2f}{median / floor:>10.2f}")
    print(f"  ({document.size:,} bytes; {recorded} downloads recorded; {DOWNLOAD_ROUNDS} rounds)")
    print(f"database: {connection.vendor}, Python {platform.python_version()}")

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "date": stamp,
        "database": connection.vendor,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "contract_pdf": {k: round(v, 4) if isinstance(v, float) else v for k, v in pdf.items()},
        "seal_demo_documents_s": round(seal_seconds, 3),
        "downloads_ms": {k: round(v * 1000, 3) for k, v in downloads.items()},
        "download_ratio_to_static": round(downloads["document download"] / floor, 2),
    }
    (RESULTS / f"documents-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(payload, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
