from django.core.management.base import BaseCommand, CommandError

from cej.money import format_number
from demo.scale import DEFAULT_SEED, MAX_CONTRACTS, MAX_TERRITORIES, generate_scale_data


class Command(BaseCommand):
    help = (
        "Génère un jeu de données national pour les mesures de performance et les essais de "
        "charge : un territoire par département (101), ses partenaires, ses comptes et ses "
        "contrats successifs (quatre ans chacun, de 2006 à 2021 au plus tard) avec fiches, "
        "indicateurs, budget, exécution et bilans annuels. Les territoires existants (dont "
        "la Loire de la démonstration) ne sont pas touchés ; un second passage n'ajoute rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--territories",
            type=int,
            default=MAX_TERRITORIES,
            help=f"Nombre de départements, dans l'ordre des codes (1 à {MAX_TERRITORIES}).",
        )
        parser.add_argument(
            "--contracts-per-territory",
            type=int,
            default=3,
            help=f"Contrats successifs par territoire (1 à {MAX_CONTRACTS}).",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="Mot de passe de tous les comptes générés ; sans lui, ils ne peuvent pas se "
            "connecter.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Graine du générateur : la même graine donne les mêmes données.",
        )

    def handle(self, *args, territories, contracts_per_territory, password, seed, **options):
        verbose = options["verbosity"] >= 1
        try:
            result = generate_scale_data(
                territories=territories,
                contracts_per_territory=contracts_per_territory,
                password=password,
                seed=seed,
                log=self.stdout.write if verbose else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

        if result.skipped_existing:
            self.stdout.write(
                "Territoires existants laissés intacts : " + ", ".join(result.skipped_existing)
            )
        if result.skipped_reserved:
            self.stdout.write(
                "Réservé à la démonstration (python manage.py load_demo) : "
                + ", ".join(result.skipped_reserved)
            )
        if result.skipped_generated:
            count = len(result.skipped_generated)
            plural = "s" if count > 1 else ""
            self.stdout.write(
                f"{count} territoire{plural} déjà généré{plural} lors d'un passage précédent : "
                "rien n'y est ajouté."
            )
        if not result.territories:
            self.stdout.write("Rien à générer.")
            return
        rows = [
            ("territoires", result.territories),
            ("contrats", result.contracts),
            ("fiches", result.fiches),
            ("lignes budgétaires", result.budget_lines),
            ("contributions", result.contributions),
            ("écritures d'exécution", result.execution_entries),
            ("  budget et exécution, total", result.budget_rows),
            ("versements des financeurs", result.funder_payments),
            ("justificatifs reçus", result.supporting_documents),
            ("indicateurs", result.indicators),
            ("  cibles et réalisés annuels", result.indicator_years),
            ("bilans annuels", result.reviews),
            ("évaluations finales", result.evaluations),
            ("  leurs fiches, zones et places", result.review_rows),
            ("versions de fiches", result.fiche_versions),
            ("versions de lignes budgétaires", result.line_versions),
            ("utilisateurs", result.users),
            ("documents", result.documents),
        ]
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de volumétrie générées en {format_number(result.elapsed, decimals=1)} s :"
            )
        )
        for label, count in rows:
            self.stdout.write(f"  {label:<31}{format_number(count, decimals=0):>10}")
        if password is None:
            self.stdout.write(
                "Comptes sans mot de passe utilisable : relancez sur une base vide avec "
                "--password pour pouvoir vous y connecter."
            )
