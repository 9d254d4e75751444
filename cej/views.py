"""Pages of the contract domain: the contracts in the user's scope and a contract's
dashboard. Thin: every read goes through a scoped queryset."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render

from cej.models import Contract, ContractParty, Signature
from cej.view_helpers import scoped_contract
from fiches.models import Fiche, FicheStatus
from financing.summary import contract_budget_table
from partners.models import Signatory


@login_required
def contract_list(request):
    contracts = (
        Contract.objects.for_user(request.user)
        .with_territory()
        .annotate(
            fiche_count=Count("fiches", filter=~Q(fiches__status=FicheStatus.WITHDRAWN)),
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=ContractParty.objects.select_related("partner").order_by("order"),
            )
        )
        .order_by("territory__code", "-start_year")
    )
    return render(request, "cej/contract_list.html", {"contracts": contracts})


@login_required
def contract_dashboard(request, slug):
    contract = scoped_contract(request, slug)
    signatures = {
        s.signatory_id: s
        for s in Signature.objects.filter(contract=contract).select_related("signatory")
    }
    parties = list(
        contract.parties.select_related("partner")
        .prefetch_related(
            Prefetch(
                "partner__signatories",
                queryset=Signatory.objects.filter(is_active=True).order_by("order"),
            )
        )
        .order_by("order")
    )
    for party in parties:
        party.signatory_rows = [
            (signatory, signatures.get(signatory.pk))
            for signatory in party.partner.signatories.all()
        ]
    objectives = contract.objectives.order_by("number").prefetch_related(
        Prefetch(
            "fiches",
            queryset=Fiche.objects.order_by("number").select_related("lead_partner"),
        )
    )
    annex_conventions = list(contract.annex_conventions.order_by("start_year"))
    context = {
        "contract": contract,
        "parties": parties,
        "objectives": objectives,
        "annex_conventions": annex_conventions,
        "amendments": contract.amendments.order_by("number"),
        "budget": contract_budget_table(contract, annex_conventions=annex_conventions),
    }
    return render(request, "cej/contract_dashboard.html", context)
