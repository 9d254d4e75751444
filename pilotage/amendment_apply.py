"""The signature of an avenant and what its last signature does, in one transaction: the
avenant becomes signed, its changes are applied to the contract through the apps' services,
each version naming the avenant, and its act is rendered once, sealed (PAdES) and stored with
its SHA-256 (`pilotage.signing.amendment_seal`). The contract's lock, taken first, makes two
last signatures recorded at once apply it exactly once: the second sees it signed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.locking import lock_contract
from cej.models import Amendment, AmendmentSignature, AmendmentStatus, AnnexConvention
from cej.page_cache import mark_contract_changed
from fiches.models import Fiche
from fiches.services import fiche_amend, snapshot_of
from financing.models import BudgetLine
from financing.services import budget_line_delete, budget_line_save, line_snapshot
from notifications import recipients
from notifications.models import Kind
from notifications.services import notify
from partners.models import Signatory
from pilotage import amendment_indicators
from pilotage.amendment_selectors import (
    amendment_page,
    budget_years,
    instrument_years_ok,
    proposed_lines,
)
from pilotage.models import ChangeKind
from pilotage.permissions import can_record_amendment_decision


@transaction.atomic
def amendment_record_signature(
    *, amendment: Amendment, signatory: Signatory, signed_on: datetime.date, place: str, by
) -> AmendmentSignature:
    """One representative signed the avenant. Every party must have deliberated first; the
    last signature seals the avenant and applies it."""
    lock_contract(amendment.contract_id)
    amendment = Amendment.objects.select_related("contract__territory").get(pk=amendment.pk)
    allowed, reason = can_record_amendment_decision(by, amendment)
    if not allowed:
        raise PermissionDenied(reason)
    page = amendment_page(amendment)
    if page.missing_decisions:
        raise ValidationError(
            _("Toutes les parties doivent avoir délibéré avant la signature (manque : %(list)s).")
            % {"list": ", ".join(p.name for p in page.missing_decisions)}
        )
    if signatory.pk not in {s.pk for s in page.missing_signatories}:
        raise ValidationError(
            {
                "signatory": _(
                    "%(person)s n'est pas un représentant en fonction d'une partie, ou a déjà "
                    "signé l'avenant."
                )
                % {"person": signatory.full_name}
            }
        )
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("La date de signature ne peut pas être future.")})
    latest_decision = max(d.decided_on for d in page.decisions.values())
    if signed_on < latest_decision:
        raise ValidationError(
            {"signed_on": _("La signature ne peut pas précéder les délibérations des parties.")}
        )
    if signed_on.year > amendment.contract.end_year:
        raise ValidationError(
            {
                "signed_on": _("Le contrat s'achève en %(end)s.")
                % {"end": amendment.contract.end_year}
            }
        )
    place = (place or "").strip()
    if not place:
        raise ValidationError({"place": _("Indiquez le lieu de signature.")})
    signature = AmendmentSignature.objects.create(
        amendment=amendment, signatory=signatory, signed_on=signed_on, place=place, recorded_by=by
    )
    if len(page.missing_signatories) == 1:
        amendment_finalise(amendment, by=by)
    mark_contract_changed(amendment.contract_id)
    return signature


@transaction.atomic
def amendment_finalise(amendment: Amendment, *, by=None, seal: bool = True):
    """Sign, apply and seal. What the avenant found is kept first (`_keep_before`), so the
    act and the history state the changes against the contract as it stood. `seal=False`
    only for the demo loaded without a seal certificate: it seals the act later
    (`demo.loire.seal_demo_documents`), from what was kept."""
    from pilotage.signing import amendment_seal

    contract = lock_contract(amendment.contract_id)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status == AmendmentStatus.SIGNED:
        return amendment  # applied by a concurrent last signature: nothing twice
    last = amendment.signatures.order_by("-signed_on", "-recorded_at").first()
    amendment.status = AmendmentStatus.SIGNED
    amendment.signed_on = last.signed_on
    amendment.signing_place = last.place
    amendment.save(update_fields=["status", "signed_on", "signing_place"])
    amendment.contract = contract
    _keep_before(amendment)
    _apply(amendment, by=by)
    # Sealed last: a change that no longer applies (a line committed beyond its reduction
    # since the proposal) refuses the signature before an act is rendered and stored. The
    # act reads what `_keep_before` kept, so it says the same as if rendered before.
    if seal:
        amendment_seal(amendment, by=by)
    mark_contract_changed(contract.pk)
    notify(
        kind=Kind.AMENDMENT_SIGNED,
        recipients=[*recipients.partner_users(contract), *recipients.cdaje_staff(contract)],
        title=_("Avenant n° %(number)s « %(title)s » signé")
        % {"number": amendment.number, "title": amendment.title},
        url=reverse("amendment_detail", kwargs={"slug": contract.slug, "number": amendment.number}),
        contract=contract,
        actor=by,
    )
    return amendment


def _keep_before(amendment: Amendment) -> None:
    """The fiches, lines, budget per year and annex convention's last year as the avenant
    finds them, kept on the avenant and its changes. The budget is computed from the stored
    lines and the proposals: the avenant is already marked signed here, and its page would
    read a signed avenant's budget from what this function is about to keep."""
    amendment.applied_budget = {
        str(y.year): [str(y.before), str(y.after)] for y in budget_years(amendment)
    }
    if amendment.annex_convention_id:
        amendment.previous_end_year = amendment.annex_convention.end_year
    amendment.save(update_fields=["applied_budget", "previous_end_year"])
    for change in amendment.fiche_changes.select_related("fiche"):
        if change.fiche is not None:
            change.before = snapshot_of(change.fiche)
            change.save(update_fields=["before"])
    for change in amendment.line_changes.select_related("line__post", "line__fiche"):
        if change.line is not None:
            change.before = line_snapshot(change.line)
            change.save(update_fields=["before"])
    amendment_indicators.keep_before(amendment)


def _apply(amendment: Amendment, *, by) -> None:
    contract = amendment.contract
    label = _("Avenant n° %(number)s") % {"number": amendment.number}
    # The annex convention first: lines of the new years need it.
    if amendment.annex_convention_id and amendment.new_end_year:
        AnnexConvention.objects.filter(pk=amendment.annex_convention_id).update(
            end_year=amendment.new_end_year
        )
    # Fiches: added ones exist before lines fund them.
    for change in amendment.fiche_changes.order_by("number"):
        fiche_amend(
            amendment=amendment,
            fiche=change.fiche,
            number=change.number,
            proposed=change.proposed,
            withdraw=change.kind == ChangeKind.WITHDRAW,
            by=by,
        )
    # The targets of the fiches' indicators (a withdrawn fiche keeps its indicators).
    amendment_indicators.apply(amendment, by=by)
    fiche_ids = dict(Fiche.objects.filter(contract=contract).values_list("number", "pk"))
    # Lines: removals and reductions before increases and additions, so that no year goes
    # above the envelope on the way (the result was checked when the CDAJE gave its opinion).
    for change in amendment.line_changes.filter(kind=ChangeKind.WITHDRAW):
        budget_line_delete(line=change.line, by=by, amendment=amendment, action=label)
    proposals = [p for p in proposed_lines(amendment) if p.change is not None]
    proposals.sort(key=lambda p: (p.line is None, p.amount - (p.line.amount if p.line else 0)))
    # The line's forecast shares are computed from the contract's terms as it is saved.
    for proposed in proposals:
        line = BudgetLine.objects.get(pk=proposed.line.pk) if proposed.line else BudgetLine()
        line.contract = contract
        line.year = proposed.year
        line.post = proposed.post
        line.fiche_id = fiche_ids.get(proposed.fiche_number) if proposed.fiche_number else None
        line.label = proposed.label
        line.amount = proposed.amount
        line.other_receipts = proposed.other_receipts
        line.continued = proposed.continued
        line.annex_convention_id = instrument_years_ok(amendment, proposed.post, proposed.year)
        budget_line_save(
            line=line,
            by=by,
            action=label,
            amendment=amendment,
        )
    for change in amendment.representative_changes.select_related("leaving"):
        leaving = change.leaving
        arriving = Signatory.objects.create(
            partner_id=leaving.partner_id,
            civility=change.civility,
            first_name=change.first_name,
            last_name=change.last_name,
            function=leaving.function,
            order=leaving.order,
            is_active=True,
        )
        Signatory.objects.filter(pk=leaving.pk).update(is_active=False)
        change.arriving = arriving
        change.save(update_fields=["arriving"])
