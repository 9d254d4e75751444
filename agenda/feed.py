"""The personal iCalendar feed (RFC 5545): one all-day VEVENT per obligation the person may
see, with a stable UID (a calendar application updates the event instead of duplicating it),
a French SUMMARY and DESCRIPTION and the absolute URL of the page where it is acted on."""

import datetime
import hashlib
import hmac

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import FeedToken
from agenda.obligations import Obligation
from cej.dates import format_date_long


def user_of_token(token: str):
    """The person whose live feed token this is, or None. The token is looked up by its
    SHA-256 (what is stored) and the stored hash compared again in constant time."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = (
        FeedToken.objects.filter(token_hash=digest, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if not row.user.is_active:
        return None
    FeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "cej-loire"


def calendar_bytes(items: list[Obligation]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CEJ Loire//Calendrier des obligations//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("CEJ — mes échéances"))
    stamp = timezone.now().astimezone(datetime.UTC)
    host = _host()
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.key}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + datetime.timedelta(days=1))
        event.add("summary", f"{item.title} — {item.contract_title}")
        event.add("description", _description(item))
        event.add("url", settings.SITE_URL + item.url)
        event.add("categories", [item.kind_label])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _description(item: Obligation) -> str:
    lines = [
        f"{item.kind_label} : {item.title}",
        _("Contrat : %(contract)s") % {"contract": item.contract_title},
        _("Échéance : %(date)s") % {"date": format_date_long(item.due_on)},
    ]
    if item.done:
        lines.append(_("Fait le %(date)s") % {"date": format_date_long(item.done_on)})
    elif item.late:
        lines.append(_("En retard"))
    if item.detail:
        lines.append(item.detail)
    lines.append(settings.SITE_URL + item.url)
    return "\n".join(lines)
