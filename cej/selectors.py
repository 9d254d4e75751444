"""Reads of the contract core that pages, PDFs and the API share: plain data (dataclasses,
lists of model instances loaded with what is shown), never a form. Views add their forms
and permission flags; writes go through services.

The selectors of every app sort the few rows they read in Python rather than in SQL
(`order_by()` clears the models' default orders): a page is rendered whole on its first view
after a change, and the ORM spent more building an ORDER BY (≈ 0.07 ms a query) than
Python sorting a contract's dozen rows. Only a query cut by LIMIT keeps its ORDER BY."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from django.db.models import CharField, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    Document,
    DocumentKind,
    PartnerDecision,
    Signature,
)
from partners.models import Partner, PartnerKind, Signatory

ZERO = Decimal("0.00")
DESIGNATION_ARTICLES = {
    PartnerKind.CONSEIL_GENERAL: "le",
    PartnerKind.CAF: "la",
    PartnerKind.MSA: "la",
}


@dataclass
class PartyBlock:
    """A party to the contract (*partie*) as the pages and the acts show it: the partner and
    its name (the one in force on the act's date for an act, see `signing_parties`), its
    active representatives (*représentants signataires*) in signing order with their
    signature if recorded, the deliberation of its board that authorised them to sign the
    act (if read and recorded), and — on the contract document only — its planned
    contribution per contract year."""

    partner: object
    signatories: list  # [(Signatory, Signature | None)]
    contributions: list[Decimal | None] = field(default_factory=list)  # per contract year
    total: Decimal = ZERO
    name: str = ""  # the partner's name on the act's date; its current name by default
    short_name: str = ""
    decision: PartnerDecision | None = None

    def __post_init__(self):
        self.name = self.name or self.partner.name
        self.short_name = self.short_name or self.partner.short_name

    @property
    def designation(self) -> str:
        """« le Conseil général », « la CAF », « la MSA »: how the act's text names the party
        after the parties block (the Conseil général and the Département are masculine, the
        caisses feminine); a partner of another kind by its short name alone."""
        article = DESIGNATION_ARTICLES.get(self.partner.kind)
        return f"{article} {self.short_name}" if article else self.short_name

    @property
    def authorised(self) -> str:
        """« dûment autorisé », agreed with the representatives who sign (their civility):
        the parties block says they were authorised by the deliberation."""
        civilities = {signatory.civility for signatory, _signature in self.signatories}
        plural = len(self.signatories) > 1
        if civilities == {"Mme"}:
            return _("dûment autorisées") if plural else _("dûment autorisée")
        if civilities <= {"M.", "Mme"} and civilities:
            return _("dûment autorisés") if plural else _("dûment autorisé")
        return _("dûment autorisé(e)s") if plural else _("dûment autorisé(e)")


@dataclass
class ContractOverview:
    """What the dashboard says about the contract itself: the contract (with its territory
    and predecessor), its parties and their signatures, its annex conventions and its
    amendments (*avenants*)."""

    contract: Contract
    parties: list[PartyBlock]
    annex_conventions: list[AnnexConvention]
    amendments: list[Amendment]


class VisibleContract(NamedTuple):
    """A contract of the user's scope, as the contract list filters and pages it."""

    pk: int
    title: str
    status: str
    territory_id: int
    territory_name: str
    token: str  # the content token as text: the list hashes it, nothing more
    territory_code: str
    start_year: int


def contracts_in_scope(user) -> list[VisibleContract]:
    """Every contract the user may see, as small rows, by territory, the newest first: a
    national administrator's 300 contracts cost one query, and the contract list filters
    and pages them without another. Tuples, and the token as text, not a UUID object: this
    runs on every view of the list, cached or not."""
    rows = (
        Contract.objects.for_user(user)
        .order_by()
        .values_list(
            "pk",
            "title",
            "status",
            "territory_id",
            "territory__name",
            Cast("content_token", output_field=CharField()),
            "territory__code",
            "start_year",
        )
    )
    return list(map(VisibleContract._make, sorted(rows, key=lambda row: (row[6], -row[7], row[0]))))


PARTNER_FIELDS = [field.attname for field in Partner._meta.concrete_fields]
SIGNATORY_FIELDS = [field.attname for field in Signatory._meta.concrete_fields]


def signing_parties(
    contract: Contract,
    *,
    on: datetime.date | None = None,
    also_named=(),
    decisions: bool = False,
    amendment: Amendment | None = None,
) -> list[PartyBlock]:
    """Each party, its active representatives in signing order, and their signature if
    recorded. Two queries: the signatures, and the parties joined to their partner and its
    representatives (read as rows, then made the model instances the acts print).

    For an act, dated `on`: each party named as it was on that day (`Partner.name_on`: the
    2014 contract says « Conseil général de la Loire »), one more query for the former names,
    which `also_named` (other Partner instances the act prints, such as its fiches' lead
    partners) receive from the same query. `decisions`: one more query for the
    deliberations that approved the contract (or `amendment`), one per party at most."""
    signatures = {s.signatory_id: s for s in Signature.objects.filter(contract=contract).order_by()}
    rows = (
        ContractParty.objects.filter(contract=contract)
        .order_by()
        .values_list(
            "order",
            *(f"partner__{name}" for name in PARTNER_FIELDS),
            *(f"partner__signatories__{name}" for name in SIGNATORY_FIELDS),
        )
    )
    partner_end = 1 + len(PARTNER_FIELDS)
    signing_order = partner_end + SIGNATORY_FIELDS.index("order")
    last_name = partner_end + SIGNATORY_FIELDS.index("last_name")
    is_active = SIGNATORY_FIELDS.index("is_active")
    parties: dict[int, PartyBlock] = {}
    # The parties in their order, each one's representatives in signing order.
    for row in sorted(rows, key=lambda r: (r[0], r[signing_order] or 0, r[last_name] or "")):
        partner_id = row[1]
        if partner_id not in parties:
            partner = Partner.from_db(rows.db, PARTNER_FIELDS, row[1:partner_end])
            parties[partner_id] = PartyBlock(partner=partner, signatories=[])
        party = parties[partner_id]
        values = row[partner_end:]
        if values[0] is None or not values[is_active]:
            continue  # no representative, or one no longer in office
        signatory = Signatory.from_db(rows.db, SIGNATORY_FIELDS, values)
        signatory.partner = party.partner  # the object already read
        party.signatories.append((signatory, signatures.get(signatory.pk)))
    blocks = list(parties.values())
    if on is not None:
        prefetch_related_objects([p.partner for p in blocks] + list(also_named), "former_names")
        for party in blocks:
            party.name = party.partner.name_on(on)
            party.short_name = party.partner.short_name_on(on)
    if decisions:
        approving = PartnerDecision.objects.filter(contract=contract, amendment=amendment)
        by_partner = {d.partner_id: d for d in approving.order_by()}
        for party in blocks:
            party.decision = by_partner.get(party.partner.pk)
    return blocks


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
    The contract's territory, and the title and last year of its predecessor if it has one,
    are read here when the caller has not (`scoped_contract` has)."""
    if not Contract.territory.is_cached(contract):
        contract = Contract.objects.select_related("territory").get(pk=contract.pk)
    if contract.predecessor_id and not Contract.predecessor.is_cached(contract):
        # What the dashboard says of it: its title and last year.
        contract.predecessor = Contract.objects.only("title", "end_year").get(
            pk=contract.predecessor_id
        )
    return ContractOverview(
        contract=contract,
        parties=signing_parties(contract),
        annex_conventions=sorted(
            contract.annex_conventions.order_by(), key=attrgetter("start_year")
        ),
        amendments=sorted(contract.amendments.order_by(), key=attrgetter("number")),
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
        .order_by()
    )
    rank = {kind: position for position, kind in enumerate(DOCUMENT_ORDER)}
    return sorted(
        documents,
        key=lambda d: (
            rank.get(d.kind, len(rank)),
            d.dated is None,  # the undated after the dated
            -(d.dated.toordinal() if d.dated else 0),
            -d.created_at.timestamp(),
        ),
    )
