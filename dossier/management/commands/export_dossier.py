"""`manage.py export_dossier <slug> <fichier.zip>`: the auditor's dossier of a contract
written to a file, as the page streams it (recorded like a download, by the account given
with --user, else as produced by the command)."""

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cej.models import Contract
from dossier.build import Dossier, DossierRefused, check_documents
from dossier.models import DossierChannel


class Command(BaseCommand):
    help = (
        "Écrit le dossier de contrôle d'un contrat (actes scellés, documents déposés, "
        "version consolidée, budget, versements, historiques, journaux, manifeste SHA-256) "
        "dans un fichier ZIP."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Identifiant du contrat (ex. cej-loire-2014-2017).")
        parser.add_argument("file", help="Fichier ZIP à écrire.")
        parser.add_argument(
            "--user",
            metavar="IDENTIFIANT",
            help="Compte au nom duquel le dossier est produit (inscrit au manifeste).",
        )

    def handle(self, *args, slug, file, user=None, **options):
        contract = Contract.objects.filter(slug=slug).select_related("territory").first()
        if contract is None:
            raise CommandError(f"Aucun contrat ne porte l'identifiant « {slug} ».")
        producer = None
        if user:
            producer = get_user_model().objects.filter(username=user).first()
            if producer is None:
                raise CommandError(f"Aucun compte « {user} ».")
        try:
            check_documents(contract)
        except DossierRefused as refusal:
            raise CommandError(str(refusal)) from None
        target = Path(file)
        partial = target.with_name(target.name + ".partiel")
        dossier = Dossier(contract, user=producer, channel=DossierChannel.COMMAND)
        try:
            with open(partial, "wb") as handle:
                for chunk in dossier.stream():
                    handle.write(chunk)
            os.replace(partial, target)
        except DossierRefused as refusal:
            raise CommandError(str(refusal)) from None
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dossier de contrôle écrit : {target} ({len(dossier.written)} fichiers, "
                f"{dossier.size} octets). Empreinte SHA-256 du manifeste : "
                f"{dossier.manifest_sha256}."
            )
        )
