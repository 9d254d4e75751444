"""Pages of the contract domain: the contracts in the user's scope and a contract's
dashboard. Thin: scope through the contract queryset, reads through the selectors."""

import hashlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej.forms import ContractFilterForm
from cej.page_cache import cached_fragment
from cej.permissions import works_on_contract
from cej.selectors import contracts_in_scope
from cej.view_helpers import context_of, scoped_contract, url_for_each
from comments.models import TargetKind
from comments.selectors import open_counts_by_target
from pilotage import contract_cycle, selectors
from pilotage.renewal import RENEWABLE_STATUSES

CONTRACTS_PER_PAGE = 50


@login_required
def contract_list(request):
    # Every contract in scope, small rows: a national administrator's 300 contracts cost one
    # query, and the filters below run on them without another.
    visible = contracts_in_scope(request.user)
    territories = {row.territory_id: row.territory_name for row in visible}
    filters = {name: request.GET.get(name, "")[:200] for name in ContractFilterForm.base_fields}
    data = {name: value for name, value in filters.items() if value} or None
    form = ContractFilterForm(data, territories=sorted(territories.items(), key=lambda t: t[1]))
    kept = [(row.pk, row.token) for row in visible if form.keep(row)]
    paginator = Paginator(kept, CONTRACTS_PER_PAGE)
    page, page_error = _page(paginator, request.GET.get("page"))
    on_page = page.object_list
    today = timezone.localdate()
    body = cached_fragment(
        request,
        None,
        "pilotage/_contract_list_body.html",
        lambda: _contract_list_context([pk for pk, _token in on_page], today=today),
        # The page shows these contracts in these states, among these, in this year (which
        # review is due): nothing else makes it differ.
        state=hashlib.sha256(
            repr((on_page, sorted(territories.items()), today.year)).encode()
        ).hexdigest(),
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


def _contract_list_context(pks, *, today) -> dict:
    dashboard_url = url_for_each("contract_dashboard", "slug")
    cards = selectors.contract_list_page(pks)
    stages = contract_cycle.cycle_stages(pks, today=today)
    for card in cards:
        card.stage = stages.get(card.pk)
    # Each contract with its link, made without a reverse() per contract.
    return {"contracts": [(card, dashboard_url(card.slug)) for card in cards]}


@login_required
def contract_dashboard(request, slug):
    contract = scoped_contract(request, slug)
    body = cached_fragment(
        request,
        contract,
        "pilotage/_dashboard_body.html",
        lambda: _dashboard_context(contract),
        viewer={
            # Offered to the coordination of a signed contract without a successor yet.
            "can_renew": _may_renew(request.user, contract),
            **_open_comments(request.user, contract),
        },
    )
    return render(request, "pilotage/contract_dashboard.html", {"contract": contract, "body": body})


def _open_comments(user, contract) -> dict:
    """The open comment threads this viewer reads (a partner never counts a CDAJE-only one),
    per fiche and per kind of object, in one query: part of the cached page's key."""
    counts = open_counts_by_target(user=user, contract=contract)
    totals = {}
    for (kind, _target_id), count in counts.items():
        totals[kind] = totals.get(kind, 0) + count
    return {
        "comment_counts": tuple(
            sorted((pk, count) for (kind, pk), count in counts.items() if kind == TargetKind.FICHE)
        ),
        "comment_totals": tuple(
            (kind, str(TargetKind(kind).label), totals[kind])
            for kind in TargetKind.values
            if kind in totals
        ),
    }


def _dashboard_context(contract) -> dict:
    dashboard = selectors.contract_dashboard(contract)
    fiches = [fiche for _objective, rows in dashboard.objectives for fiche in rows]
    return {**context_of(dashboard), "follow_up": contract_cycle.follow_up(contract, fiches)}


def _may_renew(user, contract) -> bool:
    """Whether to offer « Préparer le contrat suivant »: the coordination of the territory,
    on a signed contract; the page offers it only while the chain shows no successor (the
    POST view asks `pilotage.renewal.can_renew` whole)."""
    return (
        contract.status in RENEWABLE_STATUSES
        and user.has_perm("cej.add_contract")
        and works_on_contract(user, contract)
    )
