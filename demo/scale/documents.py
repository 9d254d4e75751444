"""Each signed contract's scanned original (a small PDF written by hand, stored the way
document_store stores files) and its downloads by the partners' accounts."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cej.dates import format_date_long
from cej.models import Document, DocumentDownload, DocumentKind
from demo.scale.core import AS_OF, moment_of, random_days, spread_days
from demo.scale.state import ContractPlan, TerritoryState


def create_originals(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """Each contract signed on paper gets its scanned original, stored as document_store
    stores files (private storage, name carrying the hash, SHA-256 and size recorded) —
    without its per-document validation and log line, which would dominate here."""
    rng = state.rng
    documents = []
    for plan in plans:
        contract = plan.contract
        if not contract.signed_on:
            continue
        content = scanned_original_pdf(
            contract=contract, dep=state.dep, signatories=state.signatories
        )
        digest = hashlib.sha256(content).hexdigest()
        deposited = min(contract.signed_on + random_days(rng, 7, 45), AS_OF)
        stem = f"{contract.slug}-original-signe"
        name = default_storage.save(
            f"documents/{contract.slug}/{deposited:%Y}/{stem}-{digest[:12]}.pdf",
            ContentFile(content),
        )
        state.stored_files.append(name)
        documents.append(
            Document(
                contract=contract,
                kind=DocumentKind.SCANNED_ORIGINAL,
                title=f"{contract.title} — original signé numérisé",
                dated=contract.signed_on,
                file=name,
                original_filename=f"{stem}.pdf",
                sha256=digest,
                size=len(content),
                created_by=state.users["cdaje"],
                created_at=moment_of(deposited, rng),
            )
        )
    Document.objects.bulk_create(documents)
    state.counts.documents += len(documents)
    downloads = []
    for document in documents:
        readers = rng.sample(state.partner_users, rng.randint(0, len(state.partner_users)))
        for user, day in zip(
            readers,
            spread_days(rng, len(readers), document.created_at.date(), AS_OF),
            strict=True,
        ):
            moment = max(moment_of(day, rng), document.created_at + datetime.timedelta(hours=1))
            downloads.append(
                DocumentDownload(
                    document=document, user=user, username=user.username, downloaded_at=moment
                )
            )
    DocumentDownload.objects.bulk_create(downloads)
    state.counts.downloads += len(downloads)


# -- a one-page PDF, written by hand --------------------------------------------------------


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (the French accents of Helvetica)."""
    raw = value.replace("\u202f", " ").replace("\u00a0", " ").encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_info_text(value: str) -> bytes:
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def scanned_original_pdf(*, contract, dep, signatories) -> bytes:
    """A small, valid one-page PDF standing for the scan of a signed original: the contract's
    title, parties, signatories and signature, so each contract's file (and hash) is its own.
    Written by hand: rendering hundreds of contracts with WeasyPrint would take minutes."""
    lines = [
        "Copie numérisée de l'original signé — données illustratives",
        "",
        f"Territoire : {dep.name} ({dep.code})",
        f"Période : {contract.period_label}",
        f"Signé à {contract.signing_place} le {format_date_long(contract.signed_on)}",
        "",
        "Signataires :",
        *[f"    {s.full_name}, {s.function}" for s in signatories],
        "",
        f"Référence : {contract.slug}",
        "Généré par generate_scale_data pour les essais de charge.",
    ]
    stream = b"BT /F1 15 Tf 56 780 Td " + _pdf_text(contract.title) + b" Tj ET\n"
    stream += b"BT /F1 10 Tf 14 TL 56 750 Td"
    for line in lines:
        stream += b" " + _pdf_text(line) + b" Tj T*"
    stream += b" ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Title "
        + _pdf_info_text(contract.title)
        + b" /Producer "
        + _pdf_info_text("CEJ Loire — generate_scale_data")
        + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().encode()
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R /ID [<%s> <%s>] >>\n"
        % (len(objects) + 1, file_id, file_id)
        + b"startxref\n%d\n%%%%EOF\n" % xref
    )
    return bytes(out)
