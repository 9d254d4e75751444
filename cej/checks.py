"""System checks an operator sees at start-up (`manage.py check`, runserver, migrate)."""

from django.conf import settings
from django.core.checks import Warning, register


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
