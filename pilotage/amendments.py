"""Every change to an avenant while it is prepared and approved: opening it, proposing its
changes (fiches, planned lines, the annex convention's years, representatives), the CDAJE's
opinion, each party's deliberation, abandoning it. The signatures, the sealed act and the
application of the changes are `pilotage.amendment_apply`.

Each function is atomic, checks its predicate (`pilotage.permissions`), takes the contract's
lock first (`cej.locking`) and marks the contract changed (`cej.page_cache`). The contract
itself does not move before the last signature: proposals are kept beside it
(`pilotage.models`)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.dates import format_date_long
from cej.locking import lock_contract
from cej.models import Amendment, AmendmentStatus, PartnerDecision
from cej.money import format_eur, round_money
from cej.page_cache import mark_contract_changed
from fiches.models import Fiche, FicheStatus
from fiches.services import CONTENT_FIELDS, clean_content, snapshot_of
from financing.models import BudgetPost, ExecutionKind
from financing.psej import plan
from financing.terms import contract_terms
from notifications import recipients
from notifications.models import Kind
from notifications.services import notify
from pilotage.amendment_selectors import (
    amendment_page,
    instrument_years_ok,
    proposed_fiche_numbers,
    proposed_lines,
)
from pilotage.models import (
    AmendmentFicheChange,
    AmendmentLineChange,
    AmendmentRepresentativeChange,
    ChangeKind,
)
from pilotage.permissions import (
    can_abandon_amendment,
    can_edit_amendment,
    can_edit_amendment_budget,
    can_open_amendment,
    can_record_amendment_decision,
    can_record_amendment_opinion,
    can_record_contract_decision,
)


class ProposalConflict(versioning.VersionConflict):
    """The avenant's proposal changed since the editor opened it (`record` the proposal as
    stored)."""


def _check(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _locked(amendment: Amendment) -> Amendment:
    """The contract locked first, then the avenant as stored now."""
    lock_contract(amendment.contract_id)
    return Amendment.objects.select_related("contract__territory").get(pk=amendment.pk)


def _not_future(date: datetime.date, field: str) -> None:
    if date > timezone.localdate():
        raise ValidationError({field: _("La date ne peut pas être future.")})


@transaction.atomic
def amendment_open(*, contract, title: str, summary: str = "", by) -> Amendment:
    """« Avenant n° N » on a signed contract, in preparation."""
    contract = lock_contract(contract.pk)
    _check(can_open_amendment(by, contract))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Indiquez l'objet de l'avenant.")})
    last = contract.amendments.aggregate(last=Max("number"))["last"] or 0
    amendment = Amendment(
        contract=contract,
        number=last + 1,
        title=title[:250],
        summary=(summary or "").strip(),
        status=AmendmentStatus.DRAFT,
        opened_at=timezone.now(),
        opened_by=by,
    )
    amendment.full_clean()
    try:
        with transaction.atomic():
            amendment.save()
    except IntegrityError as exc:  # another one opened in the same instant
        raise ValidationError(
            _("Un avenant est déjà en cours sur ce contrat : terminez-le ou abandonnez-le.")
        ) from exc
    mark_contract_changed(contract.pk)
    notify(
        kind=Kind.AMENDMENT_OPENED,
        recipients=[*recipients.partner_users(contract), *recipients.cdaje_staff(contract)],
        title=_("Avenant n° %(number)s « %(title)s » ouvert")
        % {"number": amendment.number, "title": amendment.title},
        url=reverse("amendment_detail", kwargs={"slug": contract.slug, "number": amendment.number}),
        contract=contract,
        actor=by,
    )
    return amendment


@transaction.atomic
def amendment_update(
    *, amendment: Amendment, title: str, summary: str, new_end_year: int | None, by
) -> Amendment:
    """The avenant's object and statement of reasons, and the annex convention's new last
    year if it extends it (empty: the avenant leaves the convention's period alone)."""
    amendment = _locked(amendment)
    _check(can_edit_amendment(by, amendment))
    amendment.title = (title or "").strip()[:250]
    amendment.summary = (summary or "").strip()
    if not amendment.title:
        raise ValidationError({"title": _("Indiquez l'objet de l'avenant.")})
    contract = amendment.contract
    if new_end_year:
        annex = contract.annex_conventions.order_by("start_year").last()
        if annex is None:
            raise ValidationError(
                {"new_end_year": _("Ce contrat n'a pas de convention annexe à prolonger.")}
            )
        if new_end_year < annex.end_year:
            raise ValidationError(
                {
                    "new_end_year": _(
                        "La convention annexe couvre déjà jusqu'en %(end)s : un avenant la "
                        "prolonge, il ne la raccourcit pas."
                    )
                    % {"end": annex.end_year}
                }
            )
        amendment.annex_convention = annex if new_end_year != annex.end_year else None
        amendment.new_end_year = new_end_year if new_end_year != annex.end_year else None
    else:
        amendment.annex_convention, amendment.new_end_year = None, None
    amendment.full_clean()
    amendment.save()
    _check_lines_still_covered(amendment)
    mark_contract_changed(contract.pk)
    return amendment


def _check_lines_still_covered(amendment: Amendment) -> None:
    """Proposed annex lines must stay within the convention's years after the avenant."""
    for line in proposed_lines(amendment):
        if line.change is None:
            continue
        try:
            instrument_years_ok(amendment, line.post, line.year)
        except LookupError:
            raise ValidationError(
                {
                    "new_end_year": _(
                        "L'avenant prévoit une ligne « %(post)s » en %(year)s : la convention "
                        "annexe doit alors couvrir %(year)s."
                    )
                    % {"post": line.post, "year": line.year}
                }
            ) from None


# Fiches ---------------------------------------------------------------------------------


def _proposal_version_check(change, expected_version: int | None) -> None:
    if change is not None and expected_version is not None and change.version != expected_version:
        raise ProposalConflict(
            record=change,
            base=None,
            base_number=expected_version,
            current=change.proposed,
            latest=None,
        )


@transaction.atomic
def amendment_fiche_propose(
    *,
    amendment: Amendment,
    fiche: Fiche | None,
    changes: dict,
    associated_partners,
    aims,
    by,
    expected_version: int | None = None,
) -> AmendmentFicheChange:
    """The avenant revises `fiche` (or adds a new one, `fiche` None) as `changes` say. The
    fiche is checked as it will stand; the contract's own fiche does not change until the
    avenant is signed. Saving again replaces the proposal (`expected_version`: the proposal's
    version the editor started from)."""
    amendment = _locked(amendment)
    _check(can_edit_amendment(by, amendment))
    contract = amendment.contract
    change = None
    if fiche is not None:
        if fiche.contract_id != contract.pk:
            raise ValidationError(_("Cette fiche relève d'un autre contrat."))
        change = amendment.fiche_changes.filter(fiche=fiche).first()
        if change is not None and change.kind == ChangeKind.WITHDRAW:
            raise ValidationError(
                _("L'avenant retire cette fiche : annulez le retrait avant de la modifier.")
            )
    _proposal_version_check(change, expected_version)
    candidate = Fiche.objects.get(pk=fiche.pk) if fiche is not None else Fiche()
    content = clean_content({k: v for k, v in changes.items() if k in CONTENT_FIELDS})
    for name, value in content.items():
        setattr(candidate, name, value)
    # The form gives the objective and the lead partner as objects, a caller may give ids.
    for name in ("objective", "lead_partner", "objective_id", "lead_partner_id"):
        if name in changes:
            setattr(candidate, name, changes[name])
    if candidate.objective_id is None or candidate.objective.contract_id != contract.pk:
        raise ValidationError({"objective": _("Choisissez un objectif de ce contrat.")})
    if fiche is None:
        candidate.number = _next_fiche_number(amendment)
    candidate.status = FicheStatus.VALIDATED
    candidate.validated_on = timezone.localdate()
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    proposed = {
        **{name: getattr(candidate, name) for name in CONTENT_FIELDS},
        "objective_id": candidate.objective_id,
        "lead_partner_id": candidate.lead_partner_id,
        "associated_partner_ids": sorted(p.pk for p in associated_partners),
        "aim_ids": sorted(a.pk for a in aims),
    }
    if fiche is not None and change is None:
        current = snapshot_of(fiche)
        if all(current.get(k) == v for k, v in proposed.items()):
            raise ValidationError(_("Rien n'a changé dans la fiche : l'avenant ne la modifie pas."))
    if change is None:
        change = AmendmentFicheChange(
            amendment=amendment,
            kind=ChangeKind.REVISE if fiche is not None else ChangeKind.ADD,
            fiche=fiche,
            number=fiche.number if fiche is not None else candidate.number,
        )
    else:
        change.version += 1
    change.proposed = proposed
    change.updated_by = by
    change.save()
    mark_contract_changed(contract.pk)
    return change


def _next_fiche_number(amendment: Amendment) -> int:
    numbers = [
        *amendment.contract.fiches.values_list("number", flat=True),
        *amendment.fiche_changes.values_list("number", flat=True),
    ]
    return max(numbers, default=0) + 1


@transaction.atomic
def amendment_fiche_withdraw(*, amendment: Amendment, fiche: Fiche, by) -> AmendmentFicheChange:
    """The avenant withdraws the fiche from the contract (it stays, marked withdrawn)."""
    amendment = _locked(amendment)
    _check(can_edit_amendment(by, amendment))
    if fiche.contract_id != amendment.contract_id:
        raise ValidationError(_("Cette fiche relève d'un autre contrat."))
    if fiche.status == FicheStatus.WITHDRAWN:
        raise ValidationError(_("Cette fiche est déjà retirée du contrat."))
    funded = [
        line
        for line in proposed_lines(amendment)
        if line.fiche_number == fiche.number and line.amount > 0
    ]
    if funded:
        raise ValidationError(
            _(
                "La fiche n° %(number)s finance encore %(count)s ligne(s) budgétaire(s) "
                "(%(years)s) : réaffectez-les ou retirez-les dans l'avenant d'abord."
            )
            % {
                "number": fiche.number,
                "count": len(funded),
                "years": ", ".join(str(line.year) for line in funded),
            }
        )
    amendment.fiche_changes.filter(fiche=fiche).delete()
    change = AmendmentFicheChange.objects.create(
        amendment=amendment,
        kind=ChangeKind.WITHDRAW,
        fiche=fiche,
        number=fiche.number,
        proposed={},
        updated_by=by,
    )
    mark_contract_changed(amendment.contract_id)
    return change


@transaction.atomic
def amendment_change_cancel(*, change, by) -> None:
    """Drop one of the avenant's proposals (a fiche, a line or a representative change):
    the contract's record stays as signed."""
    amendment = _locked(change.amendment)
    if isinstance(change, AmendmentLineChange):
        _check(can_edit_amendment_budget(by, amendment))
    else:
        _check(can_edit_amendment(by, amendment))
    if isinstance(change, AmendmentFicheChange) and change.kind == ChangeKind.ADD:
        funding = [line for line in proposed_lines(amendment) if line.fiche_number == change.number]
        if funding:
            raise ValidationError(
                _("Des lignes proposées financent la fiche n° %(number)s : retirez-les d'abord.")
                % {"number": change.number}
            )
    type(change).objects.filter(pk=change.pk).delete()
    mark_contract_changed(amendment.contract_id)


# Budget lines ----------------------------------------------------------------------------


def _money(value, field: str) -> Decimal:
    try:
        amount = round_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            {field: _("Montant illisible : %(value)s.") % {"value": value}}
        ) from None
    if amount < 0:
        raise ValidationError({field: _("Un montant ne peut pas être négatif.")})
    return amount


@transaction.atomic
def amendment_line_propose(
    *,
    amendment: Amendment,
    line=None,
    year: int,
    post: BudgetPost,
    fiche_number: int | None,
    label: str,
    amount,
    other_receipts=Decimal("0.00"),
    continued: bool = False,
    by,
    expected_version: int | None = None,
    change: AmendmentLineChange | None = None,
) -> AmendmentLineChange:
    """The avenant reallocates `line` (or adds a line, `line` None; `change`: the added
    line's proposal being edited) as given: its forecast expenses (`amount`, what the
    contract allocates), its other forecast receipts and whether the action is carried over
    from the previous contract. Its financing — each funder's PSEJ, the beneficiary's share —
    is not proposed: it follows from the contract's terms, computed when shown and stored
    when the line is applied. Checked as the line will stand: within the contract's years,
    on a *poste* of the right instrument within the annex convention's years after the
    avenant, funding a fiche the contract will have, other receipts within the expenses,
    never below what is already committed, one line per year, *poste* and fiche. The annual
    envelope is checked on the whole result when the avenant goes to the CDAJE (a
    reallocation passes through intermediate states)."""
    amendment = _locked(amendment)
    _check(can_edit_amendment_budget(by, amendment))
    contract = amendment.contract
    if change is not None:
        change = amendment.line_changes.filter(pk=change.pk, kind=ChangeKind.ADD).first()
        if change is None:
            raise ValidationError(_("Cette proposition a été retirée de l'avenant entre-temps."))
    if line is not None:
        if line.contract_id != contract.pk:
            raise ValidationError(_("Cette ligne relève d'un autre contrat."))
        change = amendment.line_changes.filter(line=line).first()
        if change is not None and change.kind == ChangeKind.WITHDRAW:
            raise ValidationError(
                _("L'avenant retire cette ligne : annulez le retrait avant de la modifier.")
            )
    _proposal_version_check(change, expected_version)
    errors = {}
    if not contract.covers_year(year):
        errors["year"] = _("L'année %(year)s est hors de la période du contrat (%(period)s).") % {
            "year": year,
            "period": contract.period_label,
        }
    else:
        try:
            instrument_years_ok(amendment, post, year)
        except LookupError:
            errors["post"] = _(
                "La convention annexe ne couvre pas %(year)s, même après l'avenant : le poste "
                "« %(post)s » ne peut pas y être financé (prolongez la convention dans "
                "l'avenant)."
            ) % {"year": year, "post": post}
    if fiche_number and fiche_number not in proposed_fiche_numbers(amendment):
        errors["fiche"] = _("La fiche n° %(number)s ne fait pas partie du contrat.") % {
            "number": fiche_number
        }
    amount = _money(amount, "amount")
    receipts = _money(other_receipts or 0, "other_receipts")
    if receipts > amount:
        errors["other_receipts"] = _(
            "Les autres recettes prévues (%(receipts)s) dépassent les dépenses prévues "
            "(%(amount)s) : le reste à charge serait négatif."
        ) % {"receipts": format_eur(receipts), "amount": format_eur(amount)}
    if line is not None:
        committed = line.entries.filter(kind=ExecutionKind.COMMITMENT).total()
        if amount < committed:
            errors["amount"] = _(
                "Le prévu (%(amount)s) serait inférieur aux engagements déjà saisis "
                "(%(committed)s)."
            ) % {"amount": format_eur(amount), "committed": format_eur(committed)}
    key = (year, post.pk, fiche_number or None)
    for other in proposed_lines(amendment):
        same = (line is not None and other.line is not None and other.line.pk == line.pk) or (
            change is not None and other.change is not None and other.change.pk == change.pk
        )
        if not same and other.key == key:
            errors.setdefault(
                "post", _("Une ligne existe déjà pour ce poste, cette année et cette fiche.")
            )
    if not errors:
        errors.update(_financing_errors(contract, post, amount, receipts, continued))
    if errors:
        raise ValidationError(errors)
    proposed = {
        "year": year,
        "post_id": post.pk,
        "fiche_number": fiche_number or None,
        "label": (label or "").replace("\x00", "").strip()[:250],
        "amount": str(amount),
        "other_receipts": str(receipts),
        "continued": bool(continued),
    }
    if line is not None and change is None and proposed == _line_as_proposal(line):
        raise ValidationError(_("Rien n'a changé dans la ligne : l'avenant ne la modifie pas."))
    if change is None:
        change = AmendmentLineChange(
            amendment=amendment,
            kind=ChangeKind.REVISE if line is not None else ChangeKind.ADD,
            line=line,
        )
    else:
        change.version += 1
    change.proposed = proposed
    change.updated_by = by
    change.save()
    mark_contract_changed(contract.pk)
    return change


def _financing_errors(contract, post, amount, receipts, continued) -> dict:
    """The share the funders leave needs a beneficiary to carry it (as the line's save will
    require, `financing.services.forecast_shares`): refused now rather than at the last
    signature."""
    terms = contract_terms(contract.pk)
    if terms.beneficiary_id is not None:
        return {}
    financing = plan(
        expenses=amount,
        receipts=receipts,
        continued=continued,
        terms=terms.by_instrument.get(post.instrument, ()),
    )
    if not financing.own_share:
        return {}
    return {
        "amount": _(
            "Ce contrat n'a pas de bénéficiaire parmi ses parties : la part de %(amount)s que "
            "les financeurs ne prennent pas en charge n'aurait pas de porteur."
        )
        % {"amount": format_eur(financing.own_share)}
    }


def _line_as_proposal(line) -> dict:
    """A stored line in the shape of a proposal, to tell a revision that changes nothing."""
    return {
        "year": line.year,
        "post_id": line.post_id,
        "fiche_number": line.fiche.number if line.fiche_id else None,
        "label": line.label,
        "amount": str(round_money(line.amount)),
        "other_receipts": str(round_money(line.other_receipts or 0)),
        "continued": bool(line.continued),
    }


@transaction.atomic
def amendment_line_remove(*, amendment: Amendment, line, by) -> AmendmentLineChange:
    """The avenant removes a planned line nothing was committed or paid against."""
    amendment = _locked(amendment)
    _check(can_edit_amendment_budget(by, amendment))
    if line.contract_id != amendment.contract_id:
        raise ValidationError(_("Cette ligne relève d'un autre contrat."))
    if line.entries.exists():
        raise ValidationError(
            _(
                "Des engagements ou paiements sont saisis sur cette ligne : l'avenant peut en "
                "réduire le prévu jusqu'aux engagements, pas la retirer."
            )
        )
    amendment.line_changes.filter(line=line).delete()
    change = AmendmentLineChange.objects.create(
        amendment=amendment, kind=ChangeKind.WITHDRAW, line=line, proposed={}, updated_by=by
    )
    mark_contract_changed(amendment.contract_id)
    return change


# Representatives -------------------------------------------------------------------------


@transaction.atomic
def amendment_representative_change(
    *, amendment: Amendment, leaving, civility: str, first_name: str, last_name: str, by
) -> AmendmentRepresentativeChange:
    """A party's representative replaced by a new person in the same function."""
    amendment = _locked(amendment)
    _check(can_edit_amendment(by, amendment))
    if (
        not leaving.is_active
        or not amendment.contract.parties.filter(partner_id=leaving.partner_id).exists()
    ):
        raise ValidationError(
            {"leaving": _("Choisissez un représentant en fonction d'une partie au contrat.")}
        )
    change = AmendmentRepresentativeChange(
        amendment=amendment,
        leaving=leaving,
        civility=civility,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
    )
    change.full_clean()
    change.save()
    mark_contract_changed(amendment.contract_id)
    return change


# Opinion, decisions, abandon -------------------------------------------------------------


@transaction.atomic
def amendment_record_opinion(*, amendment: Amendment, plenary_date: datetime.date, by):
    """The CDAJE gave its opinion on the avenant in plenary: its changes are fixed, and the
    parties' boards may decide. Refused while the avenant changes nothing or would leave a
    year above the annual envelope."""
    amendment = _locked(amendment)
    _check(can_record_amendment_opinion(by, amendment))
    if amendment.status != AmendmentStatus.DRAFT:
        raise ValidationError(_("La CDAJE a déjà rendu son avis sur cet avenant."))
    _not_future(plenary_date, "plenary_date")
    contract = amendment.contract
    if contract.signed_on and plenary_date < contract.signed_on:
        raise ValidationError(
            {"plenary_date": _("La plénière ne peut pas précéder la signature du contrat.")}
        )
    page = amendment_page(amendment)
    if not page.has_changes:
        raise ValidationError(_("L'avenant ne modifie encore rien : proposez ses modifications."))
    if errors := page.envelope_errors:
        raise ValidationError(errors)
    amendment.status = AmendmentStatus.APPROVAL
    amendment.opinion_on = plenary_date
    amendment.save(update_fields=["status", "opinion_on"])
    mark_contract_changed(contract.pk)
    return amendment


@transaction.atomic
def amendment_reopen(*, amendment: Amendment, by) -> Amendment:
    """Back to preparation (the opinion withdrawn), while no party has decided yet."""
    amendment = _locked(amendment)
    _check(can_record_amendment_opinion(by, amendment))
    if amendment.status != AmendmentStatus.APPROVAL:
        raise ValidationError(_("L'avenant est déjà en préparation."))
    if amendment.decisions.exists():
        raise ValidationError(
            _("Une partie a déjà délibéré sur l'avenant : il ne peut plus être repris.")
        )
    amendment.status = AmendmentStatus.DRAFT
    amendment.opinion_on = None
    amendment.save(update_fields=["status", "opinion_on"])
    mark_contract_changed(amendment.contract_id)
    return amendment


def _decision(*, contract, amendment, partner, body, reference, decided_on, by) -> PartnerDecision:
    if not contract.parties.filter(partner=partner).exists():
        raise ValidationError(
            {"partner": _("%(partner)s n'est pas partie au contrat.") % {"partner": partner}}
        )
    _not_future(decided_on, "decided_on")
    decision = PartnerDecision(
        contract=contract,
        amendment=amendment,
        partner=partner,
        body=(body or "").strip(),
        reference=(reference or "").strip(),
        decided_on=decided_on,
        recorded_by=by,
    )
    decision.full_clean()
    decision.save()
    mark_contract_changed(contract.pk)
    return decision


@transaction.atomic
def amendment_record_decision(
    *, amendment: Amendment, partner, body: str, reference: str, decided_on, by
) -> PartnerDecision:
    """A party's board approved the avenant and authorised its representatives to sign."""
    amendment = _locked(amendment)
    _check(can_record_amendment_decision(by, amendment))
    if decided_on < amendment.opinion_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "La délibération ne peut pas précéder l'avis de la CDAJE (%(date)s)."
                )
                % {"date": format_date_long(amendment.opinion_on)}
            }
        )
    return _decision(
        contract=amendment.contract,
        amendment=amendment,
        partner=partner,
        body=body,
        reference=reference,
        decided_on=decided_on,
        by=by,
    )


@transaction.atomic
def contract_record_decision(
    *, contract, partner, body: str, reference: str, decided_on, by
) -> PartnerDecision:
    """A party's board approved the contract itself (printed in its acts)."""
    contract = lock_contract(contract.pk)
    _check(can_record_contract_decision(by, contract))
    if contract.signed_on and decided_on > contract.signed_on:
        raise ValidationError(
            {"decided_on": _("La délibération qui autorise la signature la précède.")}
        )
    return _decision(
        contract=contract,
        amendment=None,
        partner=partner,
        body=body,
        reference=reference,
        decided_on=decided_on,
        by=by,
    )


@transaction.atomic
def amendment_abandon(*, amendment: Amendment, reason: str, by) -> Amendment:
    """Abandon an avenant nobody has signed: kept, marked abandoned, its proposals with it;
    the contract stays as it was and another avenant may be opened."""
    amendment = _locked(amendment)
    _check(can_abandon_amendment(by, amendment))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi l'avenant est abandonné.")})
    amendment.status = AmendmentStatus.ABANDONED
    amendment.abandoned_on = timezone.localdate()
    amendment.abandon_reason = reason
    amendment.save(update_fields=["status", "abandoned_on", "abandon_reason"])
    mark_contract_changed(amendment.contract_id)
    return amendment
