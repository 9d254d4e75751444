"""Import of a budget workbook in the export's own layout (`financing.resources`).

`prepare_import` reads the file (`financing.spreadsheets`), matches its header
(`financing.import_headers`), validates every row and the year envelopes
(`financing.import_checks`), and compares each row with the line of the same key
(Année, Code poste, N° fiche): « nouvelle », « modifiée » (with the differences, and the
forecast shares they move) or « inchangée ». It writes nothing. It reads the forecast the
finance officer plans — label, planned amount, other receipts, action antérieure —: the
computed columns (net cost, PSEJ, beneficiary's share) are recomputed from the contract's
funding terms, and the actual figures, which the exports carry, are not read (they are
declared line by line, as execution); the preview names both. Any problem — file, header
or cell — is an `Issue` naming the row (as the sheet shows it, header = row 1) and the
column; one issue blocks the whole import. Lines absent from the file are left as they
are: an import never deletes.

`apply_import` writes a valid plan in one transaction, each line through
`financing.services.budget_line_save` (which checks every rule again), or nothing at all.
`ImportPlan.fingerprint` lets the confirmation check that what it applies is what the
preview showed."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

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
)
from financing.import_headers import map_headers
from financing.models import BudgetLine
from financing.resources import BudgetLineResource, yes_no
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
    leaves untouched, the columns it ignores (unknown ones; the computed ones it recomputes;
    the actual figures it does not read) — or the errors that forbid it."""

    contract: object
    filename: str
    format: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    untouched: list[BudgetLine] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    recomputed_columns: list[str] = field(default_factory=list)
    actual_columns: list[str] = field(default_factory=list)

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
                str(row.other_receipts),
                row.continued,
                sorted((pk, str(amount)) for pk, amount in row.shares.items()),
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
    resource = BudgetLineResource(contract=contract, funders=budget.funders)
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


def _share_headers(resource, budget) -> dict[int, str]:
    """Partner pk → the header of its forecast share: each funder's PSEJ, the beneficiary's."""
    headers = {
        funder.pk: resource.fields[f"psej_{funder.pk}"].column_name for funder in budget.funders
    }
    if budget.terms.beneficiary_id is not None:
        headers[budget.terms.beneficiary_id] = resource.fields["own_share"].column_name
    return headers


def _compare(plan, budget, resource):
    headers = {name: col.column_name for name, col in resource.named_columns()}
    share_headers = _share_headers(resource, budget)
    zero = Decimal("0.00")
    keys = set()
    for row in plan.rows:
        keys.add(row.key)
        line = budget.lines.get(row.key)
        if line is None:
            row.status = "new"
            row.changes = [
                Change(headers["other_receipts"], "", format_eur(row.other_receipts)),
                Change(headers["continued"], "", yes_no(row.continued)),
                *(
                    Change(share_headers[pk], "", format_eur(amount))
                    for pk, amount in row.shares.items()
                    if pk in share_headers
                ),
            ]
            continue
        row.line = line
        changes = []
        if row.label != (line.label or "").strip():
            changes.append(Change(headers["label"], f"« {line.label} »", f"« {row.label} »"))
        for name in ("amount", "other_receipts"):
            old, new = getattr(line, name), getattr(row, name)
            if new != old:
                changes.append(Change(headers[name], format_eur(old), format_eur(new)))
        if row.continued != line.continued:
            changes.append(
                Change(headers["continued"], yes_no(line.continued), yes_no(row.continued))
            )
        if changes:  # and what they move: the shares are the consequence, never the cause
            current = budget.contributions_of(line)
            for pk, amount in row.shares.items():
                if pk in share_headers and amount != current.get(pk, zero):
                    changes.append(
                        Change(
                            share_headers[pk], format_eur(current.get(pk, zero)), format_eur(amount)
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
    changes = [row for row in plan.rows if row.status != "unchanged"]
    # Decreases first: money moved between lines of one year never transits through a
    # total above the envelope, which budget_line_save checks line by line.
    changes.sort(key=lambda r: (r.amount - (r.line.amount if r.line else 0), r.number))
    # One new page-cache token for the contract at the end, not one per row written.
    with one_mark_per_contract():
        for row in changes:
            _apply_row(row, contract, by)
    return plan.counts


def _apply_row(row, contract, by) -> None:
    line = row.line or BudgetLine(year=row.year, post=row.post, fiche=row.fiche)
    line.contract = contract
    line.label = row.label
    line.amount = row.amount
    line.other_receipts = row.other_receipts
    line.continued = row.continued
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
