"""The targets of evaluation indicators changed by an avenant. A signed contract's targets
are its content: they change only through an avenant, proposed here while it is prepared
(`amendment_indicator_propose`), shown on its page and in its act against the targets as
signed (`avenant_indicators`), kept as the avenant found them and applied at its last
signature through `fiches.indicator_services.indicator_targets_amend`
(`keep_before`, `apply`, called by `pilotage.amendment_apply`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext as _

from cej.locking import lock_contract
from cej.models import Amendment, AmendmentStatus
from cej.page_cache import mark_contract_changed
from fiches.indicator_charts import figure
from fiches.indicator_services import indicator_targets_amend
from fiches.models import FicheStatus, Indicator, IndicatorYear
from pilotage.models import AmendmentIndicatorChange
from pilotage.permissions import can_edit_amendment


class TargetsConflict(Exception):
    """The avenant's proposal for this indicator changed since the editor opened it."""

    def __init__(self, change):
        super().__init__(f"AmendmentIndicatorChange {change.pk}: v{change.version}")
        self.change = change
        self.who = change.updated_by.get_full_name() if change.updated_by else _("Quelqu'un")


@dataclass
class TargetRow:
    year: int
    before: str  # as printed: « 12 », « 12,5 », « — »
    after: str
    changed: bool


@dataclass
class IndicatorChangeView:
    """One indicator whose targets the avenant changes, year by year, before and after."""

    change: AmendmentIndicatorChange
    fiche_number: int
    number: int
    name: str
    unit: str
    rows: list[TargetRow] = field(default_factory=list)

    @property
    def changed_rows(self) -> list[TargetRow]:
        return [row for row in self.rows if row.changed]


def _as_text(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def stored_targets(indicator_ids) -> dict[int, dict[str, str | None]]:
    """Each indicator's targets as stored, year (as text) → target (as text). One query."""
    result: dict[int, dict] = {pk: {} for pk in indicator_ids}
    rows = IndicatorYear.objects.filter(indicator_id__in=list(indicator_ids)).order_by()
    for indicator_id, year, target in rows.values_list("indicator_id", "year", "target"):
        result[indicator_id][str(year)] = _as_text(target)
    return result


@dataclass
class IndicatorRow:
    """An indicator of the contract as the avenant page lists it (those it may change)."""

    pk: int
    fiche_number: int
    number: int
    name: str
    unit: str


def avenant_indicators(amendment: Amendment) -> tuple[list[IndicatorChangeView], list]:
    """The avenant's target changes against the targets as stored — as the avenant found
    them once it is signed (what `keep_before` kept) — and, while it is prepared, the
    contract's indicators it may change (those of its fiches in force). One query for both
    (each indicator with the avenant's change of it, if any), and one more for the stored
    targets when the avenant, not yet signed, changes some."""
    applied = amendment.status == AmendmentStatus.SIGNED
    rows = (
        Indicator.objects.filter(contract_id=amendment.contract_id)
        .annotate(
            change=FilteredRelation(
                "amendment_changes", condition=Q(amendment_changes__amendment=amendment.pk)
            )
        )
        .order_by()
        .values_list(
            "pk",
            "fiche__number",
            "fiche__status",
            "number",
            "name",
            "unit",
            "change__pk",
            "change__version",
            "change__proposed",
            "change__before",
        )
    )
    indicators, changed = [], []
    for pk, fiche, status, number, name, unit, change, version, proposed, before in rows:
        row = IndicatorRow(pk, fiche, number, name, unit)
        if change is not None:
            kept = AmendmentIndicatorChange(
                pk=change,
                amendment_id=amendment.pk,
                indicator_id=pk,
                version=version,
                proposed=proposed,
                before=before,
            )
            changed.append((row, kept))
        if status != FicheStatus.WITHDRAWN:
            indicators.append(row)
    indicators.sort(key=lambda r: (r.fiche_number, r.number))
    changed.sort(key=lambda pair: (pair[0].fiche_number, pair[0].number))
    stored = {} if applied or not changed else stored_targets([r.pk for r, _c in changed])
    years = amendment.contract.years
    views = []
    for row, change in changed:
        was = dict(change.before.get("targets", {})) if applied else stored[row.pk]
        after = {**was, **change.proposed.get("targets", {})}
        targets = [
            TargetRow(
                year,
                figure(was.get(str(year))),
                figure(after.get(str(year))),
                was.get(str(year)) != after.get(str(year)),
            )
            for year in years
        ]
        views.append(
            IndicatorChangeView(change, row.fiche_number, row.number, row.name, row.unit, targets)
        )
    return views, [] if applied else indicators


@transaction.atomic
def amendment_indicator_propose(
    *,
    amendment: Amendment,
    indicator: Indicator,
    targets: dict,
    by,
    expected_version: int | None = None,
) -> AmendmentIndicatorChange:
    """The avenant sets the indicator's targets as `targets` say (year → value or None; a
    year left out keeps its target). Saving again replaces the proposal (`expected_version`:
    the proposal's version the editor started from). The indicator itself does not change
    until the avenant is signed."""
    lock_contract(amendment.contract_id)
    amendment = Amendment.objects.select_related("contract__territory").get(pk=amendment.pk)
    allowed, reason = can_edit_amendment(by, amendment)
    if not allowed:
        raise PermissionDenied(reason)
    contract = amendment.contract
    if indicator.contract_id != contract.pk:
        raise ValidationError(_("Cet indicateur relève d'un autre contrat."))
    change = amendment.indicator_changes.filter(indicator=indicator).first()
    if change is not None and expected_version is not None and change.version != expected_version:
        raise TargetsConflict(change)
    errors = []
    proposed = {}
    current = stored_targets([indicator.pk])[indicator.pk]
    for year, value in targets.items():
        year = int(year)
        if not contract.covers_year(year):
            errors.append(
                _("L'année %(year)s est hors de la période du contrat (%(period)s).")
                % {"year": year, "period": contract.period_label}
            )
            continue
        if value is not None and Decimal(value) < 0:
            errors.append(_("La cible %(year)s ne peut pas être négative.") % {"year": year})
            continue
        if _as_text(value) != current.get(str(year)):
            proposed[str(year)] = _as_text(value)
    if errors:
        raise ValidationError(errors)
    if not proposed:
        raise ValidationError(
            _("Rien n'a changé dans les cibles : l'avenant ne modifie pas cet indicateur.")
        )
    if change is None:
        change = AmendmentIndicatorChange(amendment=amendment, indicator=indicator)
    else:
        change.version += 1
    change.proposed = {"targets": proposed}
    change.updated_by = by
    change.save()
    mark_contract_changed(contract.pk)
    return change


def keep_before(amendment: Amendment) -> None:
    """The targets as the avenant finds them, kept on its changes (its act and page then
    read them, not the targets it set)."""
    changes = list(amendment.indicator_changes.order_by())
    stored = stored_targets([c.indicator_id for c in changes])
    for change in changes:
        change.before = {"targets": stored[change.indicator_id]}
        change.save(update_fields=["before"])


def apply(amendment: Amendment, *, by) -> None:
    for change in amendment.indicator_changes.select_related("indicator").order_by("pk"):
        indicator_targets_amend(
            amendment=amendment,
            indicator=change.indicator,
            targets={
                int(year): None if value is None else Decimal(value)
                for year, value in change.proposed.get("targets", {}).items()
            },
            by=by,
        )
