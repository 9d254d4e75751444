"""Pages of a fiche's evaluation indicators: the list with each year's target and actual,
defining an indicator (and its targets), entering a year's actual value with its evidence.
Thin: scope through `scoped_contract` (404), permissions through
`fiches.indicator_permissions` (403 with the reason), writes through
`fiches.indicator_services`, reads through `fiches.indicator_selectors`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cej.models import ContractStatus
from cej.page_cache import cached_fragment
from cej.permissions import open_amendment_number, works_on_contract
from cej.view_helpers import add_errors, require, scoped_contract
from fiches import indicator_services as services
from fiches.indicator_charts import figure
from fiches.indicator_forms import ActualForm, IndicatorForm
from fiches.indicator_permissions import can_add_indicator, can_edit_indicator, can_record_actual
from fiches.indicator_selectors import fiche_indicators as indicators_of
from fiches.indicator_selectors import indicator_versions
from fiches.models import Fiche, Indicator


def _fiche(contract, number) -> Fiche:
    fiche = get_object_or_404(
        Fiche.objects.filter(contract=contract).select_related("objective", "lead_partner"),
        number=number,
    )
    fiche.contract = contract
    return fiche


def _indicator(fiche, number) -> Indicator:
    indicator = get_object_or_404(Indicator.objects.filter(fiche=fiche), number=number)
    indicator.fiche = fiche
    return indicator


def _amend_in(user, contract) -> int | None:
    """The open avenant in which this person may propose new targets, for the page to link
    to it (CDAJE staff of a signed contract's territory)."""
    if contract.status != ContractStatus.SIGNED or not user.has_perm("cej.change_amendment"):
        return None
    if not works_on_contract(user, contract):
        return None
    return open_amendment_number(contract)


@login_required
def fiche_indicators(request, slug, number):
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    body = cached_fragment(
        request,
        contract,
        "fiches/_indicators_body.html",
        lambda: {
            "contract": contract,
            "fiche": fiche,
            "trends": indicators_of(contract, fiche),
            "years": contract.years,
        },
        viewer={
            "number": fiche.number,
            "can_add": can_add_indicator(request.user, fiche)[0],
            "can_edit": can_edit_indicator(request.user, fiche)[0],
            "can_record": can_record_actual(request.user, fiche)[0],
            "amend_in": _amend_in(request.user, contract),
        },
    )
    return render(
        request, "fiches/indicators.html", {"contract": contract, "fiche": fiche, "body": body}
    )


def _back(fiche):
    return redirect("fiche_indicators", slug=fiche.contract.slug, number=fiche.number)


def _conflict_message(error) -> str:
    current = error.current
    targets = ", ".join(
        f"{year} : {figure(values['target'])}" for year, values in current["years"].items()
    )
    return _(
        "%(who)s a enregistré une autre version de cet indicateur entre-temps : rien n'a été "
        "enregistré. Version enregistrée : « %(name)s » (%(unit)s), cibles %(targets)s. Vos "
        "saisies sont conservées ci-dessous : vérifiez-les et enregistrez à nouveau."
    ) % {"who": error.who, "name": current["name"], "unit": current["unit"], "targets": targets}


@login_required
def indicator_create(request, slug, number):
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    require(can_add_indicator(request.user, fiche))
    form = IndicatorForm(request.POST or None, contract=contract, initial={"version": 1})
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                fiche=fiche, changes=form.changes(), targets=form.targets(), by=request.user
            )
        except ValidationError as error:
            add_errors(form, error, field_map={"targets": None})
        else:
            messages.success(
                request, _("Indicateur n° %(number)s ajouté.") % {"number": indicator.number}
            )
            return _back(fiche)
    return render(
        request,
        "fiches/indicator_form.html",
        {"contract": contract, "fiche": fiche, "form": form, "indicator": None},
    )


@login_required
def indicator_edit(request, slug, number, indicator):
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    require(can_edit_indicator(request.user, fiche))
    indicator = _indicator(fiche, indicator)
    form = IndicatorForm(
        request.POST or None,
        instance=Indicator.objects.get(pk=indicator.pk),
        contract=contract,
        targets=services.targets_of(indicator),
        initial={"version": indicator.version},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator,
                changes=form.changes(),
                targets=form.targets(),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.IndicatorConflict as error:
            # What was typed stays on the form, now based on the version stored; the
            # message says what that version holds.
            status = 409
            data = request.POST.copy()
            data["version"] = str(error.record.version)
            form = IndicatorForm(
                data,
                instance=Indicator.objects.get(pk=indicator.pk),
                contract=contract,
                targets=services.targets_of(error.record),
            )
            form.is_valid()
            form.add_error(None, _conflict_message(error))
        except ValidationError as error:
            add_errors(form, error, field_map={"targets": None})
        else:
            messages.success(request, _("Indicateur enregistré."))
            return _back(fiche)
    return render(
        request,
        "fiches/indicator_form.html",
        {
            "contract": contract,
            "fiche": fiche,
            "form": form,
            "indicator": indicator,
            "versions": indicator_versions(indicator),
        },
        status=status,
    )


@login_required
def indicator_actual(request, slug, number, indicator, year):
    contract = scoped_contract(request, slug)
    if not contract.covers_year(year):
        raise Http404(_("Cette année n'est pas une année du contrat."))
    fiche = _fiche(contract, number)
    require(can_record_actual(request.user, fiche))
    indicator = _indicator(fiche, indicator)
    stored = indicator.years.filter(year=year).select_related("evidence").first()
    initial = {"version": indicator.version}
    if stored is not None:
        initial.update(actual=stored.actual, comment=stored.comment)
    form = ActualForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_actual_save(
                indicator=indicator,
                year=year,
                actual=data["actual"],
                comment=data["comment"],
                evidence=data["evidence"],
                expected_version=data["version"],
                by=request.user,
            )
        except services.IndicatorConflict as error:
            status = 409
            data = request.POST.copy()
            data["version"] = str(error.record.version)
            form = ActualForm(data)
            form.is_valid()
            form.add_error(None, _conflict_message(error))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Réalisé %(year)s de l'indicateur « %(name)s » enregistré.")
                % {"year": year, "name": indicator.name},
            )
            return _back(fiche)
    return render(
        request,
        "fiches/indicator_actual.html",
        {
            "contract": contract,
            "fiche": fiche,
            "indicator": indicator,
            "year": year,
            "stored": stored,
            "form": form,
        },
        status=status,
    )
