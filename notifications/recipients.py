"""Who is told: the people of a contract by role, each read in one query. Scope is the
contract's (`cej.querysets`): staff of its territory, members of the partners party to it."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from cej import roles


def _active():
    return get_user_model().objects.filter(is_active=True)


def territory_staff(contract, *groups: str):
    """Staff of the contract's territory in any of `groups` (every staff member if none)."""
    users = _active().filter(territories=contract.territory_id)
    if groups:
        users = users.filter(groups__name__in=groups)
    return users.distinct()


def coordinators(contract):
    """The CDAJE coordination of the contract's territory: it records the plenary's opinions."""
    return territory_staff(contract, roles.CDAJE_COORDINATOR)


def cdaje_staff(contract):
    """The CDAJE staff of the territory (coordination included)."""
    return territory_staff(contract, roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR)


def finance_officers(contract):
    return territory_staff(contract, roles.FINANCE_OFFICER)


def partner_users(contract, partner_ids=None):
    """Members of the partners party to the contract (only of `partner_ids` if given)."""
    parties = contract.parties.values("partner_id")
    if partner_ids is not None:
        parties = parties.filter(partner_id__in=list(partner_ids))
    return _active().filter(partners__in=parties).distinct()


def contract_users(contract):
    """Everyone who sees the contract, administrators aside: its territory's staff and the
    members of its parties."""
    parties = contract.parties.values("partner_id")
    return (
        _active().filter(Q(territories=contract.territory_id) | Q(partners__in=parties)).distinct()
    )


def authors(versions):
    """The people who saved a version of a record (`versions`: a queryset of its version
    rows, `cej.versioning`): who wrote it is told what became of it."""
    return _active().filter(pk__in=versions.values("author_id")).distinct()
