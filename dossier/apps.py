from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    """The auditor's dossier (*dossier de contrôle*): everything about one contract in one
    ZIP — sealed acts, scans, exports, version histories, logs — with a manifest of SHA-256
    fingerprints that `verify_dossier` checks."""

    name = "dossier"
    verbose_name = _("Dossier de contrôle")
