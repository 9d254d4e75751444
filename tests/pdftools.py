"""poppler's command-line tools, to check PDFs as a reader sees them: text (pdftotext), fonts
(pdffonts), metadata (pdfinfo), signatures (pdfsig). Missing tools skip the test with the
reason on a developer's machine and fail it in CI (CI=true), where a skip would hide a gap.
`.ci/run` installs poppler-utils."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is missing: apt-get install poppler-utils"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run(tool: str, pdf: bytes, *args: str) -> subprocess.CompletedProcess:
    executable = require(tool)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            [executable, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            timeout=60,
        )


def pdf_text(pdf: bytes) -> str:
    result = _run("pdftotext", pdf, "-layout", "-enc", "UTF-8")
    assert result.returncode == 0, result.stderr
    return result.stdout


def pdf_info(pdf: bytes) -> dict[str, str]:
    result = _run("pdfinfo", pdf)
    assert result.returncode == 0, result.stderr
    info = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """One dict per font: name, type, emb (yes/no)."""
    result = _run("pdffonts", pdf)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [type…] encoding emb sub uni object-id generation
        fonts.append({"name": parts[0], "emb": parts[-5], "line": line})
    return fonts


def pdf_signatures(pdf: bytes) -> subprocess.CompletedProcess:
    return _run("pdfsig", pdf)


def pdf_catalog(pdf: bytes) -> tuple[str | None, bytes]:
    """The document catalog's language (/Lang) and its XMP metadata, decompressed (PDF/A
    identification lives there), read with pyHanko's parser."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    root = PdfFileReader(BytesIO(pdf)).root
    lang = root.get("/Lang")
    metadata = root["/Metadata"].get_object().data if "/Metadata" in root else b""
    return (str(lang) if lang is not None else None), metadata


def build_pdf(*, catalog: bytes = b"", page: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with a classic cross-reference table. Objects 1–3 are the catalog, the
    page tree and the page; `extra` are objects 4, 5, …; `catalog` and `page` add entries."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b">>",
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def minimal_pdf() -> bytes:
    """The smallest well-formed PDF a reader opens: one empty A4 page, with its xref table."""
    return build_pdf()
