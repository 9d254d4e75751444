"""French dates: « 1er octobre 2014 », the ordinal on the first of the month as French
typography requires (and as the signed contract prints it)."""

import datetime

from django.utils import formats, translation


def format_date_long(value: datetime.date | None) -> str:
    if value is None:
        return "–"
    text = formats.date_format(value, "j F Y")
    if value.day == 1 and translation.get_language() in (None, "fr"):
        text = "1er" + text[1:]
    return text
