"""The targets of evaluation indicators changed by an avenant. A signed contract's targets
are its content: they change only through an avenant, proposed here while it is prepared
(`amendment_indicator_propose`), shown on its page and in its act against the targets as
signed (`indicator_change_views`), kept as the avenant found them and applied at its last
signature through `fiches.indicator_services.indicator_targets_amend`
(`keep_before`, `apply`, called by `pilotage.amendment_apply`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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


def contract_indicators(contract) -> list[Indicator]:
    """The indicators of the contract's fiches in force, with their fiche, in order. One
    query."""
    return list(
        Indicator.objects.filter(contract_id=contract.pk)
        .exclude(fiche__status=FicheStatus.WITHDRAWN)
        .select_related("fiche")
        .order_by("fiche__number", "number")
    )


def indicator_change_views(amendment: Amendment) -> list[IndicatorChangeView]:
    """The avenant's target changes against the targets as stored — as the avenant found
    them once it is signed (what `keep_before` kept). Two queries."""
    applied = amendment.status == AmendmentStatus.SIGNED
    changes = list(
        amendment.indicator_changes.select_related("indicator__fiche").order_by(
            "indicator__fiche__number", "indicator__number"
        )
    )
    if not changes:
        return []
    stored = {} if applied else stored_targets([c.indicator_id for c in changes])
    years = amendment.contract.years
    views = []
    for change in changes:
        before = dict(change.before.get("targets", {})) if applied else stored[change.indicator_id]
        after = {**before, **change.proposed.get("targets", {})}
        rows = [
            TargetRow(
                year,
                figure(before.get(str(year))),
                figure(after.get(str(year))),
                before.get(str(year)) != after.get(str(year)),
            )
            for year in years
        ]
        indicator = change.indicator
        views.append(
            IndicatorChangeView(
                change,
                indicator.fiche.number,
                indicator.number,
                indicator.name,
                indicator.unit,
                rows,
            )
        )
    return views


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
