"""System checks an operator sees at start-up (`manage.py check`, runserver, migrate)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def seal_certificate_check(app_configs, **kwargs):
    """Without its seal certificate, the application cannot produce a signed contract: the
    last signature would be refused. Said at start-up rather than on signature day."""
    from cej.sealing import seal_configured

    if settings.DEBUG or seal_configured():
        return []
    return [
        Warning(
            "Le certificat du sceau électronique est introuvable "
            f"({settings.SEAL_CERTIFICATE_PATH}, {settings.SEAL_KEY_PATH}) : "
            "aucun contrat ne pourra être signé.",
            hint=(
                "Définissez SEAL_CERTIFICATE_PATH et SEAL_KEY_PATH (certificat de cachet de "
                "l'organisme), ou « python manage.py create_seal_certificate » pour un essai."
            ),
            id="cej.W001",
        )
    ]


@register()
def private_storage_check(app_configs, **kwargs):
    """Stored documents on local disk must sit outside every folder served as static files:
    otherwise whitenoise (or the web server in front) would hand out signed contracts to
    anyone who guesses a name, bypassing the scoped views."""
    storage = settings.STORAGES["default"]
    if not storage["BACKEND"].endswith("FileSystemStorage"):
        return []
    private = Path(storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT).resolve()
    public = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    public += [
        Path(entry[1] if isinstance(entry, tuple) else entry) for entry in settings.STATICFILES_DIRS
    ]
    errors = []
    for folder in public:
        folder = folder.resolve()
        if folder == private or folder in private.parents or private in folder.parents:
            errors.append(
                Error(
                    f"Le dossier des documents ({private}) et un dossier de fichiers statiques "
                    f"({folder}) se recouvrent : les documents seraient servis sans contrôle.",
                    hint=(
                        "Placez PRIVATE_STORAGE_ROOT hors de STATIC_ROOT et des dossiers "
                        "static/ de l'application (par défaut : var/private)."
                    ),
                    id="cej.E001",
                )
            )
    return errors
