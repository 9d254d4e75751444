"""Every API error in one shape, in French (the active language): `{"detail": "…"}`, and for
invalid data `{"detail": "…", "errors": {"<field>": ["…"]}}`, the field named by its JSON key
(nested: `lines.2.amount`), the summary naming the first one."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler


def french_errors(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(response.data)
        first_field, first_messages = next(iter(errors.items()), ("", [""]))
        if first_field in ("", "non_field_errors"):
            summary = _("Données refusées : %(message)s") % {"message": first_messages[0]}
        else:
            summary = _("Données refusées : « %(field)s » — %(message)s") % {
                "field": first_field,
                "message": first_messages[0],
            }
        response.data = {"detail": summary, "errors": errors}
    elif isinstance(exc, exceptions.Throttled):
        response.data = {
            "detail": _("Trop de requêtes : réessayez dans %(seconds)s s.")
            % {"seconds": (exc.wait and int(exc.wait + 0.999)) or 1}
        }
    return response


def flatten_errors(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as `{"a.0.b": ["message", …]}`."""
    flat: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(not isinstance(v, dict | list) for v in data):
        flat[prefix] = [str(message) for message in data]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if value:
                flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix] = [str(data)]
    return flat
