"""The actual figures (*réalisé*) of a budget line: what the action really cost and the
receipts other than the PSEJ it really had, declared after the year by the finance officers
of the contract's territory. Execution: open once the contract is signed, and after it ends
(`financing.permissions.can_declare_actuals`). The page shows the forecast beside them and
the actual PSEJ of each funder they lead to, never above its forecast (`financing.psej`, R7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cej.view_helpers import add_errors, require, scoped_contract
from financing import cycle_services, services
from financing.forms import LineActualsForm
from financing.line_selectors import line_financing
from financing.permissions import can_declare_actuals
from financing.views_lines import conflict_context, rebase_on_current, scoped_line


@login_required
def budget_line_actuals(request, slug, pk):
    contract = scoped_contract(request, slug)
    line = scoped_line(contract, pk)
    require(can_declare_actuals(request.user, contract))
    conflict = None
    form = LineActualsForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle_services.line_actuals_save(
                line=line,
                actual_expenses=data["actual_expenses"],
                actual_receipts=data["actual_receipts"],
                by=request.user,
                expected_version=data["version"],
            )
        except services.BudgetLineConflict as error:
            posted, both_changed = rebase_on_current(form, error)
            line = scoped_line(contract, pk)
            conflict = {**conflict_context(error), "both_changed": both_changed}
            form = LineActualsForm(posted, line=line)
            form.is_valid()
        except ValidationError as error:
            add_errors(form, error)
        else:
            label = services.line_label(line)
            if data["actual_expenses"] is None:
                text = _("Réalisé de la ligne « %(line)s » retiré.")
            else:
                text = _("Réalisé de la ligne « %(line)s » enregistré.")
            messages.success(request, text % {"line": label})
            return redirect(reverse("budget", kwargs={"slug": contract.slug}))
    return render(
        request,
        "financing/line_actuals.html",
        {
            "contract": contract,
            "line": line,
            "line_label": services.line_label(line),
            "form": form,
            "conflict": conflict,
            "financing": line_financing(contract, line),
        },
        status=409 if conflict else 200,
    )
