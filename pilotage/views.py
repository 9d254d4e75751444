"""Pages of the contract domain: the contracts in the user's scope and a contract's
dashboard. Thin: every read goes through a scoped queryset."""

import hashlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej.forms import ContractFilterForm
from cej.models import Contract, ContractParty, Signature
from cej.page_cache import cached_fragment
from cej.view_helpers import scoped_contract
from fiches.models import Fiche, FicheStatus
from financing.summary import contract_budget_table
from partners.models import Signatory

CONTRACTS_PER_PAGE = 50


@login_required
def contract_list(request):
    # Every contract in scope, small rows: a national administrator's 300 contracts cost one
    # query, and the filters below run on them without another.
    visible = list(
        Contract.objects.for_user(request.user)
        .order_by("territory__code", "-start_year", "pk")
        .values("pk", "content_token", "title", "status", "territory_id", "territory__name")
    )
    territories = {row["territory_id"]: row["territory__name"] for row in visible}
    filters = {name: request.GET.get(name, "")[:200] for name in ContractFilterForm.base_fields}
    data = {name: value for name, value in filters.items() if value} or None
    form = ContractFilterForm(data, territories=sorted(territories.items(), key=lambda t: t[1]))
    kept = [(row["pk"], row["content_token"]) for row in visible if form.keep(row)]
    paginator = Paginator(kept, CONTRACTS_PER_PAGE)
    page, page_error = _page(paginator, request.GET.get("page"))
    on_page = page.object_list
    body = cached_fragment(
        request,
        None,
        "pilotage/_contract_list_body.html",
        lambda: _contract_list_context([pk for pk, _token in on_page]),
        # The page shows these contracts in these states, among these: nothing else makes
        # it differ.
        state=hashlib.sha256(repr((on_page, sorted(territories.items()))).encode()).hexdigest(),
        viewer={
            "filters": filters,
            "page_number": page.number,
            "page_count": paginator.num_pages,
            "total": paginator.count,
            "visible_count": len(visible),
            "show_filters": len(territories) > 1 or len(visible) > CONTRACTS_PER_PAGE,
        },
        derived={
            "page": page,
            "form": form,
            # The filters again in each page link.
            "page_query": urlencode({k: v for k, v in filters.items() if v}, safe="")
            + ("&" if data else ""),
        },
    )
    return render(request, "pilotage/contract_list.html", {"body": body, "page_error": page_error})


def _page(paginator, raw):
    """The page asked for, or the first one with a French message saying why."""
    if raw in (None, ""):
        return paginator.page(1), ""
    try:
        return paginator.page(raw), ""
    except PageNotAnInteger:
        message = _("« %(value)s » n'est pas un numéro de page : la première page est affichée.")
    except EmptyPage:
        message = ngettext(
            "La page « %(value)s » n'existe pas (%(count)s page) : la première page est affichée.",
            "La page « %(value)s » n'existe pas (%(count)s pages) : la première page est affichée.",
            paginator.num_pages,
        )
    return paginator.page(1), message % {"value": raw[:20], "count": paginator.num_pages}


def _contract_list_context(pks) -> dict:
    contracts = {
        contract.pk: contract
        for contract in Contract.objects.filter(pk__in=pks)
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
    }
    return {"contracts": [contracts[pk] for pk in pks if pk in contracts]}


@login_required
def contract_dashboard(request, slug):
    contract = scoped_contract(request, slug)
    body = cached_fragment(
        request, contract, "pilotage/_dashboard_body.html", lambda: _dashboard_context(contract)
    )
    return render(request, "pilotage/contract_dashboard.html", {"contract": contract, "body": body})


def _dashboard_context(contract) -> dict:
    # The page names the territory and the predecessor: one join rather than two queries.
    contract = Contract.objects.with_territory().get(pk=contract.pk)
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
    return {
        "contract": contract,
        "parties": parties,
        "objectives": objectives,
        "annex_conventions": annex_conventions,
        "amendments": contract.amendments.order_by("number"),
        "budget": contract_budget_table(contract, annex_conventions=annex_conventions),
    }
