"""The dossier's tables, as CSV in the French spreadsheet convention of the budget export
(`;`, decimal comma, UTF-8 with a byte order mark, CRLF): the version histories, the
payments and the commitments (the logs: `dossier.journals`). Each is a generator of bytes read from
the database in chunks (`iterator(chunk_size=…)`), so a table of a million rows costs the
memory of a few hundred."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from cej.models.versioning import person_name
from fiches.models import FicheVersion, IndicatorVersion
from financing.exports import french_decimal
from financing.models import BudgetLineVersion, ExecutionEntry, FunderPayment
from financing.resources import escape_formula
from reviews.models import (
    AnnualReviewVersion,
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


def person(first_name, last_name, username) -> str:
    """As the history pages name people (`cej.models.versioning.person_name`), from the
    columns a chunked `values_list` reads rather than a user object per row."""
    if not username:
        return person_name(None)
    return f"{first_name or ''} {last_name or ''}".strip() or username


def _snapshot(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


def author_fields(prefix: str = "author") -> list[str]:
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
        *author_fields(),
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
            person(first, last, username),
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
            person(*recorder),
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
                *author_fields("recorded_by"),
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
            person(*creator),
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
                *author_fields("created_by"),
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
