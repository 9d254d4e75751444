"""The evidence of an indicator's actual value (*pièce justificative*): a PDF, an XLSX
workbook or a CSV file, judged by its content, not its name. A PDF goes through the checks
of every deposited PDF (`cej.documents.validate_pdf_upload`: parses, no scripts or
attachments); a workbook must be a real XLSX package (a zip holding a workbook), within a
sane unpacked size and without macros; a CSV must be text. The extension must agree with
what the content is. Every refusal says why, in French."""

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cej.documents import PDF_MAGIC, human_size, validate_pdf_upload

EXTENSIONS = ("pdf", "xlsx", "csv")
# What a workbook may unpack into: a zip bomb is refused before anything reads it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


def evidence_content(uploaded) -> tuple[bytes, str]:
    """The bytes of an uploaded evidence file and its extension (pdf, xlsx or csv), or a
    ValidationError saying why it is refused."""
    name = (uploaded.name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Déposez un fichier PDF, XLSX ou CSV (le fichier « %(name)s » n'en est pas un).")
            % {"name": (uploaded.name or "")[:80]},
            code="extension",
        )
    if extension == "pdf":
        return validate_pdf_upload(uploaded), "pdf"
    limit = settings.DOCUMENT_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s.")
            % {"size": human_size(uploaded.size), "limit": human_size(limit)},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    content = b"".join(uploaded.chunks())
    if extension == "xlsx":
        _check_xlsx(content)
    else:
        _check_csv(content)
    return content, extension


def _check_xlsx(content: bytes) -> None:
    not_xlsx = ValidationError(
        _("Ce fichier n'est pas un classeur XLSX lisible : son contenu ne correspond pas."),
        code="not_xlsx",
    )
    if not content.startswith(ZIP_MAGIC):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("Ce classeur se décompresse en plus de %(limit)s : il ne peut pas être déposé.")
            % {"limit": human_size(MAX_UNPACKED_BYTES)},
            code="too_large",
        )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("Ce classeur contient des macros : enregistrez-le sans macros (format .xlsx)."),
            code="macros",
        )


def _check_csv(content: bytes) -> None:
    if content.startswith((PDF_MAGIC, ZIP_MAGIC)) or b"\x00" in content:
        raise ValidationError(
            _("Ce fichier n'est pas un CSV : son contenu n'est pas du texte."), code="not_csv"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            content.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("Ce fichier CSV n'est ni en UTF-8 ni en Windows-1252 : il ne peut pas être lu."),
        code="encoding",
    )
