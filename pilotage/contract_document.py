"""What the contract PDF says: one context built from a handful of queries, whatever the
number of fiches, lines or signatories (the PDF benchmark compares this plus the template
against WeasyPrint alone)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from cej.models import Contract, ContractStatus, Signature
from fiches.models import Fiche, FicheStatus
from financing.models import Contribution
from financing.summary import contract_budget_table
from partners.models import Signatory

ZERO = Decimal("0.00")


@dataclass
class PartyBlock:
    partner: object
    signatories: list  # [(Signatory, Signature | None)]
    contributions: list[Decimal | None] = field(default_factory=list)  # per contract year
    total: Decimal = ZERO


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


def contract_document_context(
    contract: Contract, *, generated_by=None, unsealed_copy: bool = False
) -> dict:
    """Context of `pilotage/pdf/contract.html`. A contract that is not signed yet is a draft: the
    template shows the « projet » watermark. `unsealed_copy` marks a rendering of a signed
    (or expired) contract that has no stored sealed document — e.g. one signed before the
    application existed: a reconstitution, said so on every page, never the original."""
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
    objectives = list(
        contract.objectives.order_by("number").prefetch_related(
            Prefetch(
                "fiches",
                queryset=Fiche.objects.exclude(status=FicheStatus.WITHDRAWN)
                .select_related("lead_partner")
                .prefetch_related("associated_partners", "aims")
                .order_by("number"),
            )
        )
    )
    fiche_count = sum(len(o.fiches.all()) for o in objectives)
    return {
        "contract": contract,
        "territory": contract.territory,
        "is_draft": contract.status in (ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE),
        "unsealed_copy": unsealed_copy,
        "parties": parties,
        "signatory_count": sum(len(p.signatories) for p in parties),
        "objectives": objectives,
        "fiche_count": fiche_count,
        "annex_conventions": annex_conventions,
        "amendments": list(contract.amendments.select_related("annex_convention")),
        "budget": contract_budget_table(contract, annex_conventions=annex_conventions),
        "years": years,
        "contribution_totals": year_totals,
        "contribution_grand_total": sum(year_totals, ZERO),
        "envelope_total": contract.annual_envelope * len(years),
        "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    }
