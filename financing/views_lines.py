"""Pages that change a contract's budget: create, edit and delete a line's forecast (each
party's share is computed, never typed), read a line's history, record a commitment or
payment. A line's actual figures are `financing.views_actuals`'. Thin: scope through
the contract queryset (out of scope is 404, a line of another contract too), permissions
through financing.permissions (refused is 403 with the reason), changes through services."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import versioning
from cej.money import format_eur
from cej.view_helpers import add_errors, require, scoped_contract
from financing import services
from financing.diff import diff_line_snapshots
from financing.forms import BudgetLineForm, ExecutionEntryForm
from financing.line_selectors import line_financing
from financing.models import BudgetLine, ExecutionEntry, VersionKind
from financing.permissions import can_change_budget, can_declare_actuals, can_record_execution
from financing.selectors import line_history, parse_year
from financing.terms import contract_terms

# Model error keys that are not form fields, and the field the user fixes instead.
ERROR_FIELDS = {"annex_convention": "year", "contract": None}


def scoped_line(contract, pk, queryset=None) -> BudgetLine:
    queryset = BudgetLine.objects if queryset is None else queryset
    return get_object_or_404(
        queryset.filter(contract=contract).select_related(
            "contract__territory", "post", "fiche", "annex_convention", "updated_by"
        ),
        pk=pk,
    )


def _budget_url(contract) -> str:
    return reverse("budget", kwargs={"slug": contract.slug})


# --- create, edit ------------------------------------------------------------------------


@login_required
def budget_line_create(request, slug):
    contract = scoped_contract(request, slug)
    require(can_change_budget(request.user, contract))
    # « Ajouter une ligne » from a year of the budget page: that year, if it is one.
    year, _error = parse_year(contract, request.GET.get("year"))
    initial = {"year": year} if year else {}
    form = BudgetLineForm(request.POST or None, contract=contract, initial=initial)
    if request.method == "POST" and form.is_valid():
        line = form.apply_to(BudgetLine(contract=contract))
        try:
            line = services.budget_line_save(line=line, by=request.user)
        except ValidationError as error:
            add_errors(form, error, field_map=ERROR_FIELDS)
        else:
            messages.success(
                request, _("Ligne « %(line)s » créée.") % {"line": services.line_label(line)}
            )
            return redirect(_budget_url(contract))
    return render(
        request,
        "financing/line_form.html",
        {
            "contract": contract,
            "line": None,
            "form": form,
            "conflict": None,
            "financing": line_financing(contract, None),
        },
    )


@login_required
def budget_line_edit(request, slug, pk):
    contract = scoped_contract(request, slug)
    line = scoped_line(contract, pk)
    require(can_change_budget(request.user, contract))
    conflict = None
    form = BudgetLineForm(request.POST or None, contract=contract, line=line)
    if request.method == "POST" and form.is_valid():
        # The service gets a copy, so that `line` keeps the stored values for the page.
        target = form.apply_to(scoped_line(contract, pk))
        try:
            services.budget_line_save(
                line=target,
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except services.BudgetLineConflict as error:
            data, both_changed = rebase_on_current(form, error)
            line = scoped_line(contract, pk)
            conflict = {**conflict_context(error), "both_changed": both_changed}
            form = BudgetLineForm(data, contract=contract, line=line)
            form.is_valid()
        except ValidationError as error:
            add_errors(form, error, field_map=ERROR_FIELDS)
        else:
            messages.success(
                request,
                _("Ligne « %(line)s » enregistrée.") % {"line": services.line_label(target)},
            )
            return redirect(_budget_url(contract))
    return render(
        request,
        "financing/line_form.html",
        {
            "contract": contract,
            "line": line,
            "form": form,
            "conflict": conflict,
            "financing": line_financing(contract, line),
            "can_declare_actuals": can_declare_actuals(request.user, contract)[0],
        },
        status=409 if conflict else 200,
    )


def conflict_context(error: services.BudgetLineConflict) -> dict:
    return {
        "who": error.who,
        "when": error.when,
        "number": error.record.version,
        "changes": diff_line_snapshots(
            error.base or {},
            error.current,
            beneficiary_id=contract_terms(error.record.contract_id).beneficiary_id,
        ),
    }


def rebase_on_current(form, error: services.BudgetLineConflict):
    """The refused form, moved onto the line as now stored (`cej.versioning.rebase`): what
    this editor changed is kept as typed, what they left alone takes the other person's
    value, and the next save is based on the current version. Returns the new form data and
    the labels of the fields both people changed (to check by hand). `form`: a
    BudgetLineForm or a LineActualsForm (the same merging methods)."""
    names = form.mergeable_fields
    mine = {name: form.typed_value(name) for name in names}
    rebased = versioning.rebase(
        base=None if error.base is None else {n: form.snapshot_value(n, error.base) for n in names},
        current={name: form.snapshot_value(name, error.current) for name in names},
        mine=mine,
    )
    data = form.data.copy()
    data["version"] = str(error.record.version)
    for name in names:
        if rebased.values[name] != mine[name]:
            value = form.input_value(name, rebased.values[name])
            if value is None:  # an unticked box is not posted
                data.pop(name, None)
            else:
                data[name] = value
    return data, [str(form.fields[name].label) for name in rebased.both_changed]


# --- delete, history ---------------------------------------------------------------------


@login_required
def budget_line_delete(request, slug, pk):
    contract = scoped_contract(request, slug)
    line = scoped_line(contract, pk, BudgetLine.objects.annotate(entry_count=Count("entries")))
    require(can_change_budget(request.user, contract))
    error, status = "", 200
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            # ASCII digits: "²".isdigit() is true, and int() refuses it. Without the version
            # the page showed, nothing says the line deleted is the line the user saw.
            if not re.fullmatch(r"[0-9]{1,9}", version):
                raise ValidationError(
                    _(
                        "Cette demande ne dit pas quelle version de la ligne vous avez vue : "
                        "rien n'a été supprimé. Vérifiez la ligne ci-dessous et confirmez."
                    )
                )
            services.budget_line_delete(line=line, by=request.user, expected_version=int(version))
        except services.BudgetLineConflict as conflict:
            who = conflict.who
            error = _(
                "%(who)s a modifié cette ligne depuis que vous avez ouvert cette page : "
                "vérifiez-la ci-dessous avant de la supprimer."
            ) % {"who": who}
            status = 409
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 409
        else:
            messages.success(
                request, _("Ligne « %(line)s » supprimée.") % {"line": services.line_label(line)}
            )
            return redirect(_budget_url(contract))
        line = scoped_line(contract, pk, BudgetLine.objects.annotate(entry_count=Count("entries")))
    return render(
        request,
        "financing/line_confirm_delete.html",
        {
            "contract": contract,
            "line": line,
            "financing": line_financing(contract, line),
            "error": error,
        },
        status=status,
    )


@login_required
def budget_line_history(request, slug, pk):
    """Every version of a line, newest first, each with what it changed. Readable by all who
    see the contract, and still after the line is deleted."""
    contract = scoped_contract(request, slug)
    history = line_history(contract, pk)
    line, versions = history.line, history.versions
    if line is None and not versions:
        raise Http404(_("Aucune ligne budgétaire n'a cet identifiant dans ce contrat."))
    beneficiary_id = contract_terms(contract.pk).beneficiary_id
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].snapshot if index + 1 < len(versions) else {}
        deleted = version.kind == VersionKind.DELETED
        changes = (
            []
            if deleted
            else diff_line_snapshots(previous, version.snapshot, beneficiary_id=beneficiary_id)
        )
        rows.append({"version": version, "changes": changes, "deleted": deleted})
    return render(
        request,
        "financing/line_history.html",
        {
            "contract": contract,
            "line": line,
            "title": services.line_label(line) if line else versions[0].label,
            "rows": rows,
            "can_change": line is not None and can_change_budget(request.user, contract)[0],
            "can_declare_actuals": line is not None
            and can_declare_actuals(request.user, contract)[0],
        },
    )


# --- execution ---------------------------------------------------------------------------


@login_required
def budget_entry_create(request, slug, pk):
    contract = scoped_contract(request, slug)
    line = scoped_line(contract, pk, BudgetLine.objects.with_execution())
    require(can_record_execution(request.user, contract))
    form = ExecutionEntryForm(
        request.POST or None,
        instance=ExecutionEntry(line=line),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.execution_entry_record(entry=form.instance, by=request.user)
        except ValidationError as error:
            add_errors(form, error, field_map=ERROR_FIELDS)
        else:
            messages.success(
                request,
                _("%(kind)s de %(amount)s enregistré sur la ligne « %(line)s ».")
                % {
                    "kind": entry.get_kind_display(),
                    "amount": format_eur(entry.amount),
                    "line": services.line_label(line),
                },
            )
            return redirect(_budget_url(contract))
    return render(
        request,
        "financing/entry_form.html",
        {
            "contract": contract,
            "line": line,
            "form": form,
            "line_label": services.line_label(line),
            "to_commit": line.amount - line.committed,
            "to_pay": line.committed - line.paid,
        },
    )
