"""The plain dicts the financing serializers render, built from the apps' own reads: a line's
plan by `financing.cycle_selectors.plans_of_lines` from its stored shares and the contract's
terms (what the budget report and the actuals page compute), a year's plan and the shares
from `financing.selectors.budget_report`, the history from `financing.selectors
.line_history`, the funders' positions from `financing.cycle_selectors.contract_cycle`.
A fixed number of queries whatever the number of rows."""

import html
from collections import defaultdict

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import strip_tags

from cej.models import Amendment
from cej.models.versioning import person_name
from cej.money import ZERO, round_money
from financing.cycle_selectors import plans_of_lines
from financing.diff import diff_line_snapshots
from financing.figures import PlanTotals
from financing.models import BudgetLine, ExecutionEntry, VersionKind
from financing.services import line_label
from financing.terms import contract_terms
from partners.models import Partner

LINE_ORDER = (
    "year",
    "post__instrument",
    "post__order",
    Coalesce("fiche__number", Value(0)),
    "pk",
)


def lines_queryset(contract):
    """The contract's lines in the budget report's order, with what is committed and paid
    against each (`with_execution`)."""
    return (
        BudgetLine.objects.filter(contract=contract)
        .with_execution()
        .select_related("post", "fiche", "updated_by")
        .order_by(*LINE_ORDER)
    )


def _absolute(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def plan_data(plan, funders: dict[int, Partner]) -> dict | None:
    """A `financing.psej.Plan` as the API shows it; None for no plan."""
    if plan is None:
        return None
    return {
        "expenses": plan.expenses,
        "other_receipts": plan.receipts,
        "net_cost": plan.net_cost,
        "psej": [
            {
                "funder": funders[fid].slug if fid in funders else "",
                "funder_name": funders[fid].name if fid in funders else "",
                "amount": amount,
            }
            for fid, amount in plan.psej.items()
        ],
        "psej_total": sum(plan.psej.values(), ZERO),
        "beneficiary_share": plan.own_share,
    }


def contract_partners(terms) -> dict[int, Partner]:
    ids = [*terms.funder_ids] + ([terms.beneficiary_id] if terms.beneficiary_id else [])
    return Partner.objects.in_bulk(ids)


def line_rows(request, contract, lines) -> list[dict]:
    """`lines`: BudgetLines of `contract` read by `lines_queryset`. Four queries: their
    shares, the terms (two), the partners; and one for their entries."""
    lines = list(lines)
    ids = [line.pk for line in lines]
    entries: dict[int, list[dict]] = defaultdict(list)
    for entry in (
        ExecutionEntry.objects.filter(line_id__in=ids)
        .select_related("created_by")
        .order_by("line_id", "date", "pk")
    ):
        entries[entry.line_id].append(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "kind_label": entry.get_kind_display(),
                "date": entry.date,
                "amount": entry.amount,
                "reference": entry.reference,
                "note": entry.note,
                "created_at": entry.created_at,
                "created_by": person_name(entry.created_by) if entry.created_by_id else None,
            }
        )
    terms = contract_terms(contract.pk) if lines else None
    funders = contract_partners(terms) if lines else {}
    plans = plans_of_lines(lines, terms) if lines else {}
    rows = []
    for line in lines:
        plan = plans[line.pk]
        keys = {"slug": contract.slug, "pk": line.pk}
        rows.append(
            {
                "id": line.pk,
                "name": line_label(line),
                "year": line.year,
                "part": line.instrument,
                "part_label": line.get_instrument_display(),
                "post": line.post.code,
                "post_label": line.post.label,
                "fiche": line.fiche.number if line.fiche_id else None,
                "fiche_title": line.fiche.title if line.fiche_id else None,
                "label": line.label,
                "continued": line.continued,
                "planned": line.amount,
                "other_receipts": line.other_receipts,
                "actual_expenses": line.actual_expenses,
                "actual_receipts": line.actual_receipts,
                "actuals_declared": line.actuals_declared,
                # SQLite's sums come back unrounded.
                "committed": round_money(line.committed),
                "paid": round_money(line.paid),
                "plan": {
                    "forecast": plan_data(plan.forecast, funders),
                    "actual": plan_data(plan.actual, funders),
                },
                "entries": entries.get(line.pk, []),
                "version": line.version,
                "updated_at": line.updated_at,
                "updated_by": person_name(line.updated_by) if line.updated_by_id else None,
                "api_url": _absolute(request, "api:budget_line_detail", **keys),
                "versions_url": _absolute(request, "api:budget_line_versions", **keys),
                "actual_url": _absolute(request, "api:budget_line_actual", **keys),
                "url": _absolute(request, "budget_line_history", **keys),
            }
        )
    return rows


def plain_text(marked) -> str:
    """A value of `cej.versioning.FieldChange` (escaped HTML with <del>/<ins>) as text."""
    return html.unescape(strip_tags(str(marked)))


def version_rows(contract, versions) -> list[dict]:
    """`versions`: the line's BudgetLineVersions newest first (`line_history`), all of them
    (each one's changes are read against the one before it); two queries for the terms and
    one for the avenants named."""
    versions = list(versions)
    beneficiary_id = contract_terms(contract.pk).beneficiary_id if versions else None
    amendment_ids = {v.amendment_id for v in versions if v.amendment_id}
    numbers = dict(
        Amendment.objects.filter(pk__in=amendment_ids).values_list("pk", "number")
        if amendment_ids
        else []
    )
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].snapshot if index + 1 < len(versions) else {}
        deleted = version.kind == VersionKind.DELETED
        changes = (
            []
            if deleted
            else diff_line_snapshots(previous, version.snapshot, beneficiary_id=beneficiary_id)
        )
        rows.append(
            {
                "number": version.number,
                "kind": version.kind,
                "kind_label": version.get_kind_display(),
                "action": version.action,
                "author": version.author_name,
                "created_at": version.created_at,
                "amendment": numbers.get(version.amendment_id),
                "label": version.label,
                "snapshot": version.snapshot,
                "changes": [
                    {
                        "field": change.label,
                        "before": plain_text(change.before),
                        "after": plain_text(change.after),
                    }
                    for change in changes
                ],
            }
        )
    return rows


def plan_totals_data(totals, funders) -> dict:
    """`financing.figures.PlanTotals` as a plan, each of `funders` (the report's, in its
    order) named even where it pays nothing, as the page's columns do."""
    return {
        "expenses": totals.expenses,
        "other_receipts": totals.receipts,
        "net_cost": totals.net_cost,
        "psej": [
            {"funder": f.slug, "funder_name": f.name, "amount": totals.psej.get(f.pk, ZERO)}
            for f in funders
        ],
        "psej_total": totals.psej_total,
        "beneficiary_share": totals.own_share,
    }


def _year_data(figures, plan, funders, *, year) -> dict:
    """One year (or the scope) of the budget report: `figures` its planned, committed and
    paid (`financing.figures.Figures`), `plan` its financing plan (`PlanFigures`, None for a
    year without lines)."""
    declared = plan.declared if plan else 0
    return {
        "year": year,
        "envelope": figures.envelope,
        "allocated": figures.planned,
        "remainder": figures.remaining,
        "committed": figures.committed,
        "paid": figures.paid,
        "lines": plan.lines if plan else 0,
        "declared": declared,
        "complete": plan.complete if plan else False,
        "forecast": plan_totals_data(plan.forecast if plan else PlanTotals(), funders),
        "actual": plan_totals_data(plan.actual, funders) if declared else None,
    }


def financing_plan_data(contract, report) -> dict:
    """`report`: `financing.selectors.budget_report` of the contract, for a year or the
    period: the budget page's « Plan de financement par année », its envelope and what
    remains of it, and « Financement prévisionnel »."""
    funders = report.funders
    slugs = {f.pk: f.slug for f in funders}
    plans = {plan.key: plan for plan in report.plan_per_year}
    return {
        "contract": contract.slug,
        "annual_envelope": contract.annual_envelope,
        "years": [
            _year_data(figures, plans.get(figures.key), funders, year=figures.key)
            for figures in report.per_year
            if report.year is None or figures.key == report.year
        ],
        "period": _year_data(report.total, report.plan_total, funders, year=report.year),
        "shares": [
            {
                "funder": slugs.get(share.funder_id) if share.funder_id else None,
                "label": share.label,
                "forecast": share.forecast,
                "actual": share.actual,
            }
            for share in report.financing
        ],
        "overruns": list(report.overruns),
    }
