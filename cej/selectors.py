"""Reads of the contract core that pages, PDFs and the API share: plain data (dataclasses,
lists of model instances loaded with what is shown), never a form. Views add their forms
and permission flags; writes go through services."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from cej.models import Amendment, AnnexConvention, Contract, Document, Signature
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
    """Every contract the user may see, as small rows (pk, content_token, title, status,
    territory_id, territory__name): a national administrator's 300 contracts cost one
    query, and the contract list filters and pages them without another."""
    return list(
        Contract.objects.for_user(user)
        .order_by("territory__code", "-start_year", "pk")
        .values("pk", "content_token", "title", "status", "territory_id", "territory__name")
    )


def signing_parties(contract: Contract) -> list[PartyBlock]:
    """Each party, its active representatives in signing order, and their signature if
    recorded. Two queries (+1 for signatures)."""
    signatures = {s.signatory_id: s for s in Signature.objects.filter(contract=contract)}
    parties = (
        contract.parties.select_related("partner")
        .prefetch_related(
            Prefetch(
                "partner__signatories",
                queryset=Signatory.objects.filter(is_active=True).order_by("order", "last_name"),
            )
        )
        .order_by("order")
    )
    return [
        PartyBlock(
            partner=party.partner,
            signatories=[(s, signatures.get(s.pk)) for s in party.partner.signatories.all()],
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
    """The contract, its parties with their signatures, annex conventions and amendments."""
    # The page names the territory and the predecessor: one join rather than two queries.
    contract = Contract.objects.with_territory().get(pk=contract.pk)
    return ContractOverview(
        contract=contract,
        parties=signing_parties(contract),
        annex_conventions=list(contract.annex_conventions.order_by("start_year")),
        amendments=list(contract.amendments.order_by("number")),
    )


def contract_documents(contract: Contract) -> list[Document]:
    """The contract's stored documents in display order, each with its served downloads
    counted (`download_count`)."""
    return list(
        Document.objects.filter(contract=contract)
        .select_related("created_by", "amendment", "annex_convention")
        .with_download_count()
        .in_display_order()
    )
