"""What every page of a contract does first, written once: find the contract in the user's
scope (404 otherwise), refuse with the predicate's reason (403), and put a service's
ValidationError on the form fields it names."""

import dataclasses
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from cej.models import Amendment, Contract, Territory
from cej.permissions import OPEN_AMENDMENT_STATUSES, can_see_contract
from cej.security_log import log_security_event


def scoped_contract(request, slug) -> Contract:
    """The contract if the user may see it; 404 otherwise, as for a contract that does not
    exist (same rule as `Contract.objects.for_user`)."""
    contract = _contract_by_slug(slug)
    if contract is not None and not can_see_contract(request.user, contract):
        log_security_event("out_of_scope", request, contract=contract.slug)
        contract = None
    if contract is None:
        raise Http404(_("Aucun contrat à cette adresse."))
    return contract


def _contract_by_slug(slug: str) -> Contract | None:
    """The contract with its territory (which every contract page names), the title and
    years of its predecessor (which the dashboard and the contract name) and the number of
    its open avenant (`open_amendment_number`, which the permission predicates of a signed
    contract's edit buttons ask: `cej.permissions.content_change_refusal`), in one query
    written out: every contract page starts with it, served from the cache or not, and the
    ORM spent more time building it (≈ 0.2 ms for select_related and get()) than the
    database running it. cej/auth_backends.py reads the user's facts the same way."""
    rows = Contract.objects.raw(_contract_by_slug_sql(), [*OPEN_AMENDMENT_STATUSES, slug])
    fields = Territory._meta.concrete_fields
    for contract in rows:
        contract.territory = Territory.from_db(
            rows.db,
            [field.attname for field in fields],
            [getattr(contract, f"territory_{field.column}") for field in fields],
        )
        if contract.predecessor_id:  # its other fields are read if ever asked for
            contract.predecessor = Contract.from_db(
                rows.db,
                ["id", "title", "start_year", "end_year"],
                [
                    contract.predecessor_id,
                    contract.predecessor_title,
                    contract.predecessor_start,
                    contract.predecessor_end,
                ],
            )
        return contract
    return None


@functools.cache
def _contract_by_slug_sql() -> str:
    quote, field = connection.ops.quote_name, Contract._meta.get_field
    territory = ", ".join(
        f"t.{quote(field.column)} AS {quote('territory_' + field.column)}"
        for field in Territory._meta.concrete_fields
    )
    contracts, pk = quote(Contract._meta.db_table), quote(Contract._meta.pk.column)
    amendment = Amendment._meta.get_field
    statuses = ", ".join(["%s"] * len(OPEN_AMENDMENT_STATUSES))
    # At most one open avenant per contract (a constraint of the table).
    open_amendment = (
        f"SELECT a.{quote(amendment('number').column)}"
        f" FROM {quote(Amendment._meta.db_table)} a"
        f" WHERE a.{quote(amendment('contract').column)} = c.{pk}"
        f" AND a.{quote(amendment('status').column)} IN ({statuses})"
    )
    return (
        f"SELECT c.*, {territory}, p.{quote(field('title').column)} AS predecessor_title,"
        f" p.{quote(field('start_year').column)} AS predecessor_start,"
        f" p.{quote(field('end_year').column)} AS predecessor_end,"
        f" ({open_amendment}) AS open_amendment_number"
        f" FROM {contracts} c"
        f" JOIN {quote(Territory._meta.db_table)} t"
        f" ON t.{quote(Territory._meta.pk.column)} = c.{quote(field('territory').column)}"
        f" LEFT JOIN {contracts} p ON p.{pk} = c.{quote(field('predecessor').column)}"
        f" WHERE c.{quote(field('slug').column)} = %s"
    )


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
