"""Reads of the pages that combine the apps — the contract list, the dashboard, the document
space and the contract document (PDF) — composed from each app's selectors. Plain data,
never a form: views add their forms and permission flags."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.models import (
    Amendment,
    AmendmentStatus,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    Document,
    DocumentKind,
)
from cej.selectors import (
    ZERO,
    ContractOverview,
    PartyBlock,
    contract_documents,
    contract_overview,
    signing_parties,
)
from fiches.models import Aim, Fiche, FicheStatus, Objective
from fiches.selectors import FicheRow, fiches_by_objective, objectives_with_fiches
from financing.figures import BudgetTable
from financing.models import BudgetLine, Instrument
from financing.selectors import budget_table
from pilotage.contract_articles import TERMS, Articles, administrative_court
from pilotage.contract_financing import contract_financing


@dataclass
class ContractCard:
    """A contract as the contract list shows it: plain values, read without a model
    instance (an administrator's page shows fifty)."""

    pk: int
    slug: str
    title: str
    status: str
    status_label: str
    territory: str
    period_label: str
    signed_on: datetime.date | None
    annual_envelope: Decimal
    fiche_count: int  # withdrawn fiches left out
    parties: list[str]  # the partners' short names, in the contract's order
    predecessor: str  # the title of the contract it succeeds, or ""
    stage: object = None  # where it stands in its cycle (pilotage.contract_cycle.Stage)


def contract_list_page(pks: list[int]) -> list[ContractCard]:
    """The contracts `pks`, in that order, as the contract list shows them. Two queries:
    the contracts with their territory, predecessor and number of fiches; their parties."""
    parties = defaultdict(list)
    for contract_id, _order, short_name in sorted(  # in each contract's order
        ContractParty.objects.filter(contract_id__in=pks)
        .order_by()
        .values_list("contract_id", "order", "partner__short_name")
    ):
        parties[contract_id].append(short_name)
    cards = {}
    status_labels = {status: str(label) for status, label in ContractStatus.choices}
    for (
        pk,
        slug,
        title,
        status,
        territory,
        start_year,
        end_year,
        signed_on,
        annual_envelope,
        fiche_count,
        predecessor,
    ) in (
        Contract.objects.filter(pk__in=pks)
        .annotate(fiche_count=_fiche_count())
        .order_by()
        .values_list(
            "pk",
            "slug",
            "title",
            "status",
            "territory__name",
            "start_year",
            "end_year",
            "signed_on",
            "annual_envelope",
            "fiche_count",
            "predecessor__title",
        )
    ):
        cards[pk] = ContractCard(
            pk=pk,
            slug=slug,
            title=title,
            status=status,
            status_label=status_labels.get(status, status),
            territory=territory,
            period_label=f"{start_year}–{end_year}",
            signed_on=signed_on,
            annual_envelope=annual_envelope,
            fiche_count=fiche_count,
            parties=parties[pk],
            predecessor=predecessor or "",
        )
    return [cards[pk] for pk in pks if pk in cards]


def _fiche_count() -> RawSQL:
    """The number of fiches of the contract of each row, withdrawn ones left out: a
    correlated count written out. Grouping the page's fifty contracts by all their columns
    cost more than the rest of the page, and the ORM spent more building the equivalent
    Subquery than the database running it."""
    quote, fiche = connection.ops.quote_name, Fiche._meta
    return RawSQL(
        f"SELECT COUNT(*) FROM {quote(fiche.db_table)} f"
        f" WHERE f.{quote(fiche.get_field('contract').column)}"
        f" = {quote(Contract._meta.db_table)}.{quote(Contract._meta.pk.column)}"
        f" AND f.{quote(fiche.get_field('status').column)} <> %s",
        [FicheStatus.WITHDRAWN],
        output_field=IntegerField(),
    )


@dataclass
class Dashboard:
    """A contract's dashboard: the contract and its parties, annex conventions and
    amendments; its objectives and fiches; its planned budget per poste and year."""

    contract: Contract
    parties: list[PartyBlock]
    annex_conventions: list[AnnexConvention]
    amendments: list[Amendment]
    objectives: list[tuple[Objective, list[FicheRow]]]
    budget: BudgetTable


def contract_dashboard(contract: Contract) -> Dashboard:
    overview: ContractOverview = contract_overview(contract)
    return Dashboard(
        contract=overview.contract,
        parties=overview.parties,
        annex_conventions=overview.annex_conventions,
        amendments=overview.amendments,
        objectives=fiches_by_objective(overview.contract),
        budget=budget_table(overview.contract, annex_conventions=overview.annex_conventions),
    )


@dataclass
class DocumentSpace:
    """A contract's documents and signatures: its stored documents, its parties and their
    signatures, its amendments (for those who may seal them) and the signed ones still
    without a sealed document."""

    contract: Contract
    documents: list[Document]
    parties: list[PartyBlock]
    amendments: list[Amendment]
    amendments_to_seal: list[Amendment]
    has_signed_document: bool


def document_space(contract: Contract, *, with_amendments: bool) -> DocumentSpace:
    """`with_amendments`: whether to read the amendments and find the signed ones without a
    sealed document (only those who may seal them, or deposit an original, see them)."""
    documents = contract_documents(contract)
    parties = signing_parties(contract)
    amendments, amendments_to_seal = [], []
    if with_amendments:
        sealed_amendment_ids = {
            d.amendment_id for d in documents if d.kind == DocumentKind.AMENDMENT and d.sealed
        }
        amendments = sorted(
            contract.amendments.select_related("annex_convention").order_by(),
            key=attrgetter("number"),
        )
        amendments_to_seal = [
            a
            for a in amendments
            if a.status == AmendmentStatus.SIGNED and a.pk not in sealed_amendment_ids
        ]
    return DocumentSpace(
        contract=contract,
        documents=documents,
        parties=parties,
        amendments=amendments,
        amendments_to_seal=amendments_to_seal,
        has_signed_document=any(d.kind == DocumentKind.SIGNED_CONTRACT for d in documents),
    )


@dataclass
class FicheFunding:
    """What funds a fiche through the contract: an instrument (the CEJ or its annex
    convention), a *poste*, the years it has lines in."""

    instrument: str
    post: str
    years: list[int]

    @property
    def years_label(self) -> str:
        return year_ranges(self.years)


@dataclass
class PrintedFiche:
    """A fiche of the contract's annex 1, with its objective and, if the contract or its
    annex convention funds it, how."""

    fiche: Fiche
    objective: Objective
    fundings: list[FicheFunding] = field(default_factory=list)


@dataclass
class Opinion:
    """The fiches on which the CDAJE gave its opinion (*avis*) in the same plenary session
    (`date`; None: not yet given)."""

    date: datetime.date | None
    numbers: list[int]

    @property
    def numbers_label(self) -> str:
        return fiche_numbers(self.numbers)


def contract_document(
    contract: Contract, *, generated_by=None, unsealed_copy: bool = False
) -> dict:
    """What the contract PDF (`pilotage/pdf/contract.html`) says, from a handful of queries
    whatever the number of fiches, lines or signatories (the PDF benchmark compares this
    plus the template against WeasyPrint alone). A contract that is not signed yet is a
    draft: the template shows the « projet » watermark. `unsealed_copy` marks a rendering of
    a signed (or expired) contract that has no stored sealed document — e.g. one signed
    before the application existed: a reconstitution, said so on every page, never the
    original.

    The act speaks as of its date (`named_on`: its signing date, the first day of its period
    if it was signed before the application without one, today for a draft): each
    partner bears the name it had then, each party's representatives are authorised by its
    board's deliberation on the contract. Its articles are numbered by
    `pilotage.contract_articles`. Annex 1 separates the fiches the contract or its annex
    convention funds (those with budget lines) from those pursued on the partners' own
    credits (« hors CEJ »)."""
    is_draft = contract.status in (ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE)
    if is_draft:
        named_on = timezone.localdate()
    else:  # signed before the application without a recorded date: in force on its first day
        named_on = contract.signed_on or datetime.date(contract.start_year, 1, 1)
    objectives = objectives_with_fiches(contract, withdrawn=False, printed=True)
    fiches = [(objective, fiche) for objective in objectives for fiche in objective.fiches.all()]
    parties = signing_parties(
        contract,
        on=named_on,
        decisions=True,
        also_named=[
            partner
            for _objective, fiche in fiches
            for partner in (fiche.lead_partner, *fiche.associated_partners.all())
            if partner is not None
        ],
    )
    years = contract.years
    financing = contract_financing(contract, parties, years)
    for party in parties:
        party.contributions = [
            financing.shares.get((party.partner.pk, year), ZERO) for year in years
        ]
        party.total = sum(party.contributions, ZERO)

    # Which poste of which instrument funds each fiche, in which years; and the CEJ's postes.
    fundings: dict[int, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))
    cej_posts = {}
    for fiche_id, instrument, _order, post, year in sorted(
        BudgetLine.objects.filter(contract=contract)
        .order_by()
        .values_list("fiche_id", "post__instrument", "post__order", "post__label", "year")
        .distinct(),
        key=lambda row: (row[1] != Instrument.CEJ, row[2], row[3], row[4]),
    ):
        if instrument == Instrument.CEJ:
            cej_posts[post] = None
        if fiche_id is not None:
            fundings[fiche_id][(instrument, post)].append(year)
    instrument_labels = dict(Instrument.choices)
    printed = [
        PrintedFiche(
            fiche,
            objective,
            [
                FicheFunding(str(instrument_labels[instrument]), post, years_funded)
                for (instrument, post), years_funded in fundings.get(fiche.pk, {}).items()
            ],
        )
        for objective, fiche in fiches
    ]
    opinions = defaultdict(list)
    for _objective, fiche in fiches:
        opinions[fiche.validated_on].append(fiche.number)

    annex_conventions = list(contract.annex_conventions.order_by("start_year"))
    # Who pays whom: the beneficiary carries the actions, the funders pay it the PSEJ.
    carrier, funders = financing.beneficiary, financing.funders
    return {
        "contract": contract,
        "territory": contract.territory,
        "is_draft": is_draft,
        "unsealed_copy": unsealed_copy,
        "named_on": named_on,
        "articles": Articles(),
        "parties": parties,
        "carrier": carrier,
        "funders": funders,
        "other_parties": financing.others,
        "financing": financing,
        # « la CAF et la MSA »: a caisse is feminine, as the act's sentences write it.
        "funders_label": join_words([_("la %(name)s") % {"name": p.short_name} for p in funders]),
        # « la CAF et de la MSA », after « le soutien financier de ».
        "funders_support": join_words(
            (_("la %(name)s") if i == 0 else _("de la %(name)s")) % {"name": p.short_name}
            for i, p in enumerate(funders)
        ),
        "parties_decided": bool(parties) and all(p.decision for p in parties),
        "signatory_count": sum(len(p.signatories) for p in parties),
        "aims": sorted(Aim.objects.order_by(), key=attrgetter("number")),
        "objectives": objectives,
        "fiche_count": len(fiches),
        "funded_fiches": [p for p in printed if p.fundings],
        "own_credit_fiches": [p for p in printed if not p.fundings],
        "opinions": [
            Opinion(date, sorted(numbers))
            for date, numbers in sorted(
                opinions.items(), key=lambda item: (item[0] is None, item[0] or datetime.date.min)
            )
        ],
        "cej_posts_label": join_words(post.lower() for post in cej_posts),
        "annex_conventions": annex_conventions,
        # The avenants signed since, when a copy is printed after them (never in a draft).
        "amendments": list(
            contract.amendments.filter(status=AmendmentStatus.SIGNED)
            .select_related("annex_convention")
            .order_by("number")
        ),
        "budget": budget_table(contract, annex_conventions=annex_conventions),
        "years": years,
        "envelope_total": contract.annual_envelope * len(years),
        "court": administrative_court(contract.territory.code),
        "terms": TERMS,
        "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    }


def year_ranges(years) -> str:
    """« 2014 », « 2014–2017 », « 2014, 2016–2017 »: years as an act lists them."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def join_words(words) -> str:
    """« a », « a et b », « a, b et c »."""
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return _("%(items)s et %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def fiche_numbers(numbers) -> str:
    """« n° 15 », « n° 1 à 14 », « n° 4, 12, 14 et 15 »: fiche numbers as an act lists them,
    runs of three or more written as a range."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(_("%(first)s à %(last)s") % {"first": run[0], "last": run[-1]})
        else:
            parts.extend(str(number) for number in run)
    return _("n° %(numbers)s") % {"numbers": join_words(parts)}
