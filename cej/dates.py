"""French dates: « 1er octobre 2014 », the ordinal on the first of the month as French
typography requires (and as the signed contract prints it)."""

import datetime

from django.utils import translation
from django.utils.dates import MONTHS


def format_date_long(value: datetime.date | None) -> str:
    """What `date_format(value, "j F Y")` gives, without parsing the format on every call
    (a list of fiches or signatures shows a date per row)."""
    if value is None:
        return "–"
    day = "1er" if value.day == 1 and translation.get_language() in (None, "fr") else value.day
    return f"{day} {MONTHS[value.month]} {value.year:04d}"
