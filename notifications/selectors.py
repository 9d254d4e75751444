"""Reads of a person's notifications: their list, their unread count, their preferences."""

from dataclasses import dataclass

from notifications.models import DEFAULT_DELIVERY, Kind, Notification, NotificationPreference


def notifications_of(user):
    """The person's notifications, newest first, with what the list shows of each."""
    return (
        Notification.objects.for_user(user)
        .select_related("contract", "actor")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    """One query (the unread index); nothing for someone not logged in."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    delivery: str
    default: str


def preferences_of(user) -> list[Preference]:
    """Each kind with how the person hears of it (their choice, else the default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [
        Preference(
            kind=kind.value,
            label=str(kind.label),
            delivery=chosen.get(kind.value, DEFAULT_DELIVERY[kind]),
            default=DEFAULT_DELIVERY[kind],
        )
        for kind in Kind
    ]
