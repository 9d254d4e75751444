"""What the contract's acts say of its money (the contract document's financing article and
annex 2, the annex convention's financial article): who pays whom — the beneficiary that
carries the actions, the funders that pay it the PSEJ —, each funder's terms per instrument
(share of the net cost, rate for a new or a continued action, ceiling per action and year),
its payment schedule, and per year the forecast plan: expenses, other receipts, net cost,
PSEJ of each funder, the beneficiary's own share. The terms are read through
`financing.terms`; the PSEJ and own shares are the lines' stored forecast shares
(`financing.services.forecast_shares`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from cej.money import ZERO, format_eur
from financing.models import BudgetLine, Contribution, Instrument
from financing.terms import ContractTerms, contract_terms, schedules


def format_rate(value: Decimal) -> str:
    """`Decimal("55.00")` → « 55 % », `Decimal("12.50")` → « 12,5 % »."""
    return f"{Decimal(value).normalize():f}".replace(".", ",") + "\u202f%"


def day_month(day: int, month: int) -> str:
    """« 30 juin », « 1er avril »."""
    return f"{'1er' if day == 1 else day} {MONTHS[month]}"


@dataclass
class FunderTermsClause:
    """One funder's terms for one instrument, as the act states them."""

    party: object  # PartyBlock: the funder named as on the act's date
    share: str
    rate_new: str
    rate_continued: str
    ceiling: str

    @property
    def one_rate(self) -> bool:
        return self.rate_new == self.rate_continued


@dataclass
class ScheduleClause:
    """A payment schedule, shared by `parties` (the funders that have the same one)."""

    parties: list
    advances: list[tuple[str, str]]  # (« 70 % », « 30 juin »)
    documents_due: str  # « 30 avril », of the next year
    balance_due: str


@dataclass
class YearPlan:
    """The forecast financing plan of one year (or of the period: `year` None)."""

    year: int | None
    expenses: Decimal
    other_receipts: Decimal
    psej: list[Decimal]  # per funder, in the funders' order
    own_share: Decimal

    @property
    def net_cost(self) -> Decimal:
        return self.expenses - self.other_receipts

    @property
    def psej_total(self) -> Decimal:
        return sum(self.psej, ZERO)


@dataclass
class ContractFinancing:
    beneficiary: object | None  # PartyBlock
    funders: list  # PartyBlock, in the contract's order
    others: list  # parties neither beneficiary nor funder (none in a CEJ as it should be)
    terms: dict[str, list[FunderTermsClause]]  # instrument → clauses
    schedules: list[ScheduleClause]
    years: list[YearPlan]
    total: YearPlan
    shares: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (partner, year)

    @property
    def cej_terms(self) -> list[FunderTermsClause]:
        return self.terms.get(Instrument.CEJ, [])

    @property
    def annex_terms(self) -> list[FunderTermsClause]:
        return self.terms.get(Instrument.ANNEX, [])

    @property
    def funder_rows(self) -> list[tuple[object, list[Decimal], Decimal]]:
        """(funder, PSEJ per year, PSEJ over the period), for annex 2's table."""
        return [
            (party, [plan.psej[i] for plan in self.years], self.total.psej[i])
            for i, party in enumerate(self.funders)
        ]


def terms_clauses(terms: ContractTerms, parties) -> dict[str, list[FunderTermsClause]]:
    """Each instrument's funder terms, with the funders' blocks (`parties`: PartyBlock)."""
    by_partner = {party.partner.pk: party for party in parties}
    return {
        instrument: [
            FunderTermsClause(
                party=by_partner[t.funder_id],
                share=format_rate(t.share),
                rate_new=format_rate(t.rate_new),
                rate_continued=format_rate(t.rate_continued),
                ceiling=format_eur(t.ceiling),
            )
            for t in funder_terms
            if t.funder_id in by_partner
        ]
        for instrument, funder_terms in terms.by_instrument.items()
    }


def schedule_clauses(contract_id: int, funders) -> list[ScheduleClause]:
    """The funders' schedules, one clause for those that share the same one (two queries)."""
    clauses: dict[tuple, ScheduleClause] = {}
    by_funder = schedules(contract_id)
    for party in funders:
        schedule = by_funder.get(party.partner.pk)
        if schedule is None:
            continue
        advances = [
            (format_rate(a.percent), day_month(a.due_day, a.due_month))
            for a in sorted(schedule.advances.all(), key=lambda a: a.number)
        ]
        documents = day_month(schedule.documents_due_day, schedule.documents_due_month)
        balance = day_month(schedule.balance_due_day, schedule.balance_due_month)
        key = (tuple(advances), documents, balance)
        if key in clauses:
            clauses[key].parties.append(party)
        else:
            clauses[key] = ScheduleClause([party], advances, documents, balance)
    return list(clauses.values())


def contract_financing(contract, parties, years: list[int]) -> ContractFinancing:
    """The contract's financing as its document states it (`parties`: the PartyBlocks the
    document names). Six queries: the parties' roles and the terms, the schedules with their
    advances, the lines' expenses and receipts per year, the forecast shares per party and
    year."""
    terms = contract_terms(contract.pk)
    by_partner = {party.partner.pk: party for party in parties}
    beneficiary = by_partner.get(terms.beneficiary_id)
    funders = [by_partner[pid] for pid in terms.funder_ids if pid in by_partner]
    others = [p for p in parties if p is not beneficiary and p not in funders]
    amounts = {
        row["year"]: (row["expenses"] or ZERO, row["receipts"] or ZERO)
        for row in BudgetLine.objects.filter(contract=contract)
        .values("year")
        .annotate(expenses=Sum("amount"), receipts=Sum("other_receipts"))
        .order_by()
    }
    shares = {
        (row["partner_id"], row["line__year"]): row["total"]
        for row in Contribution.objects.filter(line__contract=contract)
        .values("partner_id", "line__year")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    plans = []
    for year in years:
        expenses, receipts = amounts.get(year, (ZERO, ZERO))
        plans.append(
            YearPlan(
                year=year,
                expenses=expenses,
                other_receipts=receipts,
                psej=[shares.get((f.partner.pk, year), ZERO) for f in funders],
                own_share=shares.get((beneficiary.partner.pk, year), ZERO) if beneficiary else ZERO,
            )
        )
    total = YearPlan(
        year=None,
        expenses=sum((p.expenses for p in plans), ZERO),
        other_receipts=sum((p.other_receipts for p in plans), ZERO),
        psej=[sum((p.psej[i] for p in plans), ZERO) for i in range(len(funders))],
        own_share=sum((p.own_share for p in plans), ZERO),
    )
    return ContractFinancing(
        beneficiary=beneficiary,
        funders=funders,
        others=others,
        terms=terms_clauses(terms, funders),
        schedules=schedule_clauses(contract.pk, funders),
        years=plans,
        total=total,
        shares=shares,
    )


def terms_sentences(contract, parties) -> list[str]:
    """The funders' terms as sentences, for a page that shows them beside a form (the
    avenant's line form): « Contrat enfance jeunesse — CAF : 90 % du reste à charge, … »."""
    terms = contract_terms(contract.pk)
    labels = dict(Instrument.choices)
    sentences = []
    for instrument, clauses in terms_clauses(terms, parties).items():
        for clause in clauses:
            rates = (
                _("taux %(rate)s") % {"rate": clause.rate_new}
                if clause.one_rate
                else _("taux %(new)s (action nouvelle), %(continued)s (action antérieure)")
                % {"new": clause.rate_new, "continued": clause.rate_continued}
            )
            sentences.append(
                _(
                    "%(instrument)s — %(funder)s : %(share)s du reste à charge, %(rates)s, "
                    "plafond de %(ceiling)s par action et par an."
                )
                % {
                    "instrument": labels[instrument],
                    "funder": clause.party.short_name,
                    "share": clause.share,
                    "rates": rates,
                    "ceiling": clause.ceiling,
                }
            )
    return sentences


@dataclass
class LinePlan:
    """One budget line as an act lists it, with its stored forecast shares."""

    line: BudgetLine
    psej: list[Decimal]  # per funder, in the funders' order
    own_share: Decimal


@dataclass
class AnnexFinancing:
    beneficiary: object | None
    funders: list
    terms: list[FunderTermsClause]
    lines: list[LinePlan]


def annex_financing(annex, parties, lines) -> AnnexFinancing:
    """The annex convention's financing as its act states it: its own terms, and each of its
    `lines` (with their contributions read) split between the funders' PSEJ and the
    beneficiary's own share. Two queries (the roles, the terms)."""
    terms = contract_terms(annex.contract_id)
    by_partner = {party.partner.pk: party for party in parties}
    beneficiary = by_partner.get(terms.beneficiary_id)
    funders = [by_partner[pid] for pid in terms.funder_ids if pid in by_partner]
    plans = []
    for line in lines:
        shares = {c.partner_id: c.amount for c in line.contributions.all()}
        plans.append(
            LinePlan(
                line=line,
                psej=[shares.get(f.partner.pk, ZERO) for f in funders],
                own_share=shares.get(terms.beneficiary_id, ZERO),
            )
        )
    return AnnexFinancing(
        beneficiary=beneficiary,
        funders=funders,
        terms=terms_clauses(terms, funders).get(Instrument.ANNEX, []),
        lines=plans,
    )
