"""Writes of the money cycle: a line's actual figures, the funders' payments and the
beneficiary's paybacks, the supporting documents received; and the contract's funding
terms, which the forecast shares of every line follow. Each function takes the contract's
lock, checks its rule again under it, and marks the contract changed for its pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cej.locking import lock_contract
from cej.models import ContractParty, PartyRole
from cej.money import format_eur, round_money
from cej.page_cache import mark_contract_changed
from cej.permissions import content_change_refusal
from financing.models import (
    BudgetLine,
    FunderPayment,
    FundingTerms,
    PaymentSchedule,
    SupportingDocument,
    VersionKind,
)
from financing.permissions import (
    can_declare_actuals,
    can_record_funder_payment,
    can_record_supporting_document,
    cycle_refusal,
)
from financing.services import (
    forecast_shares,
    line_conflict,
    line_snapshot,
    locked_line,
    partners_by_id,
    record_line_version,
    store_shares,
)
from financing.terms import contract_terms


def _allowed(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _person_or_system(decide, by, contract, *args, system: bool) -> None:
    """Check the person `by` with the predicate `decide`, or, for a write the application
    makes itself (`system=True`: the demo loader, which runs with no one logged in and
    possibly no account at all), check only the contract's state. A system write names no
    one: `by` must be None, and the rows say « saisi par » nobody, as an import would."""
    if not system:
        _allowed(decide(by, contract, *args))
        return
    if by is not None:
        raise ValueError("A system write names no person: by=None with system=True.")
    if refusal := cycle_refusal(contract):
        raise PermissionDenied(refusal)


@transaction.atomic
def line_actuals_save(
    *,
    line: BudgetLine,
    actual_expenses,
    actual_receipts,
    by,
    expected_version: int | None = None,
    system: bool = False,
) -> BudgetLine:
    """Declare (or correct, or with both None withdraw) a line's actual figures. Execution:
    open once the contract is signed, also after it ends (its last balance comes later).
    Recorded as a version of the line, « Réalisé déclaré ». `system`: see
    `_person_or_system`."""
    contract = lock_contract(line.contract_id)
    _person_or_system(can_declare_actuals, by, contract, system=system)
    stored = locked_line(line)
    if expected_version is not None and stored.version != expected_version:
        raise line_conflict(stored, expected_version)
    before = line_snapshot(stored)
    stored.actual_expenses = None if actual_expenses is None else round_money(actual_expenses)
    stored.actual_receipts = None if actual_receipts is None else round_money(actual_receipts)
    stored._clean_actuals()
    if line_snapshot(stored) == before:
        return stored
    stored.version += 1
    stored.updated_by = by
    stored.save(
        update_fields=["actual_expenses", "actual_receipts", "version", "updated_by", "updated_at"]
    )
    record_line_version(line=stored, kind=VersionKind.CHANGED, by=by, action=_("Réalisé déclaré"))
    mark_contract_changed(stored.contract_id)
    return stored


def _check_funder(contract, funder_id: int) -> None:
    if not ContractParty.objects.filter(
        contract_id=contract.pk, partner_id=funder_id, role=PartyRole.FUNDER
    ).exists():
        raise ValidationError({"funder": _("Cet organisme ne finance pas ce contrat.")})


def _check_year(contract, year) -> None:
    if year is None or not contract.covers_year(year):
        raise ValidationError(
            {
                "year": _("L'exercice %(year)s est hors de la période du contrat (%(period)s).")
                % {"year": year, "period": contract.period_label}
            }
        )


@transaction.atomic
def funder_payment_record(*, payment: FunderPayment, by, system: bool = False) -> FunderPayment:
    """Record an advance or a balance received from a funder, or a sum the beneficiary paid
    back to it. A payback never exceeds what the funder paid for that year. `system`: see
    `_person_or_system`."""
    contract = lock_contract(payment.contract_id)
    _person_or_system(can_record_funder_payment, by, contract, payment.funder_id, system=system)
    _check_funder(contract, payment.funder_id)
    _check_year(contract, payment.year)
    payment.recorded_by = by
    payment.full_clean()
    if payment.kind == "refund":
        movements = FunderPayment.objects.filter(
            contract_id=contract.pk, funder_id=payment.funder_id, year=payment.year
        ).exclude(pk=payment.pk)  # a refund being corrected counts once, as typed now
        paid = sum((m.amount for m in movements if m.kind != "refund"), round_money(0))
        refunded = sum((m.amount for m in movements if m.kind == "refund"), round_money(0))
        if refunded + payment.amount > paid:
            raise ValidationError(
                {
                    "amount": _(
                        "Un reversement ne peut pas dépasser ce que le financeur a versé pour "
                        "l'exercice : %(paid)s versés, %(refunded)s déjà reversés."
                    )
                    % {"paid": format_eur(paid), "refunded": format_eur(refunded)}
                }
            )
    payment.save()
    mark_contract_changed(contract.pk)
    return payment


@transaction.atomic
def funder_payment_delete(*, payment: FunderPayment, by) -> None:
    """Delete a payment recorded by mistake: the same people who record it."""
    contract = lock_contract(payment.contract_id)
    _allowed(can_record_funder_payment(by, contract, payment.funder_id))
    FunderPayment.objects.filter(pk=payment.pk).delete()
    mark_contract_changed(contract.pk)


@transaction.atomic
def supporting_document_record(
    *, document: SupportingDocument, by, system: bool = False
) -> SupportingDocument:
    """`system`: see `_person_or_system`."""
    contract = lock_contract(document.contract_id)
    _person_or_system(
        can_record_supporting_document, by, contract, document.funder_id, system=system
    )
    _check_funder(contract, document.funder_id)
    _check_year(contract, document.year)
    document.recorded_by = by
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        raise ValidationError(_("Ce justificatif est déjà enregistré comme reçu.")) from exc
    mark_contract_changed(contract.pk)
    return document


@transaction.atomic
def supporting_document_delete(*, document: SupportingDocument, by) -> None:
    contract = lock_contract(document.contract_id)
    _allowed(can_record_supporting_document(by, contract, document.funder_id))
    SupportingDocument.objects.filter(pk=document.pk).delete()
    mark_contract_changed(contract.pk)


def _refuse_content_change(contract) -> None:
    if refusal := content_change_refusal(contract):
        raise PermissionDenied(refusal)


def refresh_forecast_shares(contract_id: int) -> int:
    """Store every line's forecast shares as the terms now give them; the number of lines
    whose split changed. Call it under the contract's lock, after a change of terms or of
    the parties' roles."""
    terms = contract_terms(contract_id)
    changed = 0
    for line in BudgetLine.objects.filter(contract_id=contract_id).prefetch_related(
        "contributions"
    ):
        shares = forecast_shares(line, terms)
        current = {c.partner_id: c.amount for c in line.contributions.all()}
        if current != shares:
            store_shares(line, partners_by_id(shares))
            changed += 1
    return changed


@transaction.atomic
def funding_terms_save(*, terms: FundingTerms, by=None, amendment=None) -> FundingTerms:
    """Set one funder's terms for one instrument, and recompute the forecast shares of every
    line. Contract content: while it is prepared, or by the signed avenant being applied."""
    contract = lock_contract(terms.contract_id)
    if amendment is None:
        _refuse_content_change(contract)
    _check_funder(contract, terms.funder_id)
    terms.full_clean()
    terms.save()
    others = FundingTerms.objects.filter(contract_id=contract.pk, instrument=terms.instrument)
    if sum(t.share for t in others) > 100:
        raise ValidationError(
            {"share": _("Les parts des financeurs dépasseraient 100 % du reste à charge.")}
        )
    refresh_forecast_shares(contract.pk)
    mark_contract_changed(contract.pk)
    return terms


@transaction.atomic
def payment_schedule_save(*, schedule: PaymentSchedule, advances, by=None) -> PaymentSchedule:
    """Set one funder's payment schedule: `advances` is a list of (percent, day, month),
    in order; together they make at most 100 % of the year's forecast PSEJ."""
    contract = lock_contract(schedule.contract_id)
    _refuse_content_change(contract)
    _check_funder(contract, schedule.funder_id)
    schedule.full_clean()
    total = sum((percent for percent, _day, _month in advances), round_money(0))
    if total > 100:
        raise ValidationError(
            {
                "advances": _(
                    "Les acomptes font %(total)s %% de la PSEJ prévisionnelle, plus de 100 %%."
                )
                % {"total": total}
            }
        )
    schedule.save()
    schedule.advances.all().delete()
    for number, (percent, day, month) in enumerate(advances, start=1):
        advance = schedule.advances.model(
            schedule=schedule, number=number, percent=percent, due_day=day, due_month=month
        )
        advance.full_clean()
        advance.save()
    mark_contract_changed(contract.pk)
    return schedule
