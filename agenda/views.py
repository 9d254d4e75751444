"""The calendar's pages: a contract's calendar (`/contracts/<slug>/calendar/`) with the
forms of its plenaries and deadlines, a person's deadlines (`/deadlines/`) with their feed
link, and the feed itself (`/calendar/<token>.ics`, no session: the token is the key).

Thin: scope through `scoped_contract` (404 out of scope), permissions through
`agenda.permissions` (403 with the reason), writes through `agenda.services`, reads through
`agenda.selectors`."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agenda import services
from agenda.feed import calendar_bytes, user_of_token
from agenda.forms import CloseForm, DeadlineForm, FilterForm, PlenaryForm, as_of_of
from agenda.models import Deadline, FeedToken, Plenary
from agenda.permissions import can_manage_deadlines, can_manage_plenaries, sees_staff_items
from agenda.selectors import (
    Show,
    contract_calendar,
    feed_items,
    person_deadlines,
    seen_contracts,
)
from cej.dates import format_date_long
from cej.page_cache import cached_fragment
from cej.view_helpers import add_errors, require, scoped_contract


def _parties(contract):
    return [party.partner for party in contract.parties.select_related("partner").order_by("order")]


def _calendar_url(contract, anchor=""):
    url = reverse("contract_calendar", kwargs={"slug": contract.slug})
    return f"{url}#{anchor}" if anchor else url


def _render_calendar(request, contract, *, status=200, **forms):
    as_of = as_of_of(request.GET.get("date")) or timezone.localdate()
    plenaries_allowed = can_manage_plenaries(request.user, contract)[0]
    deadlines_allowed = can_manage_deadlines(request.user, contract)[0]
    # The months, cached per contract state and what changes them for a viewer: the day
    # (late and done are as of it), the staff's items, the controls. A plenary marks every
    # contract of its territory changed, a successor its predecessor (the renewal).
    viewer = {
        "as_of": as_of.isoformat(),
        "staff": sees_staff_items(request.user, contract),
        "plenaries_allowed": plenaries_allowed,
        "deadlines_allowed": deadlines_allowed,
    }

    def build():
        return {
            "contract": contract,
            "calendar": contract_calendar(contract=contract, user=request.user, as_of=as_of),
        }

    body = cached_fragment(request, contract, "agenda/_calendar_body.html", build, viewer=viewer)
    context = {
        "contract": contract,
        "as_of": as_of,
        "body": body,
        "plenary_form": forms.get("plenary_form") or (PlenaryForm() if plenaries_allowed else None),
        "deadline_form": forms.get("deadline_form")
        or (DeadlineForm(partners=_parties(contract)) if deadlines_allowed else None),
        "close_form": forms.get("close_form"),
    }
    return render(request, "agenda/contract_calendar.html", context, status=status)


@login_required
@require_GET
def contract_calendar_view(request, slug):
    return _render_calendar(request, scoped_contract(request, slug))


@login_required
@require_POST
def plenary_create(request, slug):
    contract = scoped_contract(request, slug)
    require(can_manage_plenaries(request.user, contract))
    form = PlenaryForm(request.POST)
    if form.is_valid():
        try:
            plenary = services.plenary_save(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Séance plénière du %(date)s ajoutée.")
                % {"date": format_date_long(plenary.held_on)},
            )
            return redirect(_calendar_url(contract, f"plenary-{plenary.pk}"))
    return _render_calendar(request, contract, status=400, plenary_form=form)


def _plenary(contract, pk) -> Plenary:
    return get_object_or_404(Plenary, pk=pk, territory_id=contract.territory_id)


def _deadline(contract, pk) -> Deadline:
    return get_object_or_404(
        Deadline.objects.select_related("responsible"), pk=pk, contract=contract
    )


@login_required
def plenary_edit(request, slug, pk):
    contract = scoped_contract(request, slug)
    plenary = _plenary(contract, pk)
    require(can_manage_plenaries(request.user, contract))
    status = 200
    if request.method == "POST":
        form = PlenaryForm(request.POST)
        if form.is_valid():
            try:
                services.plenary_save(
                    contract=contract, plenary=plenary, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Séance plénière modifiée."))
                return redirect(_calendar_url(contract, f"plenary-{plenary.pk}"))
        status = 400
    else:
        form = PlenaryForm(
            initial={"held_on": plenary.held_on, "place": plenary.place, "note": plenary.note}
        )
    return render(
        request,
        "agenda/item_edit.html",
        {"contract": contract, "form": form, "heading": _("Modifier la séance plénière")},
        status=status,
    )


@login_required
@require_POST
def plenary_delete(request, slug, pk):
    contract = scoped_contract(request, slug)
    plenary = _plenary(contract, pk)
    services.plenary_delete(contract=contract, plenary=plenary, by=request.user)
    messages.success(
        request,
        _("Séance plénière du %(date)s supprimée.") % {"date": format_date_long(plenary.held_on)},
    )
    return redirect(_calendar_url(contract))


@login_required
@require_POST
def deadline_create(request, slug):
    contract = scoped_contract(request, slug)
    require(can_manage_deadlines(request.user, contract))
    form = DeadlineForm(request.POST, partners=_parties(contract))
    if form.is_valid():
        try:
            deadline = services.deadline_save(
                contract=contract, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Échéance « %(title)s » ajoutée.") % {"title": deadline.title}
            )
            return redirect(_calendar_url(contract, f"deadline-{deadline.pk}"))
    return _render_calendar(request, contract, status=400, deadline_form=form)


@login_required
def deadline_edit(request, slug, pk):
    contract = scoped_contract(request, slug)
    deadline = _deadline(contract, pk)
    require(can_manage_deadlines(request.user, contract))
    status = 200
    if request.method == "POST":
        form = DeadlineForm(request.POST, partners=_parties(contract))
        if form.is_valid():
            try:
                services.deadline_save(
                    contract=contract, deadline=deadline, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Échéance modifiée."))
                return redirect(_calendar_url(contract, f"deadline-{deadline.pk}"))
        status = 400
    else:
        form = DeadlineForm(
            partners=_parties(contract),
            initial={
                "due_on": deadline.due_on,
                "title": deadline.title,
                "description": deadline.description,
                "visibility": deadline.visibility,
                "responsible": deadline.responsible_id,
            },
        )
    return render(
        request,
        "agenda/item_edit.html",
        {"contract": contract, "form": form, "heading": _("Modifier l'échéance")},
        status=status,
    )


@login_required
@require_POST
def deadline_close(request, slug, pk):
    """Close the deadline on the date given (today if none), or reopen it (`reopen`)."""
    contract = scoped_contract(request, slug)
    deadline = _deadline(contract, pk)
    require(can_manage_deadlines(request.user, contract))
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_calendar(request, contract, status=400, close_form=form)
    if request.POST.get("reopen"):
        done_on = None
    else:
        done_on = form.cleaned_data["done_on"] or timezone.localdate()
    services.deadline_close(contract=contract, deadline=deadline, done_on=done_on, by=request.user)
    messages.success(
        request,
        _("Échéance rouverte.")
        if done_on is None
        else _("Échéance marquée faite le %(date)s.") % {"date": format_date_long(done_on)},
    )
    return redirect(_calendar_url(contract, f"deadline-{deadline.pk}"))


@login_required
@require_POST
def deadline_delete(request, slug, pk):
    contract = scoped_contract(request, slug)
    deadline = _deadline(contract, pk)
    services.deadline_delete(contract=contract, deadline=deadline, by=request.user)
    messages.success(request, _("Échéance « %(title)s » supprimée.") % {"title": deadline.title})
    return redirect(_calendar_url(contract))


def _render_deadlines(request, *, new_feed_url="", status=200):
    data = request.GET
    as_of = as_of_of(data.get("date")) or timezone.localdate()
    show = data.get("show") if data.get("show") in Show.CHOICES else Show.TODO
    slug = (data.get("contract") or "")[:80]
    contracts = seen_contracts(request.user)
    if slug and slug not in {c.slug for c in contracts}:
        raise Http404(_("Aucun contrat à cette adresse."))
    # The list, cached per state of every contract shown (a plenary marks its territory's
    # contracts) and per person: what they see depends on their territories and partners.
    state = hashlib.sha256(
        ";".join(f"{c.pk}:{c.content_token.hex}" for c in contracts).encode()
    ).hexdigest()
    viewer = {"person": request.user.pk, "as_of": as_of.isoformat(), "show": show, "slug": slug}

    def build():
        return {
            "deadlines": person_deadlines(
                user=request.user, as_of=as_of, show=show, contract_slug=slug, contracts=contracts
            )
        }

    body = cached_fragment(
        request, None, "agenda/_deadlines_body.html", build, viewer=viewer, state=state
    )
    return render(
        request,
        "agenda/deadlines.html",
        {
            "as_of": as_of,
            "body": body,
            "filter_form": FilterForm({"show": show, "contract": slug}, contracts=contracts),
            "feed_live": FeedToken.objects.filter(
                user=request.user, revoked_at__isnull=True
            ).first(),
            "new_feed_url": new_feed_url,
        },
        status=status,
    )


@login_required
@require_GET
def person_deadlines_view(request):
    return _render_deadlines(request)


@login_required
@require_POST
def feed_token_create(request):
    """Make (or renew) the person's feed address: shown once, on the page this answers."""
    token = services.feed_token_create(user=request.user)
    url = settings.SITE_URL + reverse("calendar_feed", kwargs={"token": token})
    return _render_deadlines(request, new_feed_url=url)


@login_required
@require_POST
def feed_token_revoke(request):
    if services.feed_token_revoke(user=request.user):
        messages.success(request, _("Le lien de votre agenda est révoqué : il ne sert plus."))
    return redirect("person_deadlines")


@require_GET
def calendar_feed(request, token):
    user = user_of_token(token)
    if user is None:
        raise Http404(_("Aucun agenda à cette adresse."))
    response = HttpResponse(
        calendar_bytes(feed_items(user=user)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="cej-echeances.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
