"""Query-string filters, checked: a bad value is a 400 naming the parameter, in French —
never silently ignored (a program would take a wrong answer for the right one)."""

import datetime

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def int_param(request, name: str, *, minimum: int | None = None, maximum: int | None = None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        message = _("Nombre entier attendu, reçu « %s ».") % raw[:40]
        raise ValidationError({name: [message]}) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationError(
            {
                name: [
                    _("Valeur hors limites (%(min)s à %(max)s).") % {"min": minimum, "max": maximum}
                ]
            }
        )
    return value


def choice_param(request, name: str, choices):
    """`choices`: the allowed values (e.g. a TextChoices' `.values`)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise ValidationError(
            {
                name: [
                    _("Valeur inconnue « %(value)s » ; attendu : %(allowed)s.")
                    % {"value": raw[:40], "allowed": ", ".join(map(str, allowed))}
                ]
            }
        )
    return raw


def date_param(request, name: str):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {name: [_("Date attendue au format AAAA-MM-JJ, reçu « %s ».") % raw[:40]]}
        ) from None


def bool_param(request, name: str):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1", "oui"):
        return True
    if raw.lower() in ("false", "0", "non"):
        return False
    raise ValidationError({name: [_("Booléen attendu (true ou false), reçu « %s ».") % raw[:40]]})
