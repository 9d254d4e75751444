"""Reads of the calendar for pages and the feed: a contract's calendar by month, a person's
deadlines across the contracts they see, each filtered by what the person may see (a
partner's users see the shared items only). Plain data; a fixed number of queries whatever
the number of contracts or items (`agenda.obligations` reads a batch at once)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from agenda.obligations import THREE_PLENARIES, Kind, Obligation, obligations_for
from agenda.permissions import sees_staff_items
from cej.models import Contract

UPCOMING_DAYS = 90


def visible(user, contract, obligation: Obligation, *, staff: bool | None = None) -> bool:
    if obligation.shared:
        return True
    return sees_staff_items(user, contract) if staff is None else staff


@dataclass
class Month:
    first_day: datetime.date
    items: list[Obligation] = field(default_factory=list)


@dataclass
class ContractCalendar:
    contract: Contract
    as_of: datetime.date
    months: list[Month]
    short_years: list[tuple[int, int]]  # (year, plenaries held) below the three a year
    late_count: int


def contract_calendar(*, contract: Contract, user, as_of: datetime.date | None = None):
    """The contract's obligations by month, from its first year to the year after its last
    (the balance and the documents of its last year fall then)."""
    as_of = as_of or timezone.localdate()
    staff = sees_staff_items(user, contract)
    items = [
        o
        for o in obligations_for([contract], as_of=as_of)
        if visible(user, contract, o, staff=staff)
    ]
    months: dict[datetime.date, Month] = {}
    for item in items:
        first = item.due_on.replace(day=1)
        months.setdefault(first, Month(first)).items.append(item)
    # Every plenary of the territory is among the items (partners see them too).
    held = Counter(o.due_on.year for o in items if o.kind == Kind.PLENARY)
    years = range(contract.start_year, contract.end_year + 2)
    return ContractCalendar(
        contract=contract,
        as_of=as_of,
        months=[months[k] for k in sorted(months)],
        short_years=[(y, held[y]) for y in years if held[y] < THREE_PLENARIES],
        late_count=sum(1 for o in items if o.late),
    )


class Show:
    TODO = "todo"
    LATE = "late"
    ALL = "all"
    CHOICES = (TODO, LATE, ALL)


@dataclass
class PersonDeadlines:
    as_of: datetime.date
    items: list[tuple[Obligation, Contract]]
    contracts: list[Contract]


def seen_contracts(user) -> list[Contract]:
    """The contracts the person sees, with their territory, by slug (one query)."""
    return list(Contract.objects.for_user(user).select_related("territory").order_by("slug"))


def person_deadlines(
    *,
    user,
    as_of: datetime.date | None = None,
    show: str = Show.TODO,
    contract_slug="",
    contracts: list[Contract] | None = None,
) -> PersonDeadlines:
    """What awaits the person across the contracts they see (`contracts`, when read already),
    late first then by date. `show`: to do (not done, late or due within 90 days), late
    only, or everything."""
    as_of = as_of or timezone.localdate()
    contracts = seen_contracts(user) if contracts is None else contracts
    chosen = [c for c in contracts if c.slug == contract_slug] if contract_slug else contracts
    by_id = {c.pk: c for c in chosen}
    horizon = as_of + datetime.timedelta(days=UPCOMING_DAYS)
    items = []
    for obligation in obligations_for(chosen, as_of=as_of):
        contract = by_id[obligation.contract_id]
        if not visible(user, contract, obligation):
            continue
        if show == Show.LATE and not obligation.late:
            continue
        if show == Show.TODO and (obligation.done or obligation.due_on > horizon):
            continue
        items.append((obligation, contract))
    items.sort(key=lambda pair: (not pair[0].late, pair[0].due_on, pair[0].key))
    return PersonDeadlines(as_of=as_of, items=items, contracts=contracts)


def feed_items(*, user, as_of: datetime.date | None = None) -> list[Obligation]:
    """Every item of every contract the person sees that they may see: the feed."""
    as_of = as_of or timezone.localdate()
    contracts = list(Contract.objects.for_user(user).select_related("territory"))
    by_id = {c.pk: c for c in contracts}
    return [
        o for o in obligations_for(contracts, as_of=as_of) if visible(user, by_id[o.contract_id], o)
    ]
