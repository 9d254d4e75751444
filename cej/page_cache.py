"""Rendered pages of a contract, cached until anything they show changes.

A contract page costs a dozen queries and a few hundred template nodes; the same contract is
read far more often than it is written. So each page's main content is rendered once and
kept in the cache under a key that contains the contract's `content_token`: a random value
replaced, in the same transaction, by every write to anything the pages show. The services
that write a contract's data say so themselves (`mark_contract_changed`, after taking the
contract's lock, `cej.locking`); only the reference data edited in the admin (territories,
partners, aims, postes, user names) marks contracts through signals, at the bottom of this
module. `tests/cej/test_page_cache.py` checks that every model of every project app is one
or the other. A new token makes every old entry
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
from collections.abc import Callable
from contextlib import contextmanager
from threading import local

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
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


def mark_contract_changed(contract_id) -> None:
    """The contract's pages are out of date: give it a new content token. Called by the
    writing service inside its transaction, so readers see the new token exactly when they
    see the new data."""
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


def mark_contracts_changed(contracts) -> None:
    """Every contract of `contracts` (a queryset) changed: one UPDATE."""
    if getattr(_batch, "contracts", None) is not None:
        _batch.contracts.update(contracts.values_list("pk", flat=True))
        return
    from cej.models import Contract

    ids = list(contracts.values_list("pk", flat=True))
    Contract.objects.filter(Q(pk__in=ids) | Q(predecessor_id__in=ids)).update(
        content_token=uuid.uuid4()
    )


def mark_all_contracts_changed() -> None:
    """A change shown by every contract's pages (a poste's label, an aim, a user's name)."""
    from cej.models import Contract

    if getattr(_batch, "contracts", None) is not None:
        _batch.everything = True
        return
    Contract.objects.update(content_token=uuid.uuid4())


@contextmanager
def one_mark_per_contract():
    """For writes of many rows at once (an import, the demo): one new token per contract at
    the end instead of one per service call. Use inside the writing transaction."""
    if getattr(_batch, "contracts", None) is not None:  # nested: the outer one marks
        yield
        return
    _batch.contracts, _batch.everything = set(), False
    try:
        yield
        contracts, everything = _batch.contracts, _batch.everything
    finally:
        _batch.contracts = None
    if everything:
        mark_all_contracts_changed()
        return
    from cej.models import Contract

    if contracts:
        mark_contracts_changed(Contract.objects.filter(pk__in=contracts))


# What the pages show, by model, and who says when it changed.
#
# Written only through the services (and the admin, which goes through them or marks the
# contract itself, `cej.admin_utils.ContractDataAdmin`): each marks its contract changed.
WRITTEN_BY_SERVICES = {
    "cej.Contract",
    "cej.ContractParty",
    "cej.Signature",
    "cej.AnnexConvention",
    "cej.Amendment",
    "cej.Document",
    "cej.DocumentDownload",  # the documents page counts the downloads
    "cej.PartnerDecision",
    "cej.AmendmentSignature",
    "pilotage.AmendmentFicheChange",
    "pilotage.AmendmentLineChange",
    "pilotage.AmendmentRepresentativeChange",
    "pilotage.AmendmentIndicatorChange",
    "fiches.Objective",
    "fiches.Fiche",
    "fiches.FicheVersion",
    "fiches.Indicator",  # fiches.indicator_services, which the admin goes through too
    "fiches.IndicatorYear",
    "fiches.IndicatorVersion",
    "financing.BudgetLine",
    "financing.BudgetLineVersion",
    "financing.Contribution",
    "financing.ExecutionEntry",
    # financing.cycle_services, which the admin goes through too (financing/admin_cycle.py)
    "financing.FundingTerms",
    "financing.PaymentSchedule",
    "financing.Advance",
    "financing.FunderPayment",
    "financing.SupportingDocument",
    # reviews.services and reviews.evaluation_services (the admin only shows them)
    "reviews.AnnualReview",
    "reviews.AnnualReviewVersion",
    "reviews.ReviewFiche",
    "reviews.NeedsArea",
    "reviews.NeedsPlaces",
    "reviews.FinalEvaluation",
    "reviews.FinalEvaluationVersion",
    "reviews.EvaluationFiche",
    # notifications.services and .mail: no cached fragment shows them (the header's unread
    # count is rendered outside the fragments, per request).
    "notifications.Notification",
    "notifications.NotificationPreference",
    # agenda.services: a deadline marks its contract, a plenary its territory's contracts; a
    # feed token is shown on no contract page
    "agenda.Plenary",
    "agenda.Deadline",
    "agenda.FeedToken",
    # api.tokens: a personal access token is shown on no contract page
    "api.ApiToken",
    # dossier.build: the record of a dossier produced, shown on no contract page (the next
    # dossier lists it)
    "dossier.DossierDownload",
}


# Shown outside the cached fragments: rendered per viewer on each request (the comment
# threads), or counted into the `viewer` part of a fragment's key (the open-comment counts
# of the fiche list and dashboard). Their writes mark no contract.
OUTSIDE_THE_CACHE = {
    "comments.Comment",
    "comments.CommentRevision",
}


def _contracts_naming_partner(partner):
    from cej.models import Contract

    return Contract.objects.filter(parties__partner=partner)


# Reference data, edited in the admin and shown on the pages of the contracts that use it:
# a signal marks those contracts (a function of the saved row returning them), or every
# contract (None) when working out which would cost more than it saves.
REFERENCE_DATA: dict[str, Callable | None] = {
    "cej.Territory": lambda territory: territory.contracts.all(),
    "partners.Partner": _contracts_naming_partner,
    "partners.Signatory": lambda signatory: _contracts_naming_partner(signatory.partner_id),
    # A former name: the acts print the name in force on their date.
    "partners.PartnerName": lambda former: _contracts_naming_partner(former.partner_id),
    "fiches.Aim": None,
    "financing.BudgetPost": None,
}


def _reference_data_changed(sender, instance, **kwargs):
    contracts_of = REFERENCE_DATA[sender._meta.label]
    if contracts_of is None:
        mark_all_contracts_changed()
    else:
        mark_contracts_changed(contracts_of(instance))


def _user_changed(sender, instance, update_fields=None, **kwargs):
    # Names of authors appear on the pages; logging in only writes `last_login`.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if kwargs.get("created"):
        return  # a new account has written nothing yet
    mark_all_contracts_changed()


def connect_signals() -> None:
    from django.apps import apps
    from django.contrib.auth import get_user_model

    for label in REFERENCE_DATA:
        model = apps.get_model(label)
        uid = f"page_cache_reference_{label}"
        post_save.connect(_reference_data_changed, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(_reference_data_changed, sender=model, dispatch_uid=f"{uid}_del")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="page_cache_user")
    post_delete.connect(_user_changed, sender=user, dispatch_uid="page_cache_user_delete")
