"""A person's notifications: the list (newest first, unread highlighted, mark one or all
read), opening one (marks it read, then to its page) and the preferences per kind.

Thin: reads through `notifications.selectors`, writes through `notifications.services`. A
notification is its recipient's only: anyone else's is a 404, as one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.selectors import notifications_of, preferences_of

PER_PAGE = 25


@login_required
def notification_list(request):
    paginator = Paginator(notifications_of(request.user), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


def _mine(request, pk) -> Notification:
    return get_object_or_404(Notification.objects.for_user(request.user), pk=pk)


def _safe(url: str, request) -> str:
    """A notification's link is a path of this site; anything else goes to the list."""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) and url.startswith(
        "/"
    ):
        return url
    return "notification_list"


@login_required
def notification_open(request, pk):
    """Read it, and go where it points."""
    notification = services.mark_read(notification=_mine(request, pk), by=request.user)
    return redirect(_safe(notification.url, request))


@login_required
@require_POST
def notification_read(request, pk):
    services.mark_read(notification=_mine(request, pk), by=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marquée comme lue.",
            "%(count)s notifications marquées comme lues.",
            count,
        )
        % {"count": count},
    )
    return redirect(_back(request))


def _back(request) -> str:
    """Back to the page of the list the person was on."""
    page = request.POST.get("page", "")
    url = reverse("notification_list")
    if page.isdigit() and len(page) < 7:
        return f"{url}?page={page}"
    return url


@login_required
def notification_preferences(request):
    preferences = preferences_of(request.user)
    form = PreferencesForm(request.POST or None, preferences=preferences)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, deliveries=form.deliveries())
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "preferences": preferences},
        status=400 if form.is_bound else 200,
    )
