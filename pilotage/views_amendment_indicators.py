"""The form of an avenant that sets new targets for an indicator of its signed contract
(`pilotage.amendment_indicators`). Thin, like the other avenant pages: scope through
`scoped_contract` (404), `can_edit_amendment` (403 with the reason)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cej.models import Amendment
from cej.view_helpers import add_errors, require, scoped_contract
from fiches.indicator_forms import TargetsForm
from fiches.models import Indicator
from pilotage import amendment_indicators
from pilotage.permissions import can_edit_amendment


@login_required
def amendment_indicator_edit(request, slug, number, indicator_pk):
    contract = scoped_contract(request, slug)
    amendment = get_object_or_404(Amendment, contract=contract, number=number)
    amendment.contract = contract
    require(can_edit_amendment(request.user, amendment))
    indicator = get_object_or_404(
        Indicator.objects.select_related("fiche"), contract=contract, pk=indicator_pk
    )
    change = amendment.indicator_changes.filter(indicator=indicator).first()
    stored = amendment_indicators.stored_targets([indicator.pk])[indicator.pk]
    current = {**stored, **(change.proposed.get("targets", {}) if change else {})}
    form = TargetsForm(
        request.POST or None,
        years=contract.years,
        targets={int(y): None if v is None else Decimal(v) for y, v in current.items()},
        initial={"version": change.version if change else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            amendment_indicators.amendment_indicator_propose(
                amendment=amendment,
                indicator=indicator,
                targets=form.targets(),
                by=request.user,
                expected_version=form.cleaned_data.get("version") if change else None,
            )
        except amendment_indicators.TargetsConflict as error:
            form.add_error(
                None,
                _("%(who)s a modifié cette proposition entre-temps : rien n'a été enregistré.")
                % {"who": error.who},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Nouvelles cibles proposées dans l'avenant."))
            return redirect("amendment_detail", slug=slug, number=number)
    return render(
        request,
        "pilotage/amendment_indicator_form.html",
        {
            "contract": contract,
            "amendment": amendment,
            "indicator": indicator,
            "stored": [(year, stored.get(str(year))) for year in contract.years],
            "form": form,
        },
    )
