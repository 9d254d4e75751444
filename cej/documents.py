"""Writes and guarded reads of stored documents.

A stored document's bytes never change: `document_store` records their SHA-256 and size, and
`document_download` re-reads the file, checks it against that hash and records who got it.
A mismatch (a file altered or replaced on disk) refuses the download and logs an error — the
partner must never receive a document that is not the one that was signed.
"""

import hashlib
import logging
import re
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

from cej.locking import lock_contract
from cej.models import Document, DocumentDownload, DownloadOutcome
from cej.money import format_number
from cej.page_cache import mark_contract_changed
from cej.pdf_safety import active_content

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


class DocumentUnavailable(Exception):
    """The stored file is missing or no longer matches its recorded SHA-256."""

    def __init__(self, message: str, outcome: str):
        super().__init__(message)
        self.outcome = outcome


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_sha256(name: str) -> str:
    """The SHA-256 of a stored file, read in chunks through the storage API (local disk or an
    S3 bucket alike). FileNotFoundError if there is no such file."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in handle.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def human_size(size: int) -> str:
    """« 182 Ko », « 3,4 Mo » (French units, decimal comma)."""
    if size < 1024:
        return _("%(n)s octets") % {"n": size}
    if size < 1024 * 1024:
        return _("%(n)s Ko") % {"n": format_number(Decimal(size) / 1024, decimals=0)}
    return _("%(n)s Mo") % {"n": format_number(Decimal(size) / 1024 / 1024, decimals=1)}


def document_store(
    *,
    contract,
    kind: str,
    title: str,
    content: bytes,
    filename: str,
    by=None,
    dated=None,
    sealed: bool = False,
    amendment=None,
    annex_convention=None,
) -> Document:
    """Store bytes as a new document of the contract. The file goes to private storage under a
    name that cannot collide (it carries the start of the hash); the row records the hash."""
    digest = sha256_of(content)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    if not re.fullmatch(r"[a-z0-9]{1,8}", extension):
        extension = "pdf"  # what every stored document is; a forged name cannot stretch it
    folder = f"documents/{contract.slug}/{timezone.now():%Y}/"
    suffix = f"-{digest[:12]}.{extension}"
    # The whole name fits the file column (a 300-character upload name, or a long slug,
    # made PostgreSQL refuse the row).
    max_length = Document._meta.get_field("file").max_length
    room = max(1, min(80, max_length - len(folder) - len(suffix)))
    stem = slugify(filename.rsplit(".", 1)[0])[:room].strip("-_") or "document"[:room]
    stored_name = default_storage.save(
        folder + stem + suffix, ContentFile(content), max_length=max_length
    )
    try:
        with transaction.atomic():
            lock_contract(contract.pk)
            document = Document(
                contract=contract,
                kind=kind,
                title=title,
                file=stored_name,
                original_filename=f"{stem}.{extension}",
                sha256=digest,
                size=len(content),
                created_by=by,
                dated=dated,
                sealed=sealed,
                amendment=amendment,
                annex_convention=annex_convention,
            )
            document.full_clean()
            document.save()
            mark_contract_changed(contract.pk)
    except Exception:
        default_storage.delete(stored_name)
        raise
    logger.info(
        "Document enregistré : %s (%s, %s octets, sha256 %s)",
        document.title,
        document.kind,
        document.size,
        digest,
    )
    return document


def document_read_verified(document: Document) -> bytes:
    """The stored bytes, if and only if they still match the recorded SHA-256."""
    try:
        with default_storage.open(document.file.name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        logger.error(
            "Document introuvable sur le stockage : %s (id %s, fichier %s)",
            document.title,
            document.pk,
            document.file.name,
        )
        raise DocumentUnavailable(
            _(
                "Le fichier de ce document est introuvable. L'équipe technique est prévenue ; "
                "aucune autre copie n'a été servie."
            ),
            DownloadOutcome.MISSING,
        ) from None
    actual = sha256_of(content)
    if actual != document.sha256:
        logger.error(
            "Empreinte différente pour le document %s (id %s, fichier %s) : attendue %s, "
            "trouvée %s. Téléchargement refusé.",
            document.title,
            document.pk,
            document.file.name,
            document.sha256,
            actual,
        )
        raise DocumentUnavailable(
            _(
                "Ce document ne correspond plus à l'empreinte enregistrée lors de son dépôt : "
                "il a pu être altéré. Le téléchargement est refusé et l'équipe technique est "
                "prévenue."
            ),
            DownloadOutcome.REFUSED_INTEGRITY,
        )
    return content


def document_download(document: Document, user) -> bytes:
    """Verified bytes for `user`, with the download recorded (refusals too)."""
    try:
        content = document_read_verified(document)
    except DocumentUnavailable as refusal:
        _record_download(document, user, refusal.outcome)
        raise
    _record_download(document, user, DownloadOutcome.SERVED)
    return content


@transaction.atomic
def _record_download(document, user, outcome) -> None:
    # The documents page counts the downloads: it changes with each one.
    lock_contract(document.contract_id)
    DocumentDownload.objects.create(
        document=document, user=user, username=user.get_username(), outcome=outcome
    )
    mark_contract_changed(document.contract_id)


def validate_pdf_upload(uploaded) -> bytes:
    """The bytes of an uploaded scan, if it is a PDF of acceptable size; otherwise a French
    ValidationError saying why. The type is judged from the content, not the name."""
    limit = settings.DOCUMENT_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s."),
            params={"size": human_size(uploaded.size), "limit": human_size(limit)},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    content = b"".join(uploaded.chunks())
    if not content[:1024].lstrip().startswith(PDF_MAGIC):
        raise ValidationError(
            # A python-format message: `% {}` turns its « %%PDF- » into « %PDF- » (a
            # ValidationError without params shows the message as it is).
            _(
                "Ce fichier n'est pas un PDF (son contenu ne commence pas par « %%PDF- »). "
                "Numérisez l'original signé au format PDF."
            )
            % {},
            code="not_pdf",
        )
    if not _parses_as_pdf(content):
        raise ValidationError(
            _("Ce PDF est illisible ou endommagé : il ne peut pas être déposé."),
            code="broken_pdf",
        )
    try:
        found = active_content(content)
    except Exception:  # past MAX_OBJECTS, or a parser failure deeper in the file
        logger.warning("PDF déposé impossible à inspecter", exc_info=True)
        raise ValidationError(
            _(
                "Ce PDF est illisible ou trop complexe pour être vérifié : il ne peut pas être "
                "déposé."
            ),
            code="broken_pdf",
        ) from None
    if found:
        raise ValidationError(
            _(
                "Ce PDF contient %(what)s : il ne peut pas être déposé, car chaque partenaire "
                "l'ouvrira. Déposez la numérisation de l'original papier, ou un PDF enregistré "
                "sans scripts ni pièces jointes (« Imprimer » vers PDF)."
            ),
            params={"what": ", ".join(found)},
            code="active_content",
        )
    return content


def _parses_as_pdf(content: bytes) -> bool:
    """pyHanko's reader (already needed for the seal) must find pages in it."""
    try:
        reader = PdfFileReader(BytesIO(content), strict=False)
        return int(reader.root["/Pages"]["/Count"]) > 0
    except (PdfReadError, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return False
    except Exception:  # a hostile file may break the parser in other ways: still refused
        logger.warning("PDF déposé illisible", exc_info=True)
        return False
