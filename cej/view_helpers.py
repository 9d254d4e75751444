"""What every page of a contract does first, written once: find the contract in the user's
scope (404 otherwise), refuse with the predicate's reason (403), and put a service's
ValidationError on the form fields it names."""

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from cej.models import Contract
from cej.permissions import can_see_contract
from cej.security_log import log_security_event


def scoped_contract(request, slug) -> Contract:
    """The contract if the user may see it; 404 otherwise, as for a contract that does not
    exist (same rule as `Contract.objects.for_user`)."""
    # With its territory, which every contract page names: the rendered pages need no query
    # of their own for it. get(), not first(): no ordering to build for a unique slug.
    try:
        contract = Contract.objects.select_related("territory").get(slug=slug)
    except Contract.DoesNotExist:
        contract = None
    if contract is not None and not can_see_contract(request.user, contract):
        log_security_event("out_of_scope", request, contract=contract.slug)
        contract = None
    if contract is None:
        raise Http404(_("Aucun contrat à cette adresse."))
    return contract


def require(decision) -> None:
    """`decision` is a predicate's (allowed, reason)."""
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def add_errors(form, error: ValidationError, *, field_map=None, default_field=None) -> None:
    """Each message on its field; `field_map` sends a model field the form does not have to
    the one the user fixes instead (None: the form's general errors); messages without a field
    go to `default_field`."""
    if not hasattr(error, "error_dict"):
        form.add_error(default_field, error)
        return
    field_map = field_map or {}
    for field, errors in error.error_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def context_of(data) -> dict:
    """A selector's dataclass as a template context: its fields, one level deep (unlike
    `dataclasses.asdict`, nothing is copied or turned into dicts)."""
    return {field.name: getattr(data, field.name) for field in dataclasses.fields(data)}


def url_for_each(name: str, key: str, **kwargs):
    """A function giving `reverse(name, kwargs={**kwargs, key: value})` for each value, at
    the cost of one reverse(): a page listing fifty lines with three links each would spend
    more on reverse() than on anything else it shows. `key` is an integer or slug path
    parameter (the values need no quoting)."""
    marker = "918273645"
    head, _marker, tail = reverse(name, kwargs={**kwargs, key: marker}).partition(marker)
    return lambda value: f"{head}{value}{tail}"
