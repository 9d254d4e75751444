"""Reads of the contract core that pages, PDFs and the API share: plain data (dataclasses,
lists of model instances loaded with what is shown), never a form. Views add their forms
and permission flags; writes go through services."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField
from django.db.models.functions import Cast

from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    Document,
    DocumentKind,
    Signature,
)
from partners.models import Signatory

ZERO = Decimal("0.00")


@dataclass
class PartyBlock:
    """A party to the contract (*partie*) as the pages and the acts show it: the partner,
    its active representatives (*représentants signataires*) in signing order with their
    signature if recorded, and — on the contract document only — its planned contribution
    per contract year."""

    partner: object
    signatories: list  # [(Signatory, Signature | None)]
    contributions: list[Decimal | None] = field(default_factory=list)  # per contract year
    total: Decimal = ZERO


@dataclass
class ContractOverview:
    """What the dashboard says about the contract itself: the contract (with its territory
    and predecessor), its parties and their signatures, its annex conventions and its
    amendments (*avenants*)."""

    contract: Contract
    parties: list[PartyBlock]
    annex_conventions: list[AnnexConvention]
    amendments: list[Amendment]


def contracts_in_scope(user) -> list[dict]:
    """Every contract the user may see, as small rows (pk, token, title, status,
    territory_id, territory__name): a national administrator's 300 contracts cost one
    query, and the contract list filters and pages them without another. `token` is the
    content token as text, which is all the list does with it (no UUID object per row)."""
    return list(
        Contract.objects.for_user(user)
        .order_by("territory__code", "-start_year", "pk")
        .values(
            "pk",
            "title",
            "status",
            "territory_id",
            "territory__name",
            token=Cast("content_token", output_field=CharField()),
        )
    )


def signing_parties(contract: Contract) -> list[PartyBlock]:
    """Each party, its active representatives in signing order, and their signature if
    recorded. Three plain queries, none joining a table only to sort (the models' default
    orders would join the contract and its territory)."""
    signatures = {s.signatory_id: s for s in Signature.objects.filter(contract=contract).order_by()}
    parties = list(
        ContractParty.objects.filter(contract=contract).select_related("partner").order_by("order")
    )
    partners = {party.partner_id: party.partner for party in parties}
    representatives = defaultdict(list)
    for signatory in Signatory.objects.filter(partner_id__in=partners, is_active=True).order_by(
        "order", "last_name"
    ):
        signatory.partner = partners[signatory.partner_id]  # the object already read
        representatives[signatory.partner_id].append(signatory)
    return [
        PartyBlock(
            partner=party.partner,
            signatories=[(s, signatures.get(s.pk)) for s in representatives[party.partner_id]],
        )
        for party in parties
    ]


def missing_signatories(contract: Contract, *, parties=None) -> list[Signatory]:
    """Active representatives of the parties who have not signed yet (`parties`: the
    contract's `signing_parties`, when the caller already has them)."""
    return [
        signatory
        for party in (parties if parties is not None else signing_parties(contract))
        for signatory, signature in party.signatories
        if signature is None
    ]


def contract_overview(contract: Contract) -> ContractOverview:
    """The contract, its parties with their signatures, annex conventions and amendments.
    The contract's territory is read with it when the caller has not (`scoped_contract`
    has); its predecessor only if it has one."""
    if not Contract.territory.is_cached(contract):
        contract = Contract.objects.select_related("territory").get(pk=contract.pk)
    return ContractOverview(
        contract=contract,
        parties=signing_parties(contract),
        annex_conventions=list(contract.annex_conventions.order_by("start_year")),
        amendments=list(contract.amendments.order_by("number")),
    )


# The documents' display order: the signed contract first, then what completes it, then the
# scans; within a kind, the newest first.
DOCUMENT_ORDER = [
    DocumentKind.SIGNED_CONTRACT,
    DocumentKind.ANNEX_CONVENTION,
    DocumentKind.AMENDMENT,
    DocumentKind.SCANNED_ORIGINAL,
]


def contract_documents(contract: Contract) -> list[Document]:
    """The contract's stored documents in display order, each with its served downloads
    counted (`download_count`). A contract has a handful: sorted here by kind rather than by
    a CASE in SQL, which costs more to build than to run."""
    documents = (
        Document.objects.filter(contract=contract)
        .select_related("created_by", "amendment")
        .with_download_count()
        .order_by("-dated", "-created_at")
    )
    rank = {kind: position for position, kind in enumerate(DOCUMENT_ORDER)}
    return sorted(documents, key=lambda document: rank.get(document.kind, len(rank)))
