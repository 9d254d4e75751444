from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cej.sealing import SealUnavailable, create_development_certificate, seal_configured
from demo.loire import ACCOUNT_ROLES, DEMO_PASSWORD, load_loire_demo, seal_demo_documents


class Command(BaseCommand):
    help = (
        "Charge la démonstration de la Loire (CEJ 2014–2017). Idempotent : un second passage "
        "ne change rien. Les comptes de démonstration (mot de passe « demo ») ne sont créés "
        "qu'avec DEBUG ou --accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Créer les comptes de démonstration même sans DEBUG (jamais en production).",
        )
        parser.add_argument(
            "--no-accounts", action="store_true", help="Ne pas créer les comptes de démonstration."
        )
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Ne pas produire le PDF scellé du contrat signé (et de sa convention annexe).",
        )

    def handle(self, *args, accounts=False, no_accounts=False, no_seal=False, **options):
        with_accounts = not no_accounts and (accounts or settings.DEMO_ACCOUNTS)
        # The contract is sealed as it was signed, before the demo applies its avenants.
        result = load_loire_demo(
            with_accounts=with_accounts, seal_signed_contract=None if no_seal else self._seal
        )
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Démonstration chargée : {result.created} enregistrements créés "
                    f"({result.contract.title})."
                )
            )
        else:
            self.stdout.write("Démonstration déjà à jour : rien à créer.")
        if result.accounts:
            self.stdout.write(f"\nComptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
            for username in result.accounts:
                self.stdout.write(f"  {username:<12} {ACCOUNT_ROLES.get(username, '')}")
            self.stdout.write(
                f"\nTableau de bord : http://127.0.0.1:8000{result.contract.get_absolute_url()}"
            )
        elif not no_accounts:
            self.stdout.write(
                "Comptes de démonstration non créés (DEBUG désactivé) : "
                "relancez avec --accounts pour les créer."
            )

    def _seal(self, contract):
        """The demo contract is signed: it gets its sealed PDF once. In development, a missing
        seal certificate is created on the spot; elsewhere the operator must provide one."""
        if not seal_configured():
            if not settings.DEBUG:
                self.stdout.write(
                    self.style.WARNING(
                        "PDF scellé non produit : le certificat du sceau est introuvable "
                        f"({settings.SEAL_CERTIFICATE_PATH}). Configurez-le, ou lancez "
                        "« python manage.py create_seal_certificate », puis relancez load_demo."
                    )
                )
                return False
            create_development_certificate(
                Path(settings.SEAL_CERTIFICATE_PATH),
                Path(settings.SEAL_KEY_PATH),
                passphrase=settings.SEAL_KEY_PASSPHRASE,
                common_name="Sceau CEJ Loire (développement)",
            )
            self.stdout.write(
                f"Certificat de sceau de développement créé : {settings.SEAL_CERTIFICATE_PATH}"
            )
        try:
            created = seal_demo_documents(contract)
        except SealUnavailable as error:
            self.stdout.write(self.style.WARNING(f"PDF scellé non produit : {error}"))
            return False
        for document in created:
            self.stdout.write(f"Document scellé : {document.title} (sha256 {document.sha256})")
        return True
