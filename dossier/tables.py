"""The dossier's tables, as CSV in the French spreadsheet convention of the budget export
(`;`, decimal comma, UTF-8 with a byte order mark, CRLF): the version histories and the
signature, decision, payment and download logs. Each is a generator of bytes read from
the database in chunks (`iterator(chunk_size=…)`), so a table of a million rows costs the
memory of a few hundred."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone

from cej.models import (
    AmendmentSignature,
    DocumentDownload,
    PartnerDecision,
    Signature,
)
from dossier.models import DossierDownload
from fiches.models import Fiche, FicheStatus, FicheVersion, IndicatorVersion
from financing.exports import french_decimal
from financing.models import BudgetLineVersion, ExecutionEntry, FunderPayment
from financing.resources import escape_formula
from reviews.models import (
    AnnualReview,
    AnnualReviewVersion,
    FinalEvaluation,
    FinalEvaluationVersion,
)

CHUNK = 2000
FLUSH_ROWS = 500


def csv_pieces(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The table's bytes, a few hundred rows at a time. Text that a spreadsheet would run as
    a formula is escaped (`financing.resources.escape_formula`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):  # a datetime
        return timezone.localtime(value).isoformat(timespec="seconds")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _person(first_name, last_name, username) -> str:
    """As the history pages name people (`cej.models.versioning.person_name`)."""
    if not username:
        return "Quelqu'un"
    return f"{first_name or ''} {last_name or ''}".strip() or username


def _snapshot(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


def _author_fields(prefix: str = "author") -> list[str]:
    return [f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username"]


VERSION_HEADERS = [
    "Version",
    "Enregistrée le",
    "Auteur",
    "Identifiant de l'auteur",
    "Nature du changement",
    "Avenant",
    "Contenu de la version (JSON)",
]


def _version_rows(queryset, record_fields: list[str]) -> Iterator[list]:
    fields = [
        *record_fields,
        "number",
        "created_at",
        *_author_fields(),
        "action",
        "amendment__number",
        "snapshot",
    ]
    width = len(record_fields)
    for values in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        record, (number, created_at, first, last, username, action, amendment, snapshot) = (
            list(values[:width]),
            values[width:],
        )
        yield [
            *record,
            number,
            created_at,
            _person(first, last, username),
            username or "",
            action,
            amendment,
            _snapshot(snapshot),
        ]


def fiche_versions(contract) -> Iterator[bytes]:
    queryset = FicheVersion.objects.filter(fiche__contract=contract).order_by(
        "fiche__number", "number"
    )
    rows = _version_rows(queryset, ["fiche__number", "fiche__title"])
    return csv_pieces(["Fiche n°", "Intitulé actuel de la fiche", *VERSION_HEADERS], rows)


def budget_line_versions(contract) -> Iterator[bytes]:
    queryset = BudgetLineVersion.objects.filter(contract=contract).order_by("line_ref", "number")
    rows = _version_rows(queryset, ["line_ref", "label", "kind"])
    return csv_pieces(
        ["Ligne (identifiant)", "Ligne (à la date de la version)", "Type", *VERSION_HEADERS],
        rows,
    )


def indicator_versions(contract) -> Iterator[bytes]:
    queryset = IndicatorVersion.objects.filter(indicator__contract=contract).order_by(
        "indicator__fiche__number", "indicator__number", "number"
    )
    rows = _version_rows(
        queryset, ["indicator__fiche__number", "indicator__number", "indicator__name"]
    )
    return csv_pieces(
        ["Fiche n°", "Indicateur n°", "Intitulé actuel de l'indicateur", *VERSION_HEADERS], rows
    )


def review_versions(contract) -> Iterator[bytes]:
    reviews = _version_rows(
        AnnualReviewVersion.objects.filter(review__contract=contract).order_by(
            "review__year", "number"
        ),
        ["review__year"],
    )
    evaluation = _version_rows(
        FinalEvaluationVersion.objects.filter(evaluation__contract=contract).order_by("number"),
        [],
    )

    def rows():
        for row in reviews:
            yield [f"Bilan annuel {row[0]}", *row[1:]]
        for row in evaluation:
            yield ["Évaluation finale", *row]

    return csv_pieces(["Document", *VERSION_HEADERS], rows())


def signatures(contract) -> Iterator[bytes]:
    common = [
        "signatory__partner__name",
        "signatory__civility",
        "signatory__first_name",
        "signatory__last_name",
        "signatory__function",
        "signed_on",
        "place",
        *_author_fields("recorded_by"),
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
        _person(*recorder),
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
                *_author_fields("recorded_by"),
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
                _person(*recorder),
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
            .values_list("year", "opinion_on", *_author_fields("adopted_by"), "adopted_at")
        ):
            yield [
                "Adoption sur avis de la CDAJE",
                f"Bilan annuel {year}",
                "CDAJE",
                "",
                opinion_on,
                _person(*adopter) if adopter[2] else "",
                adopter[2] or "",
                adopted_at,
            ]
        for opinion_on, *adopter, adopted_at in FinalEvaluation.objects.filter(
            contract=contract, opinion_on__isnull=False
        ).values_list("opinion_on", *_author_fields("adopted_by"), "adopted_at"):
            yield [
                "Adoption sur avis de la CDAJE",
                "Évaluation finale",
                "CDAJE",
                "",
                opinion_on,
                _person(*adopter) if adopter[2] else "",
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


def funder_payments(contract) -> Iterator[bytes]:
    rows = (
        [
            funder,
            year,
            kind,
            french_decimal(amount),
            received_on,
            reference,
            note,
            _person(*recorder),
            recorder[2],
            recorded_at,
        ]
        for funder, year, kind, amount, received_on, reference, note, *recorder, recorded_at in (
            FunderPayment.objects.filter(contract=contract)
            .order_by("funder__name", "year", "received_on", "pk")
            .values_list(
                "funder__name",
                "year",
                "kind",
                "amount",
                "received_on",
                "reference",
                "note",
                *_author_fields("recorded_by"),
                "recorded_at",
            )
            .iterator(chunk_size=CHUNK)
        )
    )
    return csv_pieces(
        [
            "Financeur",
            "Exercice",
            "Nature",
            "Montant (€)",
            "Reçu le",
            "Référence",
            "Note",
            "Saisi par",
            "Identifiant",
            "Saisi le",
        ],
        rows,
    )


def execution_entries(contract) -> Iterator[bytes]:
    rows = (
        [
            line,
            year,
            label,
            kind,
            date,
            french_decimal(amount),
            reference,
            note,
            _person(*creator),
            creator[2],
            created_at,
        ]
        for line, year, label, kind, date, amount, reference, note, *creator, created_at in (
            ExecutionEntry.objects.filter(line__contract=contract)
            .order_by("line__year", "line_id", "date", "pk")
            .values_list(
                "line_id",
                "line__year",
                "line__label",
                "kind",
                "date",
                "amount",
                "reference",
                "note",
                *_author_fields("created_by"),
                "created_at",
            )
            .iterator(chunk_size=CHUNK)
        )
    )
    return csv_pieces(
        [
            "Ligne (identifiant)",
            "Année",
            "Ligne",
            "Nature",
            "Date",
            "Montant (€)",
            "Référence",
            "Note",
            "Saisi par",
            "Identifiant",
            "Saisi le",
        ],
        rows,
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
