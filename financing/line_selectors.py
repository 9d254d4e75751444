"""Reads for the pages of one budget line: its financing plan forecast and actual, as people
read them (the PSEJ of each funder, the beneficiary's own share), and the contract's funding
terms that the plan is computed from. A fixed handful of queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cej.models import ContractParty
from cej.money import ZERO
from financing import psej
from financing.models import BudgetLine, FundingTerms
from financing.terms import ContractTerms, contract_terms


def share_label(name: str, *, beneficiary: bool) -> str:
    """How one party's share of a line is named, on the pages and in the history."""
    if beneficiary:
        return _("Part du bénéficiaire (%(partner)s)") % {"partner": name}
    return _("PSEJ %(partner)s") % {"partner": name}


@dataclass(frozen=True)
class ShareRow:
    label: str
    amount: Decimal
    beneficiary: bool


@dataclass(frozen=True)
class PlanView:
    """One financing plan, ready to show: expenses, other receipts, net cost, then one row
    per funder (its PSEJ) and the beneficiary's own share."""

    expenses: Decimal
    receipts: Decimal
    net_cost: Decimal
    shares: tuple[ShareRow, ...]

    @property
    def psej_total(self) -> Decimal:
        return sum((row.amount for row in self.shares if not row.beneficiary), ZERO)


@dataclass(frozen=True)
class LineFinancing:
    """A line's forecast plan as stored (None for a line not saved yet), its actual plan
    (None until declared), and the contract's terms (`terms_rows`) they follow."""

    forecast: PlanView | None
    actual: PlanView | None
    terms_rows: tuple[FundingTerms, ...]
    beneficiary: str

    @property
    def rows(self) -> list[tuple[str, Decimal, Decimal | None]]:
        """The plan as table rows: (label, forecast, actual or None)."""
        if self.forecast is None:
            return []
        plan, actual = self.forecast, self.actual
        rows = [
            (_("Dépenses"), plan.expenses, actual and actual.expenses),
            (_("Autres recettes (hors PSEJ)"), plan.receipts, actual and actual.receipts),
            (_("Reste à charge"), plan.net_cost, actual and actual.net_cost),
        ]
        # Both plans list the same parties in the same order (the terms', then the beneficiary).
        actual_shares = actual.shares if actual else [None] * len(plan.shares)
        for row, other in zip(plan.shares, actual_shares, strict=True):
            rows.append((row.label, row.amount, other and other.amount))
        return rows


def _view(plan: psej.Plan, terms: ContractTerms, names: dict[int, str]) -> PlanView:
    rows = [
        ShareRow(share_label(names.get(fid, "?"), beneficiary=False), amount, False)
        for fid, amount in plan.psej.items()
    ]
    if terms.beneficiary_id is not None:
        name = names.get(terms.beneficiary_id, "?")
        rows.append(ShareRow(share_label(name, beneficiary=True), plan.own_share, True))
    return PlanView(plan.expenses, plan.receipts, plan.net_cost, tuple(rows))


def line_financing(contract, line: BudgetLine | None) -> LineFinancing:
    """Five queries: the parties, the terms (twice: as data and to show), the line's stored
    shares."""
    terms = contract_terms(contract.pk)
    names = dict(
        ContractParty.objects.filter(contract_id=contract.pk).values_list(
            "partner_id", "partner__name"
        )
    )
    terms_rows = tuple(
        FundingTerms.objects.filter(contract_id=contract.pk)
        .select_related("funder")
        .order_by("-instrument", "funder__name")
    )
    beneficiary = names.get(terms.beneficiary_id, "") if terms.beneficiary_id else ""
    if line is None or line.pk is None:
        return LineFinancing(None, None, terms_rows, beneficiary)
    stored = dict(line.contributions.values_list("partner_id", "amount"))
    funders = terms.for_line(line)
    forecast_psej = {t.funder_id: stored.get(t.funder_id, ZERO) for t in funders}
    forecast = psej.Plan(
        expenses=line.amount,
        receipts=line.other_receipts,
        net_cost=line.net_cost,
        psej=forecast_psej,
        own_share=stored.get(terms.beneficiary_id, ZERO),
    )
    actual = None
    if line.actuals_declared:
        actual = psej.plan(
            expenses=line.actual_expenses,
            receipts=line.actual_receipts,
            continued=line.continued,
            terms=funders,
            caps=forecast_psej,
        )
    return LineFinancing(
        _view(forecast, terms, names),
        _view(actual, terms, names) if actual else None,
        terms_rows,
        beneficiary,
    )
