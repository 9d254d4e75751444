from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cej.sealing import create_development_certificate


class Command(BaseCommand):
    help = (
        "Crée un certificat auto-signé de développement pour le sceau électronique des "
        "contrats signés, aux chemins SEAL_CERTIFICATE_PATH et SEAL_KEY_PATH. Les lecteurs PDF "
        "verront le sceau intact mais son émetteur non reconnu : en production, utilisez le "
        "certificat de cachet de votre organisme."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Remplacer un certificat existant."
        )
        parser.add_argument(
            "--common-name",
            default="Sceau CEJ Loire (développement)",
            help="Nom commun (CN) du certificat.",
        )

    def handle(self, *args, force=False, common_name="", **options):
        cert_path = Path(settings.SEAL_CERTIFICATE_PATH)
        key_path = Path(settings.SEAL_KEY_PATH)
        if not settings.SEAL_CERTIFICATE_PATH or not settings.SEAL_KEY_PATH:
            raise CommandError("Définissez SEAL_CERTIFICATE_PATH et SEAL_KEY_PATH.")
        if (cert_path.exists() or key_path.exists()) and not force:
            raise CommandError(
                f"Un certificat existe déjà ({cert_path}). Utilisez --force pour le remplacer : "
                "les documents déjà scellés restent vérifiables, ils portent leur certificat."
            )
        create_development_certificate(
            cert_path, key_path, passphrase=settings.SEAL_KEY_PASSPHRASE, common_name=common_name
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Certificat de développement créé : {cert_path} (clé : {key_path})."
            )
        )
