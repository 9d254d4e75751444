"""Writes of the financing domain. Each function is one atomic state change that takes the
contract's lock first (`cej.locking`), validates every rule of DESIGN.md §4 before anything
is stored, and marks the contract changed for its cached pages (`cej.page_cache`). Budget
lines keep a version per saved change (`BudgetLineVersion`, `cej.versioning`) and refuse a
save based on an outdated version (no lost update), as fiches do."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej import versioning
from cej.locking import lock_contract
from cej.money import format_eur, round_money
from cej.page_cache import mark_contract_changed
from cej.permissions import content_change_refusal, execution_refusal
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    VersionKind,
)
from financing.permissions import can_change_budget
from financing.psej import plan
from financing.terms import ContractTerms, contract_terms
from partners.models import Partner


class BudgetLineConflict(versioning.VersionConflict):
    """The line changed since the editor opened it (see `cej.versioning.VersionConflict`):
    `record` is the line as stored, `latest` its last version row (None for a line saved
    before versions existed)."""


def line_label(line: BudgetLine) -> str:
    """How a line is named in the history, even once it is gone: « 2015 — Coordination —
    fiche 12 — libellé »."""
    parts = [str(line.year), str(line.post)]
    if line.fiche_id:
        parts.append(_("fiche %(number)s") % {"number": line.fiche.number})
    if line.label:
        parts.append(line.label)
    return " — ".join(parts)[:400]


def _cents(amount) -> str | None:
    return None if amount is None else str(round_money(amount))


def line_snapshot(line: BudgetLine, contributions: Mapping[Partner, Decimal] | None = None) -> dict:
    """Everything a version keeps, JSON-ready: ids (to merge edits) and the names shown then
    (to read the history after a fiche or partner has gone). Amounts are strings of cents;
    the actual figures are None until declared. `contributions` describes a forecast split
    not saved yet; by default the stored one is read."""
    if contributions is None:
        contributions = {c.partner: c.amount for c in line.contributions.select_related("partner")}
    split = sorted(contributions.items(), key=lambda item: item[0].name)
    return {
        "year": line.year,
        "post_id": line.post_id,
        "post": str(line.post),
        "annex_convention_id": line.annex_convention_id,
        "fiche_id": line.fiche_id,
        "fiche": str(line.fiche) if line.fiche_id else "",
        "label": line.label,
        "amount": _cents(line.amount),
        "other_receipts": _cents(line.other_receipts or 0),
        "continued": bool(line.continued),
        "actual_expenses": _cents(line.actual_expenses),
        "actual_receipts": _cents(line.actual_receipts),
        "contributions": {str(p.pk): str(round_money(amount)) for p, amount in split},
        "partners": {str(p.pk): p.name for p, _amount in split},
    }


def forecast_shares(line: BudgetLine, terms: ContractTerms) -> dict[int, Decimal]:
    """Each party's forecast share of the line's net cost, by partner id (`financing.psej`):
    every funder with terms for the line's instrument, and the beneficiary's own share."""
    financing = plan(
        expenses=line.amount,
        receipts=line.other_receipts or 0,
        continued=line.continued,
        terms=terms.for_line(line),
    )
    shares = dict(financing.psej)
    if terms.beneficiary_id is not None:
        shares[terms.beneficiary_id] = financing.own_share
    elif financing.own_share:
        raise ValidationError(
            _(
                "Ce contrat n'a pas de bénéficiaire parmi ses parties : la part de %(amount)s "
                "que les financeurs ne prennent pas en charge n'aurait pas de porteur. "
                "Désignez le bénéficiaire dans les parties du contrat."
            )
            % {"amount": format_eur(financing.own_share)}
        )
    return shares


def partners_by_id(shares: Mapping[int, Decimal]) -> dict[Partner, Decimal]:
    partners = Partner.objects.in_bulk(list(shares))
    return {partners[pid]: amount for pid, amount in shares.items()}


def store_shares(line: BudgetLine, amounts: Mapping[Partner, Decimal]) -> None:
    line.contributions.exclude(partner__in=list(amounts)).delete()
    for partner, amount in amounts.items():
        contribution = line.contributions.filter(partner=partner).first() or Contribution(
            line=line, partner=partner
        )
        if contribution.pk and contribution.amount == amount:
            continue
        contribution.amount = amount
        contribution.full_clean()
        contribution.save()


def _content(snapshot: dict) -> dict:
    """What a change is about: the snapshot without the display names."""
    return {k: v for k, v in snapshot.items() if k not in ("post", "fiche", "partners")}


def record_line_version(
    *,
    line: BudgetLine,
    kind: VersionKind,
    by,
    action: str | None = None,
    number: int | None = None,
    amendment=None,
) -> BudgetLineVersion:
    """`action` describes the change for people (« Import du classeur ») and defaults to
    the kind's label."""
    return versioning.record_version(
        BudgetLineVersion,
        number=line.version if number is None else number,
        snapshot=line_snapshot(line),
        action=action or str(VersionKind(kind).label),
        by=by,
        line=line,
        line_ref=line.pk,
        contract_id=line.contract_id,
        label=line_label(line),
        kind=kind,
        amendment=amendment,
    )


def locked_line(line: BudgetLine) -> BudgetLine:
    # Ordered by pk only: the default ordering joins the nullable fiche, which FOR UPDATE refuses.
    stored = BudgetLine.objects.select_for_update().order_by("pk").filter(pk=line.pk).first()
    if stored is None:
        raise ValidationError(_("Cette ligne a été supprimée entre-temps."))
    return stored


def line_conflict(stored: BudgetLine, expected_version: int) -> BudgetLineConflict:
    versions = BudgetLineVersion.objects.filter(line_ref=stored.pk).select_related("author")
    base = versions.filter(number=expected_version).first()
    return BudgetLineConflict(
        record=stored,
        base=base.snapshot if base else None,
        base_number=expected_version,
        current=line_snapshot(stored),
        latest=versions.order_by("-number").first(),
    )


def _refuse_unless_open(contract, amendment) -> None:
    """A signed contract's planned lines change only through an avenant (`amendment`, the
    signed one being applied); an expired or terminated one never. No contract (a line
    without one, or whose contract is gone): the line's own validation says so."""
    if contract is None:
        return
    if amendment is not None:
        if amendment.contract_id != contract.pk:
            raise ValidationError(_("Cet avenant relève d'un autre contrat."))
        return
    if refusal := content_change_refusal(contract):
        raise PermissionDenied(refusal)


def _duplicate_error(line: BudgetLine) -> ValidationError:
    """The model's own message for the uniqueness constraint the line broke."""
    name = "budgetline_unique_post_year_fiche" if line.fiche_id else "budgetline_unique_post_year"
    constraint = next(c for c in BudgetLine._meta.constraints if c.name == name)
    return ValidationError({NON_FIELD_ERRORS: constraint.get_violation_error_message()})


@transaction.atomic
def budget_line_save(
    *,
    line: BudgetLine,
    by=None,
    expected_version: int | None = None,
    action: str | None = None,
    amendment=None,
) -> BudgetLine:
    """Create or update a budget line's forecast — planned amount, other receipts, new or
    continued action — and store the parties' forecast shares that `financing.psej` computes
    from the contract's funding terms. The actual figures are not written here (execution:
    `line_actuals_save`); a line keeps those it had.

    With `expected_version` (the version the editor started from), a line saved by someone
    else in between is not written: BudgetLineConflict says what they changed. A save that
    changes nothing adds no version. Every other save records one.

    Refused (PermissionDenied) on a signed contract unless `amendment` is the signed avenant
    being applied, and on an expired or terminated one always."""
    contract = lock_contract(line.contract_id)
    if contract is not None:  # no contract at all: full_clean below says so
        _refuse_unless_open(contract, amendment)
    stored = locked_line(line) if line.pk else None
    if stored and expected_version is not None and stored.version != expected_version:
        raise line_conflict(stored, expected_version)
    line.amount = round_money(line.amount)
    if stored:
        line.actual_expenses, line.actual_receipts = stored.actual_expenses, stored.actual_receipts
    line.updated_by = by
    line.full_clean()
    amounts = partners_by_id(forecast_shares(line, contract_terms(line.contract_id)))
    if error := line.contributions_error(amounts.values()):  # psej's invariant, kept honest
        raise ValidationError({"amount": error})
    if stored:
        if _content(line_snapshot(line, amounts)) == _content(line_snapshot(stored)):
            return stored
        line.version = stored.version + 1
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError as exc:  # a concurrent twin despite the lock: say so, in French
        raise _duplicate_error(line) from exc
    store_shares(line, amounts)
    record_line_version(
        line=line,
        kind=VersionKind.CHANGED if stored else VersionKind.CREATED,
        action=action,
        by=by,
        amendment=amendment,
    )
    mark_contract_changed(line.contract_id)
    return line


@transaction.atomic
def budget_line_delete(
    *, line: BudgetLine, by, expected_version: int | None = None, amendment=None, action=None
) -> BudgetLineVersion:
    """Delete a line that nothing was committed or paid against. Its history stays: a last
    version records the deletion, and every version keeps the line's contract and name.
    `amendment`: the signed avenant that removes it (no permission of the person then)."""
    if amendment is None:
        allowed, reason = can_change_budget(by, line.contract)
        if not allowed:
            raise PermissionDenied(reason)
    contract = lock_contract(line.contract_id)
    _refuse_unless_open(contract, amendment)
    stored = locked_line(line)
    if expected_version is not None and stored.version != expected_version:
        raise line_conflict(stored, expected_version)
    if entries := stored.entries.count():
        raise ValidationError(
            ngettext(
                "Cette ligne ne peut pas être supprimée : %(count)s engagement ou paiement y "
                "est déjà saisi. Une ligne exécutée reste au budget, pour que ses dépenses "
                "gardent leur ligne.",
                "Cette ligne ne peut pas être supprimée : %(count)s engagements ou paiements y "
                "sont déjà saisis. Une ligne exécutée reste au budget, pour que ses dépenses "
                "gardent leur ligne.",
                entries,
            )
            % {"count": entries}
        )
    version = record_line_version(
        line=stored,
        kind=VersionKind.DELETED,
        number=stored.version + 1,
        by=by,
        action=action,
        amendment=amendment,
    )
    stored.delete()
    version.line = None  # the database did the same (SET_NULL)
    mark_contract_changed(stored.contract_id)
    return version


@transaction.atomic
def execution_entry_record(*, entry: ExecutionEntry, by=None) -> ExecutionEntry:
    """Record a commitment or a payment; refused if paid would exceed committed, or committed
    planned. Checked against the line as stored once the contract is locked, not as the
    caller read it: its planned amount may have been lowered, or the line deleted, since.
    Execution stays open on a signed contract; an expired or terminated one is frozen."""
    contract = lock_contract(entry.line.contract_id)
    if refusal := execution_refusal(contract):
        raise PermissionDenied(refusal)
    entry.line = locked_line(entry.line)
    entry.created_by = entry.created_by or by
    entry.full_clean()
    entry.save()
    mark_contract_changed(entry.line.contract_id)
    return entry


@transaction.atomic
def execution_entry_delete(*, entry: ExecutionEntry, by=None) -> None:
    """Delete a commitment or payment recorded by mistake (from the admin). Refused if what
    stays would break paid ≤ committed (a commitment with payments against it)."""
    contract = lock_contract(entry.line.contract_id)
    if refusal := execution_refusal(contract):
        raise PermissionDenied(refusal)
    line = locked_line(entry.line)
    entry = ExecutionEntry.objects.get(pk=entry.pk)
    entry.delete()
    committed = line.entries.filter(kind=ExecutionKind.COMMITMENT).total()
    paid = line.entries.filter(kind=ExecutionKind.PAYMENT).total()
    if paid > committed:
        raise ValidationError(
            _(
                "Cet engagement ne peut pas être supprimé : les paiements de la ligne "
                "(%(paid)s) dépasseraient alors ses engagements (%(committed)s)."
            )
            % {"paid": format_eur(paid), "committed": format_eur(committed)}
        )
    mark_contract_changed(line.contract_id)
