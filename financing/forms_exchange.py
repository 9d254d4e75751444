"""The upload form of the budget import. The file's content is judged by
`financing.spreadsheets` (type, size, layout); the form only makes sure one came."""

from django import forms
from django.utils.translation import gettext_lazy as _

from financing.spreadsheets import MAX_BYTES, too_big_message


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
        return upload
