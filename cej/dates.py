"""French dates: « 1er octobre 2014 », the ordinal on the first of the month as French
typography requires (and as the signed contract prints it)."""

import datetime

from django.utils import timezone, translation
from django.utils.dates import MONTHS


def format_date_long(value: datetime.date | None) -> str:
    """What `date_format(value, "j F Y")` gives, without parsing the format on every call
    (a list of fiches or signatures shows a date per row)."""
    if value is None:
        return "–"
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the day it was where the users are
    day = "1er" if value.day == 1 and translation.get_language() in (None, "fr") else value.day
    return f"{day} {MONTHS[value.month]} {value.year:04d}"


def format_date_time(value: datetime.datetime | None) -> str:
    """`03/12/2026 16:40` in the current time zone: what `date:"d/m/Y H:i"` gives, without
    parsing the format again for each row of a list."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


def format_date_short(value: datetime.datetime | None) -> str:
    """`03/12/2026` in the current time zone (`date:"d/m/Y"`), for a change whose day is
    known but not its hour."""
    return format_date_time(value)[:10]
