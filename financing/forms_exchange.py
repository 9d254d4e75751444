"""The upload form of the budget import. The file's type and layout are judged from its
content by `financing.spreadsheets` (an XLSX or ODS is a ZIP archive with its own members, a
CSV must decode as text, and the extension must agree); the form makes sure one came, within
the size limit, and that a workbook does not unpack into more than a budget ever holds."""

import zipfile

from django import forms
from django.utils.translation import gettext_lazy as _

from financing.spreadsheets import MAX_BYTES, MAX_UNPACKED_BYTES, too_big_message

ZIP_MAGIC = b"PK\x03\x04"
# A contract's budget fills a few hundred kilobytes once unpacked. The readers (openpyxl for
# the shared strings, odfpy for the whole sheet) hold the unpacked XML in memory: a 5 MB
# archive that unpacks into gigabytes (a "ZIP bomb") would exhaust the server.
MAX_MEMBERS = 1000


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Classeur à importer"),
        help_text=_(
            "XLSX, CSV (séparateur « ; » et virgule décimale, ou « , » et point) ou ODS, "
            "5 Mo au plus, dans la présentation de l'export du budget."
        ),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : choisissez-le à nouveau."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.ods"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(too_big_message(upload.size))
        check_archive(upload)
        return upload


def check_archive(upload) -> None:
    """Refuse a workbook whose members would unpack beyond MAX_UNPACKED_BYTES. The sizes the
    archive declares are the most Python's zipfile will ever unpack (it stops there), so
    summing them is enough. Anything that is not a readable ZIP is left to the spreadsheet
    reader, which says what it is."""
    upload.seek(0)
    if upload.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
        upload.seek(0)
        return
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        members = None
    upload.seek(0)
    if members is None:
        return
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        raise forms.ValidationError(
            _(
                "Ce classeur se décompresse en %(size)s Mo (%(count)s éléments) : un budget en "
                "occupe bien moins, %(max)s Mo au plus sont acceptés. Enregistrez-le à nouveau "
                "depuis le tableur, ou exportez le budget et reportez-y vos modifications."
            )
            % {
                "size": f"{unpacked / 1024 / 1024:,.0f}".replace(",", "\u202f"),
                "count": f"{len(members):,}".replace(",", "\u202f"),
                "max": MAX_UNPACKED_BYTES // (1024 * 1024),
            }
        )
