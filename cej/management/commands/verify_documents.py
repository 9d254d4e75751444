"""`manage.py verify_documents`: every stored document checked against its SHA-256.

The download view checks one document when someone asks for it; this checks them all, for a
nightly task or after restoring a backup: a file altered, replaced or lost shows up before a
partner needs it. Files are read through Django's storage API, on local disk or in an S3
bucket alike. Exit status 1 when any document is missing, different or unreadable.
"""

from django.core.management.base import BaseCommand, CommandError

from cej.documents import stored_sha256
from cej.models import Contract, Document


class Command(BaseCommand):
    help = (
        "Vérifie que chaque document stocké (contrats signés, conventions, avenants, originaux "
        "numérisés) est présent et correspond toujours à l'empreinte SHA-256 enregistrée lors "
        "de son dépôt. Une ligne par problème ; code de sortie 1 s'il y en a."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contract",
            metavar="SLUG",
            help="Ne vérifier que les documents de ce contrat (ex. cej-loire-2014-2017).",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="N'écrire que les problèmes, rien si tout est intact (tâche planifiée).",
        )

    def handle(self, *args, contract=None, quiet=False, verbosity=1, **options):
        documents = Document.objects.select_related("contract").order_by("contract__slug", "pk")
        if contract:
            if not Contract.objects.filter(slug=contract).exists():
                raise CommandError(f"Aucun contrat ne porte l'identifiant « {contract} ».")
            documents = documents.filter(contract__slug=contract)
        checked = failed = 0
        for document in documents.iterator(chunk_size=500):
            checked += 1
            problem = self.problem(document)
            if problem:
                failed += 1
                self.stderr.write(f"{self.describe(document)} : {problem}")
            elif verbosity >= 2:
                self.stdout.write(f"{self.describe(document)} : intact.")
        summary = (
            f"{checked} document{'s' if checked > 1 else ''} "
            f"vérifié{'s' if checked > 1 else ''}, {failed} en erreur."
        )
        if failed:
            raise CommandError(summary)
        if not quiet and verbosity:
            self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def describe(document: Document) -> str:
        return (
            f"Contrat {document.contract.slug}, document {document.pk} "
            f"({document.get_kind_display()}, « {document.filename} »)"
        )

    @staticmethod
    def problem(document: Document) -> str:
        """What is wrong with the stored file, in French; empty when it is intact."""
        expected = f"empreinte attendue {document.sha256}"
        where = f"fichier {document.file.name or '(aucun)'}"
        if not document.file.name:
            return f"aucun fichier enregistré ; {expected}, trouvée : aucune ({where})."
        try:
            found = stored_sha256(document.file.name)
        except FileNotFoundError:
            return f"fichier introuvable sur le stockage ; {expected}, trouvée : aucune ({where})."
        except Exception as error:  # permissions, network, bucket: reported, then the next one
            return (
                f"fichier illisible ({type(error).__name__} : {error}) ; {expected}, "
                f"trouvée : aucune ({where})."
            )
        if found != document.sha256:
            return f"contenu différent ; {expected}, trouvée {found} ({where})."
        return ""
