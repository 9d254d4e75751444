"""Every change to a fiche's evaluation indicators: defining one (name, unit, source,
baseline) with its target per year, changing or deleting it, entering a year's actual value
with its comment and evidence, and the targets an avenant sets once signed. Each is atomic,
checks its predicate (`fiches.indicator_permissions`), takes the contract's lock first
(`cej.locking`) and checks again as the locked contract stands, records a version of the
whole indicator (definition, targets and actuals: `cej.versioning`) and marks the contract
changed for its cached pages (`cej.page_cache`)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.documents import document_store
from cej.locking import lock_contract
from cej.models import ContractStatus, DocumentKind
from cej.page_cache import mark_contract_changed
from cej.permissions import content_change_refusal, execution_refusal
from fiches.indicator_permissions import (
    can_add_indicator,
    can_delete_indicator,
    can_edit_indicator,
    can_record_actual,
)
from fiches.models import Fiche, Indicator, IndicatorVersion, IndicatorYear

DEFINITION_FIELDS = ["name", "unit", "source", "direction", "baseline_year", "baseline_value"]
TEXT_FIELDS = ["name", "unit", "source"]


class IndicatorConflict(versioning.VersionConflict):
    """The indicator changed since the editor opened it (see `cej.versioning.VersionConflict`)."""


def _value(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def snapshot_of(indicator: Indicator) -> dict:
    """Everything a version keeps, JSON-ready: the definition and, per year, the target, the
    actual value, its comment and evidence."""
    return {
        "fiche_id": indicator.fiche_id,
        "number": indicator.number,
        **{f: getattr(indicator, f) for f in ("name", "unit", "source", "direction")},
        "baseline_year": indicator.baseline_year,
        "baseline_value": _value(indicator.baseline_value),
        "years": {
            str(y.year): {
                "target": _value(y.target),
                "actual": _value(y.actual),
                "comment": y.comment,
                "evidence_id": y.evidence_id,
            }
            for y in indicator.years.order_by("year")
        },
    }


def targets_of(indicator: Indicator) -> dict[int, Decimal | None]:
    return dict(indicator.years.order_by("year").values_list("year", "target"))


def record_version(*, indicator: Indicator, action: str, by, amendment=None) -> IndicatorVersion:
    return versioning.record_version(
        IndicatorVersion,
        indicator=indicator,
        number=indicator.version,
        snapshot=snapshot_of(indicator),
        action=action,
        by=by,
        amendment=amendment,
    )


def _check(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _clean(changes: dict) -> dict:
    cleaned = {k: v for k, v in changes.items() if k in DEFINITION_FIELDS}
    for field in TEXT_FIELDS:
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").replace("\x00", "").strip()
    return cleaned


def _check_targets(contract, targets: dict) -> dict[int, Decimal | None]:
    errors, result = {}, {}
    for year, value in targets.items():
        year = int(year)
        if not contract.covers_year(year):
            errors.setdefault("targets", []).append(
                _("L'année %(year)s est hors de la période du contrat (%(period)s).")
                % {"year": year, "period": contract.period_label}
            )
            continue
        if value is not None and Decimal(value) < 0:
            errors.setdefault("targets", []).append(
                _("La cible %(year)s ne peut pas être négative.") % {"year": year}
            )
            continue
        result[year] = None if value is None else Decimal(value)
    if errors:
        raise ValidationError(errors)
    return result


def _check_baseline(contract, indicator: Indicator) -> None:
    if indicator.baseline_year and indicator.baseline_year > contract.end_year:
        raise ValidationError(
            {
                "baseline_year": _(
                    "L'année de référence ne peut pas suivre la fin du contrat (%(end)s)."
                )
                % {"end": contract.end_year}
            }
        )
    if indicator.baseline_value is not None and indicator.baseline_year is None:
        raise ValidationError({"baseline_year": _("Indiquez l'année de la valeur de référence.")})


def _set_targets(
    indicator: Indicator, targets: dict[int, Decimal | None], *, new: bool = False
) -> bool:
    """Write the targets given (a year left out keeps its target); True if any changed.
    `new`: the indicator has no year yet (one INSERT for them all)."""
    stored = {} if new else {y.year: y for y in indicator.years.all()}
    changed, added = False, []
    for year, target in targets.items():
        row = stored.get(year)
        if row is None:
            if target is not None:
                added.append(IndicatorYear(indicator=indicator, year=year, target=target))
        elif row.target != target:
            IndicatorYear.objects.filter(pk=row.pk).update(target=target)
            changed = True
    if added:
        IndicatorYear.objects.bulk_create(added)
    return changed or bool(added)


@transaction.atomic
def indicator_create(
    *,
    fiche: Fiche,
    changes: dict,
    targets: dict,
    by,
    system: bool = False,
    action: str | None = None,
) -> Indicator:
    """A new indicator of the fiche, numbered after its last one, with its targets.
    `system=True`: the demo's reprise of the indicators agreed in the signed contract, made
    by the application itself (no person, no permission; a frozen contract still refuses)."""
    if not system:
        _check(can_add_indicator(by, fiche))
    contract = lock_contract(fiche.contract_id)
    if system:
        if refusal := execution_refusal(contract):
            raise PermissionDenied(refusal)
    elif refusal := content_change_refusal(contract):
        raise PermissionDenied(refusal)
    targets = _check_targets(contract, targets)
    last = Indicator.objects.filter(fiche=fiche).aggregate(last=Max("number"))["last"] or 0
    indicator = Indicator(fiche=fiche, number=last + 1, updated_by=by, **_clean(changes))
    indicator.contract_id = contract.pk
    indicator.full_clean(exclude=["contract"])
    _check_baseline(contract, indicator)
    indicator.save()
    _set_targets(indicator, targets, new=True)
    record_version(indicator=indicator, action=action or _("Création"), by=by)
    mark_contract_changed(contract.pk)
    return indicator


def _conflict(indicator: Indicator, expected_version: int) -> IndicatorConflict:
    current = Indicator.objects.get(pk=indicator.pk)
    base = current.versions.filter(number=expected_version).first()
    latest = current.versions.select_related("author").order_by("-number").first()
    return IndicatorConflict(
        record=current,
        base=base.snapshot if base else None,
        base_number=expected_version,
        current=snapshot_of(current),
        latest=latest,
    )


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    changes: dict,
    targets: dict,
    expected_version: int,
    by,
    action: str | None = None,
) -> Indicator:
    """Save a change of the definition and targets made from `expected_version`; refused
    (IndicatorConflict, nothing written) if anybody saved the indicator in between."""
    contract = lock_contract(indicator.contract_id)
    current = Indicator.objects.select_related("fiche").get(pk=indicator.pk)
    current.fiche.contract = contract
    # Checked as the locked contract stands: it may have been signed since the page opened.
    _check(can_edit_indicator(by, current.fiche))
    if current.version != expected_version:
        raise _conflict(current, expected_version)
    targets = _check_targets(contract, targets)
    before = snapshot_of(current)
    for field, value in _clean(changes).items():
        setattr(current, field, value)
    current.full_clean(exclude=["contract"])
    _check_baseline(contract, current)
    changed_targets = _set_targets(current, targets)
    definition = {f: getattr(current, f) for f in DEFINITION_FIELDS}
    if not changed_targets and snapshot_of(current) == before:
        return current  # nothing changed: no new version
    updated = Indicator.objects.filter(pk=current.pk, version=expected_version).update(
        **definition, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    if not updated:
        raise _conflict(current, expected_version)
    saved = Indicator.objects.get(pk=current.pk)
    record_version(indicator=saved, action=action or _("Modification"), by=by)
    mark_contract_changed(contract.pk)
    return saved


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by) -> None:
    """Remove an indicator of a contract in preparation (with its years and versions)."""
    contract = lock_contract(indicator.contract_id)
    fiche = Fiche.objects.get(pk=indicator.fiche_id)
    fiche.contract = contract
    _check(can_delete_indicator(by, fiche))
    Indicator.objects.filter(pk=indicator.pk).delete()
    mark_contract_changed(contract.pk)


@transaction.atomic
def indicator_actual_save(
    *,
    indicator: Indicator,
    year: int,
    actual: Decimal | None,
    comment: str,
    evidence: tuple[bytes, str] | None = None,
    expected_version: int,
    by,
    system: bool = False,
    recorded_at: datetime.datetime | None = None,
) -> IndicatorYear:
    """The actual value of `year` (None: not measured yet), its comment and, optionally, a
    new evidence file (`evidence`: content and extension, already checked by content,
    `fiches.indicator_evidence`), stored as a document of the contract. Execution:
    open on a signed contract until it ends. `system=True`: the demo, written by the
    application itself."""
    contract = lock_contract(indicator.contract_id)
    current = Indicator.objects.select_related("fiche").get(pk=indicator.pk)
    current.fiche.contract = contract
    if system:
        if contract.status != ContractStatus.SIGNED:
            raise PermissionDenied(execution_refusal(contract) or "")
    else:
        _check(can_record_actual(by, current.fiche))
    if current.version != expected_version:
        raise _conflict(current, expected_version)
    if not contract.covers_year(year):
        raise ValidationError(
            {
                "year": _("L'année %(year)s est hors de la période du contrat (%(period)s).")
                % {"year": year, "period": contract.period_label}
            }
        )
    if actual is not None and actual < 0:
        raise ValidationError({"actual": _("Le réalisé ne peut pas être négatif.")})
    if actual is not None and year > timezone.localdate().year:
        raise ValidationError(
            {
                "actual": _("L'année %(year)s n'a pas commencé : son réalisé viendra.")
                % {"year": year}
            }
        )
    row, _created = IndicatorYear.objects.get_or_create(indicator=current, year=year)
    comment = (comment or "").replace("\x00", "").strip()
    document = None
    if evidence is not None:
        content, extension = evidence
        stem = f"{contract.slug}-fiche-{current.fiche.number}-indicateur-{current.number}-{year}"
        document = document_store(
            contract=contract,
            kind=DocumentKind.INDICATOR_EVIDENCE,
            title=_("Justificatif — fiche %(fiche)s, indicateur %(number)s (%(name)s), %(year)s")
            % {
                "fiche": current.fiche.number,
                "number": current.number,
                "name": current.name[:120],
                "year": year,
            },
            content=content,
            filename=f"{stem}.{extension}",
            by=by,
            dated=timezone.localdate(),
        )
    unchanged = (
        row.actual == (None if actual is None else Decimal(actual))
        and row.comment == comment
        and document is None
    )
    if unchanged:
        return row
    row.actual = actual
    row.comment = comment
    if document is not None:
        row.evidence = document
    row.actual_recorded_at = recorded_at or timezone.now()
    row.actual_recorded_by = by
    row.save()
    Indicator.objects.filter(pk=current.pk).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    saved = Indicator.objects.get(pk=current.pk)
    record_version(
        indicator=saved,
        action=_("Réalisé %(year)s saisi") % {"year": year},
        by=by,
    )
    mark_contract_changed(contract.pk)
    return row


@transaction.atomic
def indicator_targets_amend(*, amendment, indicator: Indicator, targets: dict, by) -> Indicator:
    """Apply the targets a signed avenant (`amendment`) sets for the indicator; the version
    recorded names the avenant. Called only by the avenant's last signature
    (`pilotage.amendment_apply`), which has checked who may: no permission of its own."""
    contract = lock_contract(amendment.contract_id)
    if indicator.contract_id != contract.pk:
        raise ValidationError(_("Cet indicateur relève d'un autre contrat."))
    current = Indicator.objects.get(pk=indicator.pk)
    clean = _check_targets(contract, {int(y): v for y, v in targets.items()})
    if not _set_targets(current, clean):
        return current
    Indicator.objects.filter(pk=current.pk).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    saved = Indicator.objects.get(pk=current.pk)
    record_version(
        indicator=saved,
        action=_("Avenant n° %(number)s") % {"number": amendment.number},
        by=by,
        amendment=amendment,
    )
    mark_contract_changed(contract.pk)
    return saved


@transaction.atomic
def indicator_actuals_load(
    *, indicator: Indicator, actuals: dict[int, tuple[Decimal, str, datetime.datetime]]
) -> Indicator:
    """The reprise of actual values measured and recorded elsewhere (the demo's figures
    2014–2017): each year's value, comment and when it was recorded, written at once by the
    application itself (no person, no permission) as one version. Execution: the contract
    must be signed and not ended."""
    contract = lock_contract(indicator.contract_id)
    if contract.status != ContractStatus.SIGNED:
        raise PermissionDenied(execution_refusal(contract) or "")
    current = Indicator.objects.get(pk=indicator.pk)
    stored = {y.year: y for y in current.years.all()}
    changed, added = [], []
    for year, (actual, comment, recorded_at) in sorted(actuals.items()):
        if not contract.covers_year(year):
            raise ValidationError(
                {"year": _("L'année %(year)s est hors du contrat.") % {"year": year}}
            )
        row = stored.get(year) or IndicatorYear(indicator=current, year=year)
        row.actual, row.comment, row.actual_recorded_at = actual, comment, recorded_at
        (changed if row.pk else added).append(row)
    IndicatorYear.objects.bulk_update(changed, ["actual", "comment", "actual_recorded_at"])
    IndicatorYear.objects.bulk_create(added)
    Indicator.objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.version += 1
    record_version(indicator=current, action=_("Reprise du réalisé"), by=None)
    mark_contract_changed(contract.pk)
    return current
