"""Telling people: `notify` stores one notification per recipient, as each chose for its kind,
and e-mails at once those who asked for it once the transaction commits. Every service that
changes something worth telling calls it by name: no signal hides who is told."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    EmailState,
    Kind,
    Notification,
    NotificationPreference,
)


def deliveries_for(users: Iterable, kind: str) -> dict[int, str]:
    """How each user wants to hear of `kind` (one query for all)."""
    user_ids = [user.pk for user in users]
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    default = DEFAULT_DELIVERY[kind]
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def notify(
    *,
    kind: str,
    recipients: Iterable,
    title: str,
    url: str,
    contract=None,
    actor=None,
    body: str = "",
    key: str = "",
    may_see: Callable | None = None,
) -> list[Notification]:
    """Tell each of `recipients` (users) that `title` awaits them at `url`.

    The actor is never told of their own act; inactive users and those who chose « Jamais »
    for this kind are not told; `may_see(user)`, when given, is asked for each recipient
    and must say yes (a CDAJE-only comment never reaches a partner). With a `key`, a
    recipient already told under that key is not told again (a reminder is sent once)."""
    people = {user.pk: user for user in recipients if user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if may_see is not None:
        people = {pk: user for pk, user in people.items() if may_see(user)}
    if not people:
        return []
    deliveries = deliveries_for(people.values(), kind)
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            contract=contract,
            actor=actor,
            title=title[:300],
            body=body,
            url=url,
            key=key,
            created_at=now,
            delivery=deliveries[pk],
            email_state=EmailState.PENDING,
        )
        for pk, user in people.items()
        if deliveries[pk] != Delivery.NONE
    ]
    if not rows:
        return []
    if key:
        # Two reminder runs at once: the unique (recipient, key) lets one insert win, the
        # other skips without error.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(
                key=key, recipient_id__in=[row.recipient_id for row in rows], created_at=now
            )
        )
    else:
        created = Notification.objects.bulk_create(rows)
    at_once = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
    if at_once:
        # robust: an error while e-mailing is logged, and never reaches the request whose
        # work is already committed.
        transaction.on_commit(lambda: _send_at_once(at_once), robust=True)
    return created


def _send_at_once(notification_ids: list[int]) -> None:
    # Imported here: the mail module renders templates and talks SMTP, which the services
    # that merely record a notification never need.
    from notifications.mail import send_notifications

    send_notifications(notification_ids)


@transaction.atomic
def mark_read(*, notification: Notification, by) -> Notification:
    """`by` has read `notification` (theirs only: another's does not exist for them)."""
    if notification.recipient_id != by.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def mark_all_read(*, by) -> int:
    """Every unread notification of `by` read now; returns how many."""
    return Notification.objects.for_user(by).unread().update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user, deliveries: dict[str, str]) -> None:
    """How `user` wants to hear of each kind. A choice equal to the default is stored too:
    it keeps holding if the default changes."""
    for kind, delivery in deliveries.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            raise ValueError(f"unknown kind or delivery: {kind!r}, {delivery!r}")
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )
