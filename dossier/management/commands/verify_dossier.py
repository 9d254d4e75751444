"""`manage.py verify_dossier <fichier.zip>`: the manifest against every file of a dossier
de contrôle, and the seal of every sealed act; a French report; exit status 1 on any
difference (missing, extra or changed file, broken seal)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dossier.verify import load_certificate, verify_dossier


class Command(BaseCommand):
    help = (
        "Vérifie un dossier de contrôle : chaque fichier contre le manifeste (manquant, en "
        "trop, modifié) et le sceau électronique de chaque acte scellé. Code de sortie 1 à la "
        "moindre différence."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier ZIP du dossier de contrôle.")
        parser.add_argument(
            "--certificate",
            metavar="PEM",
            action="append",
            help=(
                "Certificat du sceau attendu, à répéter s'il y en a plusieurs (par défaut celui "
                "de l'application, SEAL_CERTIFICATE_PATH, s'il existe)."
            ),
        )

    def handle(self, *args, file, certificate=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        default = settings.SEAL_CERTIFICATE_PATH
        pems = certificate or ([default] if default and Path(default).is_file() else [])
        trusted = []
        for pem in pems:
            try:
                trusted.append(load_certificate(pem))
            except (OSError, ValueError) as error:
                raise CommandError(f"Certificat illisible : {pem} ({error})") from None
        report = verify_dossier(path, trusted=trusted)
        for line in report.lines:
            self.stdout.write(line)
        if not trusted:
            self.stdout.write(
                "Aucun certificat de sceau fourni : l'intégrité des sceaux est vérifiée, pas "
                "leur émetteur (option --certificate)."
            )
        summary = (
            f"{report.files} fichier(s) vérifié(s), dont {report.seals} acte(s) scellé(s) ; "
            f"{len(report.problems)} différence(s)."
        )
        if report.problems:
            self.stderr.write("Différences :")
            for problem in report.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"Dossier NON conforme. {summary}")
        self.stdout.write(self.style.SUCCESS(f"Dossier conforme. {summary}"))
