"""Rendered pages of a contract, cached until anything they show changes.

A contract page costs a dozen queries and a few hundred template nodes; the same contract is
read far more often than it is written. So each page's main content is rendered once and
kept in the cache under a key that contains the contract's `content_token`: a random value
replaced, in the same transaction, by every write to anything the pages show (see
`touch_contract` and the signal receivers below). A new token makes every old entry
unreachable, in every process: nothing has to be deleted, so a per-process cache is as
correct as a shared one, and a restored database cannot meet an entry from another state.

What goes into a cached fragment must depend only on the contract's data, the language and
the values passed as `viewer`: the fragment is rendered without the request, so it cannot
use the user, the session or the CSRF token by accident (the tests fail on an unknown
template variable). Forms inside a fragment get a placeholder token, replaced by the
request's own token on the way out.
"""

import hashlib
import uuid
from contextlib import contextmanager
from threading import local

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "cejcsrfplaceholder0000000000000000000000000000000000000000000000"
_batch = local()


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def contract_state(contract) -> str:
    """What a contract's cached pages are keyed on: which contract, in which state."""
    return f"{contract.pk}:{contract.content_token.hex}"


def fragment_key(name: str, state: str, viewer: dict) -> str:
    viewer_part = hashlib.sha256(repr(sorted(viewer.items())).encode()).hexdigest()[:24]
    return f"page:{name}:{state}:{get_language()}:{viewer_part}"


def cached_fragment(
    request, contract, template_name, build_context, *, viewer=None, derived=None, state=None
):
    """The HTML of `template_name` for `contract`, from the cache or rendered now.

    `build_context()` returns the template's context from the contract's data alone; it is
    only called on a miss, so the queries it makes lazily are saved on a hit. `viewer` holds
    what the fragment shows differently from one user or request to another (permission
    flags, the chosen year, filters): it is part of the key and of the context. `derived`
    adds to the context objects that follow from `viewer` alone (the workflow actions whose
    names are in it, say) but have no stable text form for the key. A page showing several
    contracts passes `contract=None` and their combined `state`."""
    viewer = dict(viewer or {})
    key = fragment_key(template_name, state or contract_state(contract), viewer)
    store = cache()
    html = store.get(key)
    if html is None:
        context = {**build_context(), **viewer, **(derived or {})}
        context["csrf_token"] = CSRF_PLACEHOLDER
        html = render_to_string(template_name, context)
        store.set(key, html, settings.PAGE_CACHE_TIMEOUT)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # rendered by the template engine, which escaped it


def touch_contract(contract_id) -> None:
    """The contract's pages are out of date: give it a new content token. Called inside the
    writing transaction, so readers see the new token exactly when they see the new data."""
    from cej.models import Contract

    if contract_id is None:
        return
    pending = getattr(_batch, "contracts", None)
    if pending is not None:
        pending.add(contract_id)
        return
    # Its successors too: their pages name it.
    Contract.objects.filter(Q(pk=contract_id) | Q(predecessor_id=contract_id)).update(
        content_token=uuid.uuid4()
    )


def touch_all_contracts() -> None:
    """A change shared by every contract (a partner's name, a poste, an aim)."""
    from cej.models import Contract

    if getattr(_batch, "contracts", None) is not None:
        _batch.everything = True
        return
    Contract.objects.update(content_token=uuid.uuid4())


@contextmanager
def one_touch_per_contract():
    """For writes of many rows at once (an import): one new token per contract at the end
    instead of one per row. Use inside the writing transaction."""
    if getattr(_batch, "contracts", None) is not None:  # nested: the outer one touches
        yield
        return
    _batch.contracts, _batch.everything = set(), False
    try:
        yield
        contracts, everything = _batch.contracts, _batch.everything
    finally:
        _batch.contracts = None
    if everything:
        touch_all_contracts()
        return
    for contract_id in contracts:
        touch_contract(contract_id)


# What each model's row belongs to: the path from the row to its contract's id. Every model
# whose data a contract page shows is here; `tests/cej/test_page_cache.py` checks that no
# model of the contract's apps is forgotten.
CONTRACT_OF = {
    "cej.Contract": lambda row: row.pk,
    "cej.ContractParty": lambda row: row.contract_id,
    "cej.Signature": lambda row: row.contract_id,
    "cej.AnnexConvention": lambda row: row.contract_id,
    "cej.Amendment": lambda row: row.contract_id,
    "cej.Document": lambda row: row.contract_id,
    # The documents page counts the downloads.
    "cej.DocumentDownload": lambda row: _contract_through(row, "document"),
    "fiches.Objective": lambda row: row.contract_id,
    "fiches.Fiche": lambda row: row.contract_id,
    "fiches.FicheVersion": lambda row: _contract_through(row, "fiche"),
    "financing.BudgetLine": lambda row: row.contract_id,
    "financing.BudgetLineVersion": lambda row: row.contract_id,
    "financing.Contribution": lambda row: _contract_through(row, "line"),
    "financing.ExecutionEntry": lambda row: _contract_through(row, "line"),
}
# Shown on the pages of every contract that uses them.
SHARED = [
    "cej.Territory",
    "partners.Partner",
    "partners.Signatory",
    "fiches.Aim",
    "financing.BudgetPost",
]


def _contract_through(row, field: str):
    """The contract id of the row's parent (its fiche, line or document): from the parent
    object when the row was saved with it (no query), else read; None when the parent is
    gone (a cascade: its own deletion touched the contract)."""
    relation = row._meta.get_field(field)
    if relation.is_cached(row):
        return getattr(row, field).contract_id
    parent_id = getattr(row, relation.attname)
    return (
        relation.related_model.objects.filter(pk=parent_id)
        .values_list("contract_id", flat=True)
        .first()
    )


def _touch_row(sender, instance, **kwargs):
    touch_contract(CONTRACT_OF[sender._meta.label](instance))


def _touch_deleted_row(sender, instance, **kwargs):
    # After a cascade the parent row may be gone: the path through it finds nothing, and the
    # parent's own deletion touched the contract already.
    touch_contract(CONTRACT_OF[sender._meta.label](instance))


def _touch_shared(sender, instance, **kwargs):
    touch_all_contracts()


def _touch_fiche_relations(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        touch_contract(instance.contract_id)
    else:  # from the partner's or the aim's side: every fiche named (`model` is Fiche)
        for contract_id in set(
            model.objects.filter(pk__in=pk_set or []).values_list("contract_id", flat=True)
        ):
            touch_contract(contract_id)


def _touch_on_user_change(sender, instance, update_fields=None, **kwargs):
    # Names of authors appear on the pages; logging in only writes `last_login`.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if kwargs.get("created"):
        return  # a new account has written nothing yet
    touch_all_contracts()


def connect_signals() -> None:
    from django.apps import apps
    from django.contrib.auth import get_user_model

    for label in CONTRACT_OF:
        model = apps.get_model(label)
        post_save.connect(_touch_row, sender=model, dispatch_uid=f"page_cache_save_{label}")
        post_delete.connect(
            _touch_deleted_row, sender=model, dispatch_uid=f"page_cache_delete_{label}"
        )
    for label in SHARED:
        model = apps.get_model(label)
        post_save.connect(_touch_shared, sender=model, dispatch_uid=f"page_cache_save_{label}")
        post_delete.connect(_touch_shared, sender=model, dispatch_uid=f"page_cache_delete_{label}")
    fiche = apps.get_model("fiches.Fiche")
    for through in (fiche.aims.through, fiche.associated_partners.through):
        m2m_changed.connect(
            _touch_fiche_relations, sender=through, dispatch_uid=f"page_cache_m2m_{through}"
        )
    user = get_user_model()
    post_save.connect(_touch_on_user_change, sender=user, dispatch_uid="page_cache_user")
    post_delete.connect(_touch_shared, sender=user, dispatch_uid="page_cache_user_delete")
