"""Every change to a fiche: creation, edit, workflow transition, restoration. Each is atomic,
checks its permission predicate, takes the contract's lock first (`cej.locking`), records a
version (who, when, what) that is never edited afterwards (`cej.versioning`), and marks the
contract changed for its cached pages (`cej.page_cache`)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.html import sanitize_rich_text
from cej.locking import lock_contract
from cej.models import Contract
from cej.page_cache import mark_contract_changed
from cej.permissions import content_change_refusal
from fiches.models import Aim, Fiche, FicheStatus, FicheVersion
from fiches.permissions import (
    can_create_fiche,
    can_edit_fiche,
    can_restore_version,
    can_transition,
)
from fiches.workflow import EDITABLE_STATUSES, TRANSITIONS
from notifications import recipients
from notifications.models import Kind
from notifications.services import notify
from partners.models import Partner

TEXT_FIELDS = ["title", "budget_note"]
RICH_TEXT_FIELDS = ["findings", "goals", "actions", "target_public", "calendar", "indicators"]
CONTENT_FIELDS = ["title", *RICH_TEXT_FIELDS, "budget_note"]
RELATION_FIELDS = ["objective_id", "lead_partner_id"]
MANY_FIELDS = ["associated_partner_ids", "aim_ids"]


class EditConflict(versioning.VersionConflict):
    """The fiche changed since the editor opened it (see `cej.versioning.VersionConflict`):
    `record` is the fiche as stored, `latest` its last version row."""


def snapshot_of(fiche: Fiche) -> dict:
    """Everything a version keeps, as JSON-ready values (ids for relations)."""
    return {
        **{field: getattr(fiche, field) for field in CONTENT_FIELDS},
        "objective_id": fiche.objective_id,
        "lead_partner_id": fiche.lead_partner_id,
        "associated_partner_ids": sorted(p.pk for p in fiche.associated_partners.all()),
        "aim_ids": sorted(a.pk for a in fiche.aims.all()),
        "status": fiche.status,
        "validated_on": fiche.validated_on.isoformat() if fiche.validated_on else None,
    }


def record_version(*, fiche: Fiche, action: str, by, amendment=None) -> FicheVersion:
    return versioning.record_version(
        FicheVersion,
        fiche=fiche,
        number=fiche.version,
        snapshot=snapshot_of(fiche),
        action=action,
        by=by,
        amendment=amendment,
    )


def clean_content(changes: dict) -> dict:
    cleaned = dict(changes)
    for field in RICH_TEXT_FIELDS:
        if field in cleaned:
            cleaned[field] = sanitize_rich_text(cleaned[field])
    for field in TEXT_FIELDS:
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").replace("\x00", "").strip()
    return cleaned


def _check(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


@transaction.atomic
def fiche_create(
    *, contract: Contract, changes: dict, associated_partners, aims, by, action: str | None = None
) -> Fiche:
    """A new draft fiche, numbered after the contract's last one."""
    _check(can_create_fiche(by, contract))
    # Also makes two fiches created at once never take the same number.
    locked = lock_contract(contract.pk)
    if refusal := content_change_refusal(locked):  # signed since the check above
        raise PermissionDenied(refusal)
    last = Fiche.objects.filter(contract=contract).aggregate(last=Max("number"))["last"] or 0
    fiche = Fiche(
        number=last + 1, status=FicheStatus.DRAFT, updated_by=by, **clean_content(changes)
    )
    fiche.full_clean()
    if fiche.objective.contract_id != contract.pk:
        raise ValidationError({"objective": _("Cet objectif relève d'un autre contrat.")})
    fiche.save()
    fiche.associated_partners.set(associated_partners)
    fiche.aims.set(aims)
    record_version(fiche=fiche, action=action or _("Création"), by=by)
    mark_contract_changed(contract.pk)
    return fiche


@transaction.atomic
def fiche_update(
    *,
    fiche: Fiche,
    changes: dict,
    associated_partners,
    aims,
    expected_version: int,
    by,
    action: str | None = None,
) -> Fiche:
    """Save an edit made from `expected_version`. If anybody saved in between, nothing is
    written and EditConflict says what they changed; nothing is lost either way."""
    _check(can_edit_fiche(by, fiche))
    contract = lock_contract(fiche.contract_id)
    # Checked again as the locked contract stands: it may have been signed since the check
    # above, and a signed contract's fiches change only through an avenant.
    if refusal := content_change_refusal(contract):
        raise PermissionDenied(refusal)
    changes = clean_content(changes)
    candidate = Fiche.objects.get(pk=fiche.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    candidate.full_clean()
    if candidate.contract_id != fiche.contract_id:
        raise ValidationError({"objective": _("Cet objectif relève d'un autre contrat.")})

    new_many = {
        "associated_partner_ids": sorted(p.pk for p in associated_partners),
        "aim_ids": sorted(a.pk for a in aims),
    }
    current = Fiche.objects.get(pk=fiche.pk)
    if current.version == expected_version:
        before = snapshot_of(current)
        after = {**before, **{f: getattr(candidate, f) for f in CONTENT_FIELDS}, **new_many}
        after.update({f: getattr(candidate, f) for f in RELATION_FIELDS})
        if after == before:
            return current  # nothing changed: no new version

    updated = Fiche.objects.filter(
        pk=fiche.pk, version=expected_version, status__in=EDITABLE_STATUSES
    ).update(
        **{f: getattr(candidate, f) for f in [*CONTENT_FIELDS, *RELATION_FIELDS]},
        contract_id=candidate.contract_id,
        version=F("version") + 1,
        updated_by=by,
        updated_at=timezone.now(),
    )
    if not updated:
        current = Fiche.objects.get(pk=fiche.pk)
        if current.version != expected_version:
            base = current.versions.filter(number=expected_version).first()
            latest = current.versions.select_related("author").order_by("-number").first()
            raise EditConflict(
                record=current,
                base=base.snapshot if base else None,
                base_number=expected_version,
                current=snapshot_of(current),
                latest=latest,
            )
        _check(can_edit_fiche(by, current))
    saved = Fiche.objects.get(pk=fiche.pk)
    saved.associated_partners.set(associated_partners)
    saved.aims.set(aims)
    record_version(fiche=saved, action=action or _("Modification"), by=by)
    mark_contract_changed(saved.contract_id)
    return saved


@transaction.atomic
def fiche_transition(
    *, fiche: Fiche, name: str, by, plenary_date: datetime.date | None = None
) -> Fiche:
    """Move a fiche along the workflow table (fiches.workflow.TRANSITIONS)."""
    lock_contract(fiche.contract_id)
    fiche = (
        Fiche.objects.select_for_update(of=("self",)).select_related("contract").get(pk=fiche.pk)
    )
    _check(can_transition(by, fiche, name))
    transition = TRANSITIONS[name]
    if transition.needs_plenary_date:
        if not plenary_date:
            raise ValidationError(
                {"plenary_date": _("Indiquez la date de la plénière de la CDAJE.")}
            )
        fiche.validated_on = plenary_date
    elif transition.target != FicheStatus.VALIDATED:
        fiche.validated_on = None
    fiche.status = transition.target
    fiche.version += 1
    fiche.updated_by = by
    fiche.full_clean()
    fiche.save()
    record_version(fiche=fiche, action=str(transition.label), by=by)
    mark_contract_changed(fiche.contract_id)
    if notice := _transition_notice(fiche, name):
        kind, title, people = notice
        notify(
            kind=kind,
            recipients=people,
            title=title,
            url=reverse(
                "fiche_detail", kwargs={"slug": fiche.contract.slug, "number": fiche.number}
            ),
            contract=fiche.contract,
            actor=by,
        )
    return fiche


def _transition_notice(fiche: Fiche, name: str):
    """(kind, title, recipients) of what a transition tells, or None: a fiche submitted
    goes to the territory's CDAJE coordination, which records the plenary's opinion; the
    opinion, or the fiche sent back for revision, goes to its authors and to the members of
    its lead partner."""
    names = {"number": fiche.number, "title": fiche.title}
    if name == "submit":
        title = _("Fiche %(number)s « %(title)s » soumise à la CDAJE") % names
        return Kind.FICHE_SUBMITTED, title, recipients.coordinators(fiche.contract)
    if name == "validate":
        kind = Kind.OPINION_RECORDED
        title = _("Avis favorable de la CDAJE sur la fiche %(number)s « %(title)s »") % names
    elif name == "reopen":
        kind = Kind.FICHE_RETURNED
        title = _("Fiche %(number)s « %(title)s » rouverte pour révision") % names
    elif name == "return_to_draft":
        kind = Kind.FICHE_RETURNED
        title = _("Fiche %(number)s « %(title)s » renvoyée en brouillon") % names
    else:
        return None
    people = [*recipients.authors(fiche.versions.all())]
    if fiche.lead_partner_id:
        people += recipients.partner_users(fiche.contract, [fiche.lead_partner_id])
    return kind, title, people


@transaction.atomic
def fiche_restore(*, fiche: Fiche, version: FicheVersion, by) -> Fiche:
    """Bring back the text, objective, partners and aims of an older version as a new
    version. The workflow status stays as it is; nothing is erased."""
    _check(can_restore_version(by, fiche))
    if version.fiche_id != fiche.pk:
        raise ValidationError(_("Cette version appartient à une autre fiche."))
    data = version.snapshot
    contract = fiche.contract
    objective_ids = set(contract.objectives.values_list("pk", flat=True))
    party_ids = set(contract.parties.values_list("partner_id", flat=True))
    changes = {field: data.get(field, "") for field in CONTENT_FIELDS}
    if data.get("objective_id") in objective_ids:
        changes["objective_id"] = data["objective_id"]
    lead = data.get("lead_partner_id")
    changes["lead_partner_id"] = lead if lead in party_ids else None

    return fiche_update(
        fiche=fiche,
        changes=changes,
        associated_partners=Partner.objects.filter(
            pk__in=[p for p in data.get("associated_partner_ids", []) if p in party_ids]
        ),
        aims=Aim.objects.filter(pk__in=data.get("aim_ids", [])),
        expected_version=fiche.version,
        by=by,
        action=_("Restauration de la version %(number)s") % {"number": version.number},
    )


@transaction.atomic
def fiche_amend(
    *, amendment, fiche: Fiche | None, number: int, proposed: dict, withdraw: bool, by
) -> Fiche:
    """Apply what a signed avenant (`amendment`) says of one fiche of its contract: revise it
    (`fiche` and `proposed`), add it (`fiche` None: a new fiche numbered `number`) or
    withdraw it. A revised or added fiche carries the CDAJE's opinion on the avenant; the
    version recorded names the avenant. Called only by the avenant's last signature
    (`pilotage.amendment_apply`), which has checked who may: no permission of its own."""
    contract = lock_contract(amendment.contract_id)
    action = _("Avenant n° %(number)s") % {"number": amendment.number}
    if fiche is not None and fiche.contract_id != contract.pk:
        raise ValidationError(_("Cette fiche relève d'un autre contrat."))
    if withdraw:
        fiche = Fiche.objects.get(pk=fiche.pk)
        fiche.status = FicheStatus.WITHDRAWN
    else:
        fiche = Fiche.objects.get(pk=fiche.pk) if fiche is not None else Fiche(number=number)
        content = clean_content({f: proposed.get(f, "") for f in CONTENT_FIELDS})
        for field, value in content.items():
            setattr(fiche, field, value)
        fiche.objective_id = proposed["objective_id"]
        fiche.lead_partner_id = proposed.get("lead_partner_id")
        fiche.status = FicheStatus.VALIDATED
        fiche.validated_on = amendment.opinion_on
    if fiche.pk:
        fiche.version += 1
    fiche.updated_by = by
    fiche.full_clean()
    if fiche.objective.contract_id != contract.pk:
        raise ValidationError({"objective": _("Cet objectif relève d'un autre contrat.")})
    fiche.save()
    if not withdraw:
        fiche.associated_partners.set(proposed.get("associated_partner_ids", []))
        fiche.aims.set(proposed.get("aim_ids", []))
    record_version(fiche=fiche, action=action, by=by, amendment=amendment)
    mark_contract_changed(contract.pk)
    return fiche
