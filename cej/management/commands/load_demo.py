from django.conf import settings
from django.core.management.base import BaseCommand

from cej.demo.loire import ACCOUNT_ROLES, DEMO_PASSWORD, load_loire_demo


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

    def handle(self, *args, accounts=False, no_accounts=False, **options):
        with_accounts = not no_accounts and (accounts or settings.DEMO_ACCOUNTS)
        result = load_loire_demo(with_accounts=with_accounts)
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
