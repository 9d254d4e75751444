"""The dossier's logs, as CSV tables (`dossier.tables.csv_pieces`): the signatures of the
contract and its avenants, the decisions (partners' deliberations, the CDAJE's opinions),
the downloads of documents and the dossiers already produced."""

from collections.abc import Iterator

from django.db.models import F

from cej.models import (
    AmendmentSignature,
    DocumentDownload,
    PartnerDecision,
    Signature,
)
from dossier.models import DossierDownload
from dossier.tables import CHUNK, author_fields, csv_pieces
from dossier.tables import person as person_name
from fiches.models import Fiche, FicheStatus
from reviews.models import AnnualReview, FinalEvaluation


def signatures(contract) -> Iterator[bytes]:
    common = [
        "signatory__partner__name",
        "signatory__civility",
        "signatory__first_name",
        "signatory__last_name",
        "signatory__function",
        "signed_on",
        "place",
        *author_fields("recorded_by"),
        "recorded_at",
    ]

    def rows():
        for values in (
            Signature.objects.filter(contract=contract)
            .order_by("signed_on", "signatory__partner__name", "signatory__order")
            .values_list(*common)
            .iterator(chunk_size=CHUNK)
        ):
            yield _signature_row("Contrat", values)
        for number, *values in (
            AmendmentSignature.objects.filter(amendment__contract=contract)
            .order_by("amendment__number", "signed_on", "signatory__order")
            .values_list("amendment__number", *common)
            .iterator(chunk_size=CHUNK)
        ):
            yield _signature_row(f"Avenant n° {number}", values)

    return csv_pieces(
        [
            "Acte",
            "Organisme",
            "Représentant",
            "Qualité",
            "Signé le",
            "Lieu",
            "Saisie par",
            "Identifiant",
            "Saisie le",
        ],
        rows(),
    )


def _signature_row(act, values) -> list:
    partner, civility, first, last, function, signed_on, place, *recorder, recorded_at = values
    person = " ".join(part for part in (civility, first, last) if part)
    return [
        act,
        partner,
        person,
        function,
        signed_on,
        place,
        person_name(*recorder),
        recorder[2],
        recorded_at,
    ]


def decisions(contract) -> Iterator[bytes]:
    """The partners' deliberations, and the CDAJE's opinions (fiches, avenants, annual
    reviews, final evaluation): what decided each act, when, recorded by whom."""

    def rows():
        for values in (
            PartnerDecision.objects.filter(contract=contract)
            .order_by(F("amendment__number").asc(nulls_first=True), "decided_on", "partner__name")
            .values_list(
                "amendment__number",
                "partner__name",
                "body",
                "reference",
                "decided_on",
                *author_fields("recorded_by"),
                "recorded_at",
            )
            .iterator(chunk_size=CHUNK)
        ):
            amendment, partner, body, reference, decided_on, *recorder, recorded_at = values
            act = f"Avenant n° {amendment}" if amendment else "Contrat"
            yield [
                "Délibération d'un partenaire",
                act,
                f"{partner} — {body}",
                reference,
                decided_on,
                person_name(*recorder),
                recorder[2],
                recorded_at,
            ]
        for number, title, status, validated_on in (
            Fiche.objects.filter(contract=contract, validated_on__isnull=False)
            .order_by("number")
            .values_list("number", "title", "status", "validated_on")
            .iterator(chunk_size=CHUNK)
        ):
            yield [
                "Avis de la CDAJE en plénière",
                f"Fiche n° {number} — {title}",
                "CDAJE",
                str(FicheStatus(status).label),
                validated_on,
                "",
                "",
                "",
            ]
        for number, title, opinion_on in (
            contract.amendments.filter(opinion_on__isnull=False)
            .order_by("number")
            .values_list("number", "title", "opinion_on")
        ):
            yield [
                "Avis de la CDAJE en plénière",
                f"Avenant n° {number} — {title}",
                "CDAJE",
                "",
                opinion_on,
                "",
                "",
                "",
            ]
        for year, opinion_on, *adopter, adopted_at in (
            AnnualReview.objects.filter(contract=contract, opinion_on__isnull=False)
            .order_by("year")
            .values_list("year", "opinion_on", *author_fields("adopted_by"), "adopted_at")
        ):
            yield [
                "Adoption sur avis de la CDAJE",
                f"Bilan annuel {year}",
                "CDAJE",
                "",
                opinion_on,
                person_name(*adopter) if adopter[2] else "",
                adopter[2] or "",
                adopted_at,
            ]
        for opinion_on, *adopter, adopted_at in FinalEvaluation.objects.filter(
            contract=contract, opinion_on__isnull=False
        ).values_list("opinion_on", *author_fields("adopted_by"), "adopted_at"):
            yield [
                "Adoption sur avis de la CDAJE",
                "Évaluation finale",
                "CDAJE",
                "",
                opinion_on,
                person_name(*adopter) if adopter[2] else "",
                adopter[2] or "",
                adopted_at,
            ]

    return csv_pieces(
        [
            "Nature",
            "Acte",
            "Instance",
            "Référence ou statut",
            "Date",
            "Saisie par",
            "Identifiant",
            "Saisie le",
        ],
        rows(),
    )


def document_downloads(contract) -> Iterator[bytes]:
    rows = (
        list(values)
        for values in DocumentDownload.objects.filter(document__contract=contract)
        .order_by("downloaded_at", "pk")
        .values_list(
            "downloaded_at",
            "username",
            "document_id",
            "document__title",
            "document__sha256",
            "outcome",
        )
        .iterator(chunk_size=CHUNK)
    )
    return csv_pieces(
        [
            "Date",
            "Identifiant",
            "Document (identifiant)",
            "Document",
            "Empreinte SHA-256",
            "Résultat",
        ],
        rows,
    )


def dossier_downloads(contract) -> Iterator[bytes]:
    rows = (
        list(values)
        for values in DossierDownload.objects.filter(contract=contract)
        .order_by("downloaded_at", "pk")
        .values_list("downloaded_at", "username", "channel", "files", "size", "manifest_sha256")
        .iterator(chunk_size=CHUNK)
    )
    return csv_pieces(
        [
            "Date",
            "Identifiant",
            "Canal",
            "Fichiers",
            "Taille (octets)",
            "Empreinte SHA-256 du manifeste",
        ],
        rows,
    )
