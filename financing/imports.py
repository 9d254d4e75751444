"""Import of a budget workbook in the export's own layout (`financing.resources`).

`prepare_import` reads the file (`financing.spreadsheets`), validates every row and the year
envelopes (`financing.import_checks`), and compares each row with the line of the same key
(Année, Code poste, N° fiche): « nouvelle », « modifiée » (with the differences) or
« inchangée ». It writes nothing. Any problem — file, header or cell — is an `Issue` naming
the row (as the sheet shows it, header = row 1) and the column; one issue blocks the whole
import. Lines absent from the file are left as they are: an import never deletes.

`apply_import` writes a valid plan in one transaction, each line through
`financing.services.budget_line_save` (which checks every rule again), or nothing at all.
`ImportPlan.fingerprint` lets the confirmation check that what it applies is what the
preview showed."""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cej.money import format_eur
from cej.page_cache import one_mark_per_contract
from financing.import_checks import (
    STATUS_LABELS,
    BudgetSnapshot,
    Change,
    ImportRow,
    Issue,
    RowReader,
    check_envelopes,
    map_headers,
)
from financing.models import BudgetLine
from financing.resources import BudgetLineResource
from financing.services import BudgetLineConflict, budget_line_save
from financing.spreadsheets import SpreadsheetError, read_table

__all__ = [
    "Change",
    "ImportApplyError",
    "ImportPlan",
    "ImportRow",
    "Issue",
    "apply_import",
    "prepare_import",
]


@dataclass
class ImportPlan:
    """What an import would do: its valid rows with their status, the existing lines it
    leaves untouched, the columns it ignores — or the errors that forbid it."""

    contract: object
    filename: str
    format: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    untouched: list[BudgetLine] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    partners: list = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}

    @property
    def has_changes(self) -> bool:
        return any(row.status != "unchanged" for row in self.rows)

    def fingerprint(self) -> str:
        """What the preview showed, and the versions of the lines it was computed from."""
        payload = [
            [
                row.status,
                list(row.key),
                row.line.pk if row.line else None,
                row.line.version if row.line else None,
                row.label,
                str(row.amount),
                sorted((pk, str(amount)) for pk, amount in row.contributions.items()),
            ]
            for row in self.rows
        ]
        payload.append(sorted([line.pk, line.version] for line in self.untouched))
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


class ImportApplyError(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


def prepare_import(*, contract, data: bytes, filename: str) -> ImportPlan:
    """Read, validate and compare; never writes. The plan's `errors` say why not."""
    plan = ImportPlan(contract=contract, filename=filename)
    try:
        table = read_table(data, filename)
    except SpreadsheetError as exc:
        plan.errors.append(Issue(str(exc)))
        return plan
    plan.format = table.format
    budget = BudgetSnapshot(contract)
    plan.partners = budget.partners
    resource = BudgetLineResource(contract=contract, partners=budget.partners)
    columns = map_headers(table.headers, resource, plan)
    if plan.errors:
        return plan
    if not table.rows:
        plan.errors.append(
            Issue(_("Le fichier ne contient aucune ligne budgétaire sous la ligne d'en-tête."))
        )
        return plan
    reader = RowReader(
        budget, resource, columns, plan, table.decimal_comma, width=len(table.headers)
    )
    for number, cells in table.rows:
        if row := reader.read(number, cells):
            plan.rows.append(row)
    check_envelopes(plan, budget, resource, reader.unreadable_years)
    if plan.errors:
        plan.rows = []
        return plan
    _compare(plan, budget, resource)
    return plan


def _compare(plan, budget, resource):
    headers = {name: col.column_name for name, col in resource.named_columns()}
    contribution_headers = {
        col.partner.pk: col.column_name
        for _name, col in resource.named_columns()
        if col.role == "contribution"
    }
    keys = set()
    for row in plan.rows:
        keys.add(row.key)
        line = budget.lines.get(row.key)
        if line is None:
            row.status = "new"
            row.changes = [
                Change(contribution_headers[pk], "", format_eur(amount))
                for pk, amount in row.contributions.items()
            ]
            continue
        row.line = line
        changes = []
        if row.label != (line.label or "").strip():
            changes.append(Change(headers["label"], f"« {line.label} »", f"« {row.label} »"))
        if row.amount != line.amount:
            changes.append(
                Change(headers["amount"], format_eur(line.amount), format_eur(row.amount))
            )
        current = budget.contributions_of(line)
        for partner_pk, amount in row.contributions.items():
            if amount != current[partner_pk]:
                changes.append(
                    Change(
                        contribution_headers[partner_pk],
                        format_eur(current[partner_pk]),
                        format_eur(amount),
                    )
                )
        row.changes = changes
        row.status = "changed" if changes else "unchanged"
    plan.untouched = [line for key, line in budget.lines.items() if key not in keys]
    plan.untouched.sort(key=lambda line: (line.year, line.post.order, line.post.label, line.pk))


# Applying -----------------------------------------------------------------------------


@transaction.atomic
def apply_import(*, plan: ImportPlan, by) -> dict[str, int]:
    """Write every new or changed row, or nothing: the first refusal rolls back them all."""
    if plan.errors:
        raise ValueError("An import plan with errors cannot be applied.")
    contract = plan.contract
    partners = {partner.pk: partner for partner in plan.partners}
    changes = [row for row in plan.rows if row.status != "unchanged"]
    # Decreases first: money moved between lines of one year never transits through a
    # total above the envelope, which budget_line_save checks line by line.
    changes.sort(key=lambda r: (r.amount - (r.line.amount if r.line else 0), r.number))
    # One new page-cache token for the contract at the end, not one per row written.
    with one_mark_per_contract():
        for row in changes:
            _apply_row(row, contract, partners, by)
    return plan.counts


def _apply_row(row, contract, partners, by) -> None:
    line = row.line or BudgetLine(year=row.year, post=row.post, fiche=row.fiche)
    line.contract = contract
    line.label = row.label
    line.amount = row.amount
    try:
        budget_line_save(
            line=line,
            by=by,
            expected_version=row.line.version if row.line else None,
            action=_("Import d'un classeur budgétaire"),
        )
    except BudgetLineConflict as exc:
        raise ImportApplyError(
            [
                Issue(
                    _(
                        "cette ligne budgétaire a été modifiée par quelqu'un d'autre depuis "
                        "l'aperçu : importez le fichier à nouveau pour voir l'état actuel."
                    ),
                    rows=(row.number,),
                )
            ]
        ) from exc
    except ValidationError as exc:
        raise ImportApplyError(
            [Issue(message, rows=(row.number,)) for message in exc.messages]
        ) from exc
