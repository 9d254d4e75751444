"""E-mailing notifications, in French, HTML and plain text, with direct links. Rows are
claimed before sending (`claim`), so that two senders never send the same one.

Three senders, all safe to run at once in several processes:
- `send_notifications(ids)`: the notifications `notify` has just stored for people who want
  them at once (called after the commit of the request that stored them);
- `send_pending()`: every at-once notification still waiting, e.g. after an SMTP failure;
- `send_digests(day=…)`: one « résumé quotidien » per person, of their digest notifications.

A message that fails goes back to pending (and is logged): the next run retries it. A claim
older than `STALE_CLAIM` belongs to a sender that died between claiming and sending (a
killed process, a lost server): `send_pending` and `send_digests` put its rows back to
pending first, so nothing stays unsent for good. Nothing
here raises into the request that triggered it: e-mail is a courtesy, the notification in
the app is the record."""

import datetime
import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej.dates import format_date_long
from notifications.models import Delivery, EmailState, Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[CEJ Loire]"
# Far longer than any run takes (one SMTP connection, EMAIL_TIMEOUT per message): a claim
# this old has no sender any more.
STALE_CLAIM = datetime.timedelta(hours=2)


def claim(queryset) -> tuple[str, list[int]]:
    """Reserve the pending notifications of `queryset` for this sender: one conditional
    UPDATE, so of two senders at once each row goes to exactly one. Returns the claim token
    and the ids claimed."""
    token = uuid.uuid4().hex
    ids = list(queryset.filter(email_state=EmailState.PENDING).values_list("pk", flat=True))
    if ids:
        Notification.objects.filter(Q(pk__in=ids), email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING, email_claim=token, email_claimed_at=timezone.now()
        )
    claimed = list(
        Notification.objects.filter(email_claim=token, email_state=EmailState.SENDING).values_list(
            "pk", flat=True
        )
    )
    return token, claimed


def send_notifications(notification_ids: list[int]) -> int:
    """E-mail at once the notifications given (those still pending and wanted at once).
    Returns how many were sent."""
    if not notification_ids:
        return 0
    try:
        return _send_immediate(
            Notification.objects.filter(pk__in=list(notification_ids), delivery=Delivery.IMMEDIATE)
        )
    except Exception:
        # Called after the commit of a request: whatever fails here (the database too) is
        # logged, never the request's error. What stayed pending goes with `send_pending`.
        logger.exception("Envoi des notifications %s en échec.", notification_ids)
        return 0


def send_pending(*, now: datetime.datetime | None = None) -> int:
    """E-mail every at-once notification still pending (created up to `now`): those whose
    sending failed before, or whose request ended before it could send them."""
    now = now or timezone.now()
    release_stale_claims(now=now)
    return _send_immediate(
        Notification.objects.filter(delivery=Delivery.IMMEDIATE, created_at__lte=now)
    )


def send_digests(*, day: datetime.date) -> int:
    """One « résumé quotidien » e-mail per person of their pending digest notifications
    created up to the end of `day` (local time). Returns the number of e-mails sent."""
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    release_stale_claims(now=timezone.now())
    token, ids = claim(
        Notification.objects.filter(
            delivery=Delivery.DIGEST, created_at__lt=end, recipient__is_active=True
        )
    )
    if not ids:
        return 0
    by_recipient = defaultdict(list)
    for notification in _claimed(token):
        by_recipient[notification.recipient].append(notification)
    return _deliver(
        token,
        [
            (notifications, lambda n=notifications, d=day: _digest_message(n, d))
            for notifications in by_recipient.values()
        ],
    )


def release_stale_claims(*, now: datetime.datetime) -> int:
    """Put back to pending the rows claimed more than `STALE_CLAIM` ago and never sent: their
    sender died. Returns how many."""
    released = Notification.objects.filter(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - STALE_CLAIM
    ).update(email_state=EmailState.PENDING, email_claim="", email_claimed_at=None)
    if released:
        logger.warning("%s notification(s) réservée(s) sans envoi remise(s) en attente.", released)
    return released


# --- sending ---------------------------------------------------------------------------


def _send_immediate(queryset) -> int:
    token, ids = claim(queryset.filter(recipient__is_active=True))
    if not ids:
        return 0
    return _deliver(
        token,
        [
            ([notification], lambda n=notification: _single_message(n))
            for notification in _claimed(token)
        ],
    )


def _claimed(token: str) -> list[Notification]:
    return list(
        Notification.objects.filter(email_claim=token, email_state=EmailState.SENDING)
        .select_related("recipient", "contract", "actor")
        .order_by("recipient_id", "created_at", "pk")
    )


def _deliver(token: str, batches: list) -> int:
    """Send each (notifications, build message) of `batches` over one connection; mark
    each batch sent, or back to pending on failure. Returns the number of e-mails sent."""
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception(
            "Serveur d'envoi des e-mails injoignable : nouvel essai au prochain envoi."
        )
        _release(token, [n.pk for notifications, _build in batches for n in notifications])
        return 0
    try:
        for notifications, build in batches:
            ids = [n.pk for n in notifications]
            recipient = notifications[0].recipient
            if not recipient.email:
                # Nobody to write to: the notification stays in the app only.
                _finish(token, ids, EmailState.NOT_WANTED)
                continue
            try:
                message = build()
                message.connection = connection
                message.send()
            except Exception:
                logger.exception(
                    "Échec de l'envoi de %s notification(s) à %s : nouvel essai au prochain envoi.",
                    len(ids),
                    recipient.email,
                )
                _release(token, ids)
                continue
            _finish(token, ids, EmailState.SENT, emailed_at=timezone.now())
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # the messages are sent already; a failed QUIT changes nothing
            logger.warning("Fermeture de la connexion SMTP en échec.", exc_info=True)
    return sent


def _finish(token: str, ids: list[int], state: str, **fields) -> None:
    Notification.objects.filter(pk__in=ids, email_claim=token).update(
        email_state=state, email_claim="", email_claimed_at=None, **fields
    )


def _release(token: str, ids: list[int]) -> None:
    """Back to pending, so that a later run retries them."""
    _finish(token, ids, EmailState.PENDING)


# --- the messages ----------------------------------------------------------------------


def absolute(path: str) -> str:
    """An address of this site as its readers reach it (`SITE_URL`)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def _item(notification: Notification) -> dict:
    return {
        "title": notification.title,
        "body": notification.body,
        "link": absolute(notification.url),
        "kind": notification.get_kind_display(),
        "contract": notification.contract.title if notification.contract_id else "",
        "actor": (
            notification.actor.get_full_name() or notification.actor.username
            if notification.actor_id
            else ""
        ),
        "created_on": format_date_long(timezone.localdate(notification.created_at)),
    }


def _message(*, recipient, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = {
        **context,
        "recipient_name": recipient.get_full_name() or recipient.username,
        "preferences_link": absolute(reverse("notification_preferences")),
        "notifications_link": absolute(reverse("notification_list")),
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"{SUBJECT_PREFIX} {subject}"[:250],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def _single_message(notification: Notification) -> EmailMultiAlternatives:
    # French whatever the language of the request that triggered it: the recipient's
    # language is not known, and the application speaks French first.
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            recipient=notification.recipient,
            subject=notification.title,
            template="notification",
            context={"item": _item(notification)},
        )


def _digest_message(
    notifications: list[Notification], day: datetime.date
) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        count = len(notifications)
        subject = ngettext(
            "Résumé quotidien du %(day)s : %(count)s notification",
            "Résumé quotidien du %(day)s : %(count)s notifications",
            count,
        ) % {"day": format_date_long(day), "count": count}
        return _message(
            recipient=notifications[0].recipient,
            subject=subject,
            template="digest",
            context={
                "items": [_item(n) for n in notifications],
                "day": format_date_long(day),
                "intro": _("Voici ce qui vous attend dans l'application CEJ Loire."),
            },
        )
