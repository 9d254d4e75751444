"""« Préparer le contrat suivant »: the button of the dashboard and of the final evaluation.
Thin: scope, the coordinator's predicate, the service (`pilotage.renewal`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej.view_helpers import require, scoped_contract
from pilotage.renewal import can_renew, contract_renew


@login_required
@require_POST
def contract_renew_view(request, slug):
    contract = scoped_contract(request, slug)
    require(can_renew(request.user, contract))
    try:
        successor = contract_renew(contract=contract, by=request.user)
    except ValidationError as error:
        # Something of the contract the successor could not take as it is: said, nothing made.
        messages.error(request, " ".join(error.messages))
        return redirect("contract_dashboard", slug=contract.slug)
    messages.success(
        request,
        _(
            "Le contrat suivant « %(title)s » est créé en préparation : ses fiches sont des "
            "brouillons à reprendre, son budget un plan de départ."
        )
        % {"title": successor.title},
    )
    return redirect("contract_dashboard", slug=successor.slug)
