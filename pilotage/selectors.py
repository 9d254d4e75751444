"""Reads of the pages that combine the apps — the contract list, the dashboard, the document
space and the contract document (PDF) — composed from each app's selectors. Plain data,
never a form: views add their forms and permission flags."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.db.models import IntegerField, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

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
from fiches.models import Fiche, FicheStatus, Objective
from fiches.selectors import FicheRow, fiches_by_objective, objectives_with_fiches
from financing.figures import BudgetTable
from financing.models import Contribution
from financing.selectors import budget_table


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


def contract_document(
    contract: Contract, *, generated_by=None, unsealed_copy: bool = False
) -> dict:
    """What the contract PDF (`pilotage/pdf/contract.html`) says, from a handful of queries
    whatever the number of fiches, lines or signatories (the PDF benchmark compares this
    plus the template against WeasyPrint alone). A contract that is not signed yet is a
    draft: the template shows the « projet » watermark. `unsealed_copy` marks a rendering of
    a signed (or expired) contract that has no stored sealed document — e.g. one signed
    before the application existed: a reconstitution, said so on every page, never the
    original."""
    parties = signing_parties(contract)
    years = contract.years
    contributions = defaultdict(lambda: ZERO)
    for row in (
        Contribution.objects.filter(line__contract=contract)
        .values("partner_id", "line__year")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        contributions[(row["partner_id"], row["line__year"])] = row["total"]
    for party in parties:
        party.contributions = [contributions[(party.partner.pk, year)] for year in years]
        party.total = sum(party.contributions, ZERO)
    year_totals = [sum((p.contributions[i] for p in parties), ZERO) for i in range(len(years))]

    annex_conventions = list(contract.annex_conventions.order_by("start_year"))
    objectives = objectives_with_fiches(contract, withdrawn=False, printed=True)
    return {
        "contract": contract,
        "territory": contract.territory,
        "is_draft": contract.status in (ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE),
        "unsealed_copy": unsealed_copy,
        "parties": parties,
        "signatory_count": sum(len(p.signatories) for p in parties),
        "objectives": objectives,
        "fiche_count": sum(len(o.fiches.all()) for o in objectives),
        "annex_conventions": annex_conventions,
        "amendments": list(
            contract.amendments.select_related("annex_convention").order_by("number")
        ),
        "budget": budget_table(contract, annex_conventions=annex_conventions),
        "years": years,
        "contribution_totals": year_totals,
        "contribution_grand_total": sum(year_totals, ZERO),
        "envelope_total": contract.annual_envelope * len(years),
        "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    }
