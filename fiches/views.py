"""Pages of the fiches: list, fiche, edit, create, workflow, history. Thin: scope through
querysets (out of scope is 404), permissions through predicates (refused is 403 with the
reason), changes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej import versioning
from cej.html import sanitize_rich_text
from cej.models import ContractStatus
from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.permissions import open_amendment_number, works_on_contract
from cej.view_helpers import add_errors, context_of, require, scoped_contract
from comments.embedding import comment_block
from comments.models import TargetKind
from comments.selectors import open_counts
from fiches import selectors, services
from fiches.diff import Names, diff_snapshots
from fiches.forms import FicheFilterForm, FicheForm, TransitionForm
from fiches.indicator_selectors import fiche_indicators
from fiches.models import Fiche, FicheStatus, FicheVersion
from fiches.permissions import (
    allowed_transitions,
    can_create_fiche,
    can_edit_fiche,
    can_restore_version,
)
from fiches.workflow import TRANSITIONS


def _lean_fiche(contract, number) -> Fiche:
    """The fiche's own row, enough for the title and the permissions of a cached page."""
    fiche = get_object_or_404(Fiche.objects.filter(contract=contract), number=number)
    fiche.contract = contract
    return fiche


def _fiche(contract, number) -> Fiche:
    return get_object_or_404(
        Fiche.objects.filter(contract=contract).select_related(
            "objective", "lead_partner", "updated_by", "contract__territory"
        ),
        number=number,
    )


@login_required
def fiche_list(request, slug):
    contract = scoped_contract(request, slug)
    # Only the filters' own parameters, each cut to a sane length, make a distinct page.
    filters = {name: request.GET.get(name, "")[:200] for name in FicheFilterForm.base_fields}
    body = cached_fragment(
        request,
        contract,
        "fiches/_fiche_list_body.html",
        lambda: _fiche_list_context(contract, {k: v for k, v in filters.items() if v} or None),
        viewer={
            "filters": filters,
            "can_create": can_create_fiche(request.user, contract)[0],
            # What this viewer counts (never a CDAJE-only thread for a partner): part of the key.
            "comment_counts": tuple(
                sorted(
                    open_counts(
                        user=request.user, contract=contract, target_kind=TargetKind.FICHE
                    ).items()
                )
            ),
        },
    )
    return render(request, "fiches/fiche_list.html", {"contract": contract, "body": body})


def _fiche_list_context(contract, data) -> dict:
    """The list and its filter form: the filters the form finds valid apply, the others are
    reported on the form, whose choices are what the list has read."""
    form = FicheFilterForm(data, contract=contract)
    found = selectors.fiche_list(contract, filters=form.filters())
    form.offer(found)
    return {
        "contract": contract,
        "form": form,
        "objectives": found.objectives,
        "count": found.count,
        "filtered": found.filtered,
    }


def _amendment_to_propose_in(user, contract) -> int | None:
    """The open avenant in which this person may propose a change of a signed contract's
    fiche (CDAJE staff of its territory), for the page to link to it; else None."""
    if contract.status != ContractStatus.SIGNED or not user.has_perm("cej.change_amendment"):
        return None
    if not works_on_contract(user, contract):
        return None
    return open_amendment_number(contract)


@login_required
def fiche_detail(request, slug, number):
    contract = scoped_contract(request, slug)
    fiche = _lean_fiche(contract, number)
    transitions = allowed_transitions(request.user, fiche)
    body = cached_fragment(
        request,
        contract,
        "fiches/_fiche_detail_body.html",
        lambda: _fiche_detail_context(contract, number),
        viewer={
            "number": fiche.number,
            "can_edit": can_edit_fiche(request.user, fiche)[0],
            "amend_in": _amendment_to_propose_in(request.user, contract),
            "transition_names": [t.name for t in transitions],
        },
        derived={"transitions": transitions},
    )
    return render(
        request,
        "fiches/fiche_detail.html",
        {
            "contract": contract,
            "fiche": fiche,
            "body": body,
            **comment_block(request, kind=TargetKind.FICHE, obj=fiche, contract=contract),
        },
    )


def _fiche_detail_context(contract, number) -> dict:
    page = selectors.fiche_page(contract, number)
    return {
        **context_of(page),
        "contract": contract,
        "transition_form": TransitionForm(),
        "indicator_trends": fiche_indicators(contract, page.fiche),
    }


@login_required
def fiche_pdf(request, slug, number):
    """One fiche as a PDF for the CDAJE plenary; a fiche without the CDAJE's favourable
    opinion carries the « projet » watermark."""
    contract = scoped_contract(request, slug)
    page = selectors.fiche_page(contract, number, versions=0)
    pdf = render_pdf(
        "fiches/pdf/fiche.html",
        {
            **context_of(page),
            "contract": contract,
            "is_draft": page.fiche.status != FicheStatus.VALIDATED,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
        },
    )
    return pdf_response(pdf, f"{contract.slug}-fiche-{page.fiche.number}.pdf")


@login_required
def fiche_create(request, slug):
    contract = scoped_contract(request, slug)
    require(can_create_fiche(request.user, contract))
    form = FicheForm(request.POST or None, contract=contract, initial={"version": 1})
    if request.method == "POST" and form.is_valid():
        try:
            fiche = services.fiche_create(
                contract=contract,
                changes=form.changes(),
                associated_partners=form.cleaned_data["associated_partners"],
                aims=form.cleaned_data["aims"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Fiche n° %(number)s créée en brouillon.") % {"number": fiche.number}
            )
            return redirect("fiche_detail", slug=slug, number=fiche.number)
    return render(
        request, "fiches/fiche_form.html", {"contract": contract, "form": form, "fiche": None}
    )


@login_required
def fiche_edit(request, slug, number):
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    require(can_edit_fiche(request.user, fiche))
    conflict = None
    # The form edits a copy, so that `fiche` keeps the stored values for the page.
    form = FicheForm(request.POST or None, instance=_fiche(contract, number), contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.fiche_update(
                fiche=fiche,
                changes=form.changes(),
                associated_partners=form.cleaned_data["associated_partners"],
                aims=form.cleaned_data["aims"],
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.EditConflict as error:
            data, both_changed = _rebase_on_current(form, error)
            conflict = {**_conflict_context(contract, error), "both_changed": both_changed}
            form = FicheForm(data, instance=_fiche(contract, number), contract=contract)
            form.is_valid()
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Fiche enregistrée."))
            return redirect("fiche_detail", slug=slug, number=number)
    return render(
        request,
        "fiches/fiche_form.html",
        {"contract": contract, "fiche": fiche, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _conflict_context(contract, error: services.EditConflict) -> dict:
    return {
        "current": error.latest,
        "who": error.who,
        "changes": diff_snapshots(error.base or {}, error.current, Names.for_contract(contract)),
    }


SNAPSHOT_KEYS = {
    "objective": "objective_id",
    "lead_partner": "lead_partner_id",
    "associated_partners": "associated_partner_ids",
    "aims": "aim_ids",
}


def _as_snapshot_value(name: str, value):
    if name in services.RICH_TEXT_FIELDS:
        return sanitize_rich_text(value)
    if name in ("associated_partners", "aims"):
        return sorted(obj.pk for obj in value or [])
    if name in SNAPSHOT_KEYS:
        return value.pk if value else None
    return (value or "").strip()


def _rebase_on_current(form, error: services.EditConflict):
    """The refused form, moved onto the version now stored (`cej.versioning.rebase`): what
    this editor changed is kept as typed, what they left alone takes the other person's
    value, and the next save is based on the current version. Returns the new form data and
    the labels of the fields both people changed (to check by hand)."""
    keys = {name: SNAPSHOT_KEYS.get(name, name) for name in FicheForm.Meta.fields}
    mine = {
        keys[name]: _as_snapshot_value(name, form.cleaned_data.get(name))
        for name in keys
        if keys[name] in error.current
    }
    rebased = versioning.rebase(base=error.base, current=error.current, mine=mine)
    data = form.data.copy()
    data["version"] = str(error.record.version)
    for name, key in keys.items():
        if key in mine and rebased.values[key] != mine[key]:
            value = rebased.values[key]
            if isinstance(value, list):
                data.setlist(name, [str(pk) for pk in value])
            else:
                data[name] = "" if value is None else str(value)
    both_changed = [
        str(form.fields[name].label) for name, key in keys.items() if key in rebased.both_changed
    ]
    return data, both_changed


@login_required
@require_POST
def fiche_transition(request, slug, number, name):
    if name not in TRANSITIONS:
        raise Http404(_("Action inconnue."))
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        fiche = services.fiche_transition(
            fiche=fiche,
            name=name,
            by=request.user,
            plenary_date=form.cleaned_data.get("plenary_date"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        status = fiche.get_status_display()
        # « soumise », « avis favorable de la CDAJE »: the first letter only (an acronym keeps
        # its capitals).
        messages.success(
            request,
            _("Fiche n° %(number)s : %(status)s.")
            % {"number": fiche.number, "status": status[:1].lower() + status[1:]},
        )
    return redirect("fiche_detail", slug=slug, number=number)


@login_required
def fiche_history(request, slug, number):
    contract = scoped_contract(request, slug)
    fiche = _lean_fiche(contract, number)
    compared = {param: request.GET.get(param) for param in ("from", "to")}
    compared = {param: value[:20] for param, value in compared.items() if value is not None}
    body = cached_fragment(
        request,
        contract,
        "fiches/_fiche_history_body.html",
        lambda: _fiche_history_context(contract, fiche, compared),
        viewer={
            "number": fiche.number,
            "compared": compared,
            "can_restore": can_restore_version(request.user, fiche)[0],
        },
    )
    return render(
        request, "fiches/fiche_history.html", {"contract": contract, "fiche": fiche, "body": body}
    )


def _fiche_history_context(contract, fiche, compared: dict) -> dict:
    history = selectors.fiche_history(contract, fiche, compared=compared)
    return {
        "contract": contract,
        "fiche": history.fiche,
        "versions": history.versions,
        "before": history.before,
        "after": history.after,
        "changes": history.changes,
        "errors": history.errors,
    }


@login_required
@require_POST
def fiche_restore(request, slug, number, version):
    contract = scoped_contract(request, slug)
    fiche = _fiche(contract, number)
    require(can_restore_version(request.user, fiche))
    old = get_object_or_404(FicheVersion, fiche=fiche, number=version)
    try:
        restored = services.fiche_restore(fiche=fiche, version=old, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fiche_history", slug=slug, number=number)
    messages.success(
        request,
        _("Version %(old)s restaurée : elle devient la version %(new)s.")
        % {"old": old.number, "new": restored.version},
    )
    return redirect("fiche_history", slug=slug, number=number)
