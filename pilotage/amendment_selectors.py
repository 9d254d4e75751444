"""Reads of an avenant: the contract as it would stand once the avenant is signed (its fiches,
its planned lines, its annex convention's years), and what the avenant page and act show of
it — every change against the contract as signed and amended so far, fiche texts word by
word, the budget per year before and after with the envelope rule checked on the result."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.utils.translation import gettext as _

from cej.models import Amendment, AmendmentStatus, PartnerDecision
from cej.money import format_eur
from cej.selectors import PartyBlock, signing_parties
from cej.versioning import FieldChange
from fiches.diff import Names, diff_snapshots
from fiches.models import Fiche, FicheStatus
from fiches.services import snapshot_of
from financing.models import BudgetLine, BudgetPost, Instrument
from financing.terms import contract_terms
from pilotage import amendment_financing as financing
from pilotage.amendment_indicators import IndicatorChangeView, avenant_indicators
from pilotage.models import (
    AmendmentFicheChange,
    AmendmentLineChange,
    AmendmentRepresentativeChange,
    ChangeKind,
)

ZERO = Decimal("0.00")


@dataclass
class ProposedLine:
    """A planned line as the contract would have it after the avenant: `line` the stored one
    it revises or keeps (None for a line the avenant adds), `change` the avenant's proposal
    (None for a line it leaves alone). No financing is stored with it: its PSEJ and the
    beneficiary's share follow from the contract's terms (`pilotage.amendment_financing`)."""

    year: int
    post: BudgetPost
    fiche_number: int | None
    label: str
    amount: Decimal  # the forecast expenses, what the contract allocates
    other_receipts: Decimal = ZERO
    continued: bool = False
    line: BudgetLine | None = None
    change: AmendmentLineChange | None = None

    @property
    def key(self) -> tuple:
        return (self.year, self.post.pk, self.fiche_number)


@dataclass
class YearBudget:
    """One year of the budget before and after the avenant, against the annual envelope."""

    year: int
    before: Decimal
    after: Decimal
    envelope: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def remainder(self) -> Decimal:
        return self.envelope - self.after

    @property
    def exceeded(self) -> bool:
        return self.after > self.envelope

    @property
    def excess(self) -> Decimal:
        """How much the year goes above the envelope (0 within it)."""
        return max(self.after - self.envelope, ZERO)


@dataclass
class FicheChangeView:
    change: AmendmentFicheChange
    title: str
    rows: list[FieldChange]


@dataclass
class LineChangeView:
    change: AmendmentLineChange
    label: str
    rows: list[FieldChange]
    proposed: ProposedLine | None = None
    # Its forecast financing after the avenant, as read: « PSEJ CAF 12 150,00 € · … ».
    shares: str = ""


@dataclass
class AmendmentPage:
    """What the avenant page shows."""

    amendment: Amendment
    fiche_changes: list[FicheChangeView]
    line_changes: list[LineChangeView]
    representative_changes: list[AmendmentRepresentativeChange]
    years: list[YearBudget]
    annex_before: str
    annex_after: str
    parties: list[PartyBlock]
    decisions: dict[int, PartnerDecision]  # partner id → decision
    signatures: dict[int, object] = field(default_factory=dict)  # signatory id → signature
    # The contract's fiches in force and its planned lines, as stored (what the avenant may
    # propose to change), in the order the page lists them.
    fiches: list[Fiche] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    # The avenant's changes of indicator targets, and the contract's indicators it may
    # change (`pilotage.amendment_indicators`).
    indicator_changes: list[IndicatorChangeView] = field(default_factory=list)
    indicators: list = field(default_factory=list)

    @property
    def added_lines(self) -> list[LineChangeView]:
        return [v for v in self.line_changes if v.change.kind == ChangeKind.ADD]

    @property
    def other_line_changes(self) -> list[LineChangeView]:
        return [v for v in self.line_changes if v.change.kind != ChangeKind.ADD]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.fiche_changes
            or self.line_changes
            or self.representative_changes
            or self.indicator_changes
            or self.annex_before != self.annex_after
        )

    @property
    def envelope_errors(self) -> list[str]:
        return envelope_errors(self.years)

    @property
    def party_rows(self) -> list[tuple]:
        """Each party with its deliberation on the avenant and its representatives with
        their signature of it: (partner, decision | None, [(signatory, signature | None)])."""
        return [
            (
                party.partner,
                self.decisions.get(party.partner.pk),
                [(s, self.signatures.get(s.pk)) for s, _old in party.signatories],
            )
            for party in self.parties
        ]

    @property
    def missing_decisions(self) -> list:
        return [p.partner for p in self.parties if p.partner.pk not in self.decisions]

    @property
    def missing_signatories(self) -> list:
        return [
            signatory
            for party in self.parties
            for signatory, _signature in party.signatories
            if signatory.pk not in self.signatures
        ]


def open_amendment(contract) -> Amendment | None:
    """The avenant in progress on the contract (at most one), or None."""
    return (
        Amendment.objects.filter(
            contract_id=contract.pk,
            status__in=[AmendmentStatus.DRAFT, AmendmentStatus.APPROVAL],
        )
        .order_by()
        .first()
    )


def annex_years_after(amendment: Amendment) -> dict[int, tuple[int, int]]:
    """Each annex convention's (first, last) year once the avenant is signed."""
    years = {}
    for annex in amendment.contract.annex_conventions.order_by():
        end = annex.end_year
        if annex.pk == amendment.annex_convention_id and amendment.new_end_year:
            end = amendment.new_end_year
        years[annex.pk] = (annex.start_year, end)
    return years


def proposed_fiche_numbers(
    amendment: Amendment, *, fiches: list[Fiche] | None = None, changes=None
) -> dict[int, str]:
    """The fiches a line may fund once the avenant is signed: number → title, withdrawn
    ones left out, added ones in. `fiches` (the contract's) and `changes` (the avenant's
    fiche changes): when the caller has read them already."""
    if fiches is None:
        titles = dict(
            amendment.contract.fiches.exclude(status=FicheStatus.WITHDRAWN)
            .order_by("number")
            .values_list("number", "title")
        )
    else:
        titles = {f.number: f.title for f in fiches if f.status != FicheStatus.WITHDRAWN}
    if changes is None:
        changes = amendment.fiche_changes.order_by()
    for change in changes:
        if change.kind == ChangeKind.WITHDRAW:
            titles.pop(change.number, None)
        else:
            titles[change.number] = change.proposed.get("title", "")
    return dict(sorted(titles.items()))


def proposed_lines(
    amendment: Amendment, *, posts=None, stored=None, changes=None
) -> list[ProposedLine]:
    """The contract's planned lines as they would stand once the avenant is signed.
    `posts` (pk → post), `stored` (the contract's lines, with their fiche and contributions)
    and `changes` (the avenant's line changes, in order): when the caller has read them."""
    if posts is None:
        posts = {p.pk: p for p in BudgetPost.objects.all()}
    if stored is None:
        stored = _stored_lines(amendment.contract)
    if changes is None:
        changes = list(amendment.line_changes.order_by("pk"))
    by_line = {c.line_id: c for c in changes if c.line_id}
    result = []
    for line in stored:
        change = by_line.get(line.pk)
        if change is not None and change.kind == ChangeKind.WITHDRAW:
            continue
        if change is not None:
            result.append(_from_proposal(change, posts, line=line))
        else:
            result.append(
                ProposedLine(
                    year=line.year,
                    post=posts[line.post_id],
                    fiche_number=line.fiche.number if line.fiche_id else None,
                    label=line.label,
                    amount=line.amount,
                    other_receipts=line.other_receipts,
                    continued=line.continued,
                    line=line,
                )
            )
    result += [_from_proposal(c, posts) for c in changes if c.kind == ChangeKind.ADD]
    return sorted(
        result, key=lambda p: (p.year, p.post.instrument, p.post.order, p.fiche_number or 0)
    )


def _stored_lines(contract) -> list[BudgetLine]:
    return list(
        BudgetLine.objects.filter(contract=contract)
        .order_by()
        .select_related("post", "fiche")
        .prefetch_related("contributions")
    )


def _from_proposal(change, posts, line=None) -> ProposedLine:
    """A proposal saved before lines had other receipts and a continued flag reads as a new
    action without other receipts; the typed contributions it may carry are ignored (the
    financing is computed from the contract's terms)."""
    p = change.proposed
    return ProposedLine(
        year=p["year"],
        post=posts[p["post_id"]],
        fiche_number=p.get("fiche_number"),
        label=p.get("label", ""),
        amount=Decimal(p["amount"]),
        other_receipts=Decimal(p.get("other_receipts") or "0.00"),
        continued=bool(p.get("continued", False)),
        line=line,
        change=change,
    )


def budget_years(amendment: Amendment, lines: list[ProposedLine] | None = None, *, stored=None):
    """Per contract year: planned before (as stored), after (with the avenant), envelope.
    `stored`: the contract's lines, when the caller has read them."""
    contract = amendment.contract
    if lines is None:
        stored = _stored_lines(contract) if stored is None else stored
        lines = proposed_lines(amendment, stored=stored)
    elif stored is None:
        stored = BudgetLine.objects.filter(contract=contract).only("year", "amount")
    before, after = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for line in stored:
        before[line.year] += line.amount
    for line in lines:
        after[line.year] += line.amount
    return [
        YearBudget(year, before[year], after[year], contract.annual_envelope)
        for year in contract.years
    ]


def envelope_errors(years: list[YearBudget]) -> list[str]:
    return [
        _(
            "En %(year)s, le budget après avenant (%(after)s) dépasserait l'enveloppe annuelle "
            "(%(envelope)s) de %(excess)s."
        )
        % {
            "year": y.year,
            "after": format_eur(y.after),
            "envelope": format_eur(y.envelope),
            "excess": format_eur(y.after - y.envelope),
        }
        for y in years
        if y.exceeded
    ]


def _fiche_label(proposed: ProposedLine, fiche_titles) -> str:
    if not proposed.fiche_number:
        return ""
    return _("Fiche %(number)s : %(title)s") % {
        "number": proposed.fiche_number,
        "title": fiche_titles.get(proposed.fiche_number),
    }


def line_title(proposed: ProposedLine) -> str:
    parts = [str(proposed.year), str(proposed.post)]
    if proposed.fiche_number:
        parts.append(_("fiche %(number)s") % {"number": proposed.fiche_number})
    if proposed.label:
        parts.append(proposed.label)
    return " — ".join(parts)


def amendment_page(amendment: Amendment) -> AmendmentPage:
    """Every change of the avenant against the contract: as it stands while the avenant is
    prepared, as the avenant found it once signed (what it kept when it was applied)."""
    contract = amendment.contract
    applied = amendment.status == AmendmentStatus.SIGNED
    names = Names.for_contract(contract)
    signatures = {s.signatory_id: s for s in amendment.signatures.select_related("signatory")}
    parties = _signing_parties(contract, signatures if applied else None)
    short_names = {p.partner.pk: p.partner.short_name for p in parties}
    fiches = {
        f.pk: f
        for f in Fiche.objects.filter(contract=contract)
        .order_by()
        .prefetch_related("associated_partners", "aims")
    }
    fiche_changes = sorted(amendment.fiche_changes.order_by(), key=attrgetter("number"))
    fiche_views = []
    for change in fiche_changes:
        fiche = fiches.get(change.fiche_id)
        # Once applied, the fiche is what the avenant made of it: read what it found.
        before = dict(change.before) if applied else (snapshot_of(fiche) if fiche else {})
        if change.kind == ChangeKind.WITHDRAW:
            after = {**before, "status": FicheStatus.WITHDRAWN}
        else:
            after = {**before, **change.proposed}
        title = after.get("title") or before.get("title", "")
        fiche_views.append(FicheChangeView(change, title, diff_snapshots(before, after, names)))
    posts = {p.pk: p for p in BudgetPost.objects.all()}
    contract_lines = _stored_lines(contract)
    stored_lines = {line.pk: line for line in contract_lines}
    line_changes = list(amendment.line_changes.order_by("pk"))
    if applied:
        lines, fiche_titles = [], _fiche_titles(contract)
    else:
        lines = proposed_lines(amendment, posts=posts, stored=contract_lines, changes=line_changes)
        fiche_titles = proposed_fiche_numbers(
            amendment, fiches=list(fiches.values()), changes=fiche_changes
        )
    terms = contract_terms(contract.pk)
    line_views = []
    for change in line_changes:
        stored = stored_lines.get(change.line_id)
        if applied:
            before = dict(change.before)
        else:
            before = financing.stored_snapshot(stored) if stored is not None else {}
        after, proposed, shares = {}, None, ""
        label = before.get("post", "")
        if change.kind != ChangeKind.WITHDRAW:
            proposed = _from_proposal(change, posts)
            split = financing.plan_shares(financing.proposed_plan(proposed, terms), terms)
            after = financing.snapshot(proposed, split, fiche=_fiche_label(proposed, fiche_titles))
            label = line_title(proposed)
            shares = financing.shares_label(split, terms, short_names)
        elif stored is not None:
            label = str(stored)
        elif before:
            label = " — ".join(str(before[k]) for k in ("year", "post") if before.get(k))
        rows = financing.compare(before, after, terms, short_names)
        line_views.append(LineChangeView(change, label, rows, proposed, shares))
    annex_before, annex_after = _annex_periods(amendment)
    indicator_changes, indicators = avenant_indicators(amendment)
    if applied and amendment.applied_budget:
        years = [
            YearBudget(int(year), Decimal(b), Decimal(a), contract.annual_envelope)
            for year, (b, a) in sorted(amendment.applied_budget.items())
        ]
    else:
        years = budget_years(amendment, lines, stored=contract_lines)
    return AmendmentPage(
        amendment=amendment,
        fiche_changes=fiche_views,
        line_changes=line_views,
        representative_changes=list(
            amendment.representative_changes.select_related("leaving__partner", "arriving")
        ),
        years=years,
        annex_before=annex_before,
        annex_after=annex_after,
        parties=parties,
        decisions={d.partner_id: d for d in amendment.decisions.select_related("partner")},
        signatures=signatures,
        fiches=sorted(
            (f for f in fiches.values() if f.status != FicheStatus.WITHDRAWN),
            key=attrgetter("number"),
        ),
        lines=sorted(
            contract_lines,
            key=lambda line: (
                line.year,
                line.post.instrument,
                line.post.order,
                line.fiche.number if line.fiche_id else 0,
            ),
        ),
        indicator_changes=indicator_changes,
        indicators=indicators,
    )


def _signing_parties(contract, signatures: dict | None) -> list[PartyBlock]:
    """The parties and their representatives in office; for a signed avenant (`signatures`),
    the representatives who signed it — one it replaced has left office since, and the one
    who took over did not sign it."""
    parties = signing_parties(contract)
    if signatures is not None:
        for party in parties:
            party.signatories = sorted(
                (
                    (signature.signatory, None)
                    for signature in signatures.values()
                    if signature.signatory.partner_id == party.partner.pk
                ),
                key=lambda pair: (pair[0].order, pair[0].last_name),
            )
    return parties


def _fiche_titles(contract) -> dict[int, str]:
    return dict(contract.fiches.order_by("number").values_list("number", "title"))


def _annex_periods(amendment: Amendment) -> tuple[str, str]:
    annex = amendment.annex_convention
    if annex is None or not amendment.new_end_year:
        return "", ""
    end_before = annex.end_year
    if amendment.status == AmendmentStatus.SIGNED and amendment.previous_end_year:
        end_before = amendment.previous_end_year
    return _period(annex.start_year, end_before), _period(annex.start_year, amendment.new_end_year)


def _period(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}–{end}"


def instrument_years_ok(amendment: Amendment, post: BudgetPost, year: int) -> int | None:
    """For a line of `post` in `year` once the avenant is signed: the annex convention that
    would fund it (an annex post), None for a CEJ post; raises LookupError when no convention
    would cover the year."""
    if post.instrument == Instrument.CEJ:
        return None
    for annex_id, (start, end) in annex_years_after(amendment).items():
        if start <= year <= end:
            return annex_id
    raise LookupError(year)
