"""What each contract owes and when, derived from the contracts as plain data: the calendar
pages, the iCalendar feed and `send_reminders` read the same list.

An obligation is dated (`due_on`), says who acts on it (`partner_ids`: the users of these
partners; `staff_roles`: the territory's staff in these groups) and where (`url`), whether
partners see it (`shared`), whether it is done and since when. Everything is computed *as of*
a date D: something done after D counts as not done yet, so `send_reminders --date
2016-03-01` sees what was due that morning.

Read in bulk: `obligations_for(contracts, as_of=…)` asks a fixed number of queries for a
batch of contracts, whatever their number (ten: `agenda.obligation_reads`).

The rules, which the contracts do not store and which this module fixes:
- the annual review of year N is due to the CDAJE by 31 March of N + 1 (before the spring
  plenary that gives its opinion; the funders pay the balance on it); done once submitted;
- an advance (*acompte*) of a funder for year N is due on its schedule's day; the k-th
  advance counts as paid once k advances of that funder for that year have been received;
- the balance (*solde*) of year N is due on the schedule's day of N + 1; done once a balance
  or a sum paid back (*reversement*) for that year has been received;
- the supporting documents of year N (actual figures, activity data) are due from the
  beneficiary on the schedule's day of N + 1; done once received;
- the renewal is to start a year before the contract ends (1 January of its last year);
  done once a successor contract exists;
- the ends of the contract and of its annex convention, and the CDAJE's plenaries, are
  dates to know, not acts: never late, done once passed.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from agenda.models import DeadlineVisibility, Plenary
from agenda.obligation_reads import Batch, plenaries_of, read_batch
from cej import roles
from cej.dates import format_date_long
from cej.models import Contract, PartyRole
from financing.models import (
    FunderPaymentKind,
    SupportingDocumentKind,
)
from financing.models.terms import day_in_year

D = datetime.date

REVIEW_DUE = (3, 31)  # month, day of year N + 1
THREE_PLENARIES = 3  # décret 2002-798: at least three plenaries a year

CDAJE = (roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR)
COORDINATION = (roles.CDAJE_COORDINATOR,)
FINANCE = (roles.FINANCE_OFFICER,)


class Kind:
    REVIEW = "review"
    DOCUMENTS = "documents"
    ADVANCE = "advance"
    BALANCE = "balance"
    ANNEX_END = "annex_end"
    CONTRACT_END = "contract_end"
    RENEWAL = "renewal"
    PLENARY = "plenary"
    DEADLINE = "deadline"

    # Lazy, so that makemessages finds them and each reader gets their own language.
    LABELS = {
        REVIEW: gettext_lazy("Bilan annuel"),
        DOCUMENTS: gettext_lazy("Justificatifs"),
        ADVANCE: gettext_lazy("Acompte"),
        BALANCE: gettext_lazy("Solde"),
        ANNEX_END: gettext_lazy("Fin de la convention annexe"),
        CONTRACT_END: gettext_lazy("Fin du contrat"),
        RENEWAL: gettext_lazy("Renouvellement"),
        PLENARY: gettext_lazy("Séance plénière"),
        # « Échéance » also heads a payment's due date elsewhere: here, a deadline.
        DEADLINE: pgettext_lazy("obligation added by hand", "Échéance"),
    }

    @classmethod
    def label(cls, kind: str) -> str:
        return str(cls.LABELS[kind])


# Kinds that are dates to know rather than acts: never late, done once passed.
EVENTS = frozenset({Kind.ANNEX_END, Kind.CONTRACT_END, Kind.PLENARY})


@dataclass(frozen=True)
class Obligation:
    key: str  # stable: the feed's UID and the reminders' key are made from it
    kind: str
    due_on: datetime.date
    title: str
    contract_id: int
    contract_title: str
    url: str
    partner_ids: frozenset = frozenset()
    staff_roles: tuple = ()
    shared: bool = True
    done_on: datetime.date | None = None
    late: bool = False
    detail: str = ""
    ref: int | None = None  # the plenary's or the deadline's id, for their controls

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def event(self) -> bool:
        return self.kind in EVENTS

    @property
    def kind_label(self) -> str:
        return Kind.label(self.kind)

    def days_late(self, as_of: datetime.date) -> int:
        return (as_of - self.due_on).days


def _done(day: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    """As of `as_of`, something done after it is not done yet."""
    return day if day is not None and day <= as_of else None


def _make(*, as_of, kind, due_on, done_on=None, **fields) -> Obligation:
    if kind in EVENTS:
        done_on = due_on if due_on <= as_of else None
        late = False
    else:
        done_on = _done(done_on, as_of)
        late = done_on is None and due_on < as_of
    return Obligation(kind=kind, due_on=due_on, done_on=done_on, late=late, **fields)


def _local_day(value) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


@dataclass(frozen=True)
class _Urls:
    calendar: str
    dashboard: str
    payments: str
    reviews: str
    renew: str

    @classmethod
    def of(cls, slug: str) -> "_Urls":
        def url(name):
            return reverse(name, kwargs={"slug": slug})

        return cls(
            calendar=url("contract_calendar"),
            dashboard=url("contract_dashboard"),
            payments=url("funder_payments"),
            reviews=url("annual_review_list"),
            renew=url("contract_renew"),
        )


def obligations_for(
    contracts: Iterable[Contract], *, as_of: datetime.date, plenaries: bool = True
) -> list[Obligation]:
    """Every obligation of `contracts` as of `as_of`, by date. `plenaries=False` leaves out
    the territory's plenaries (a caller showing several contracts of one territory adds them
    once: `plenary_obligations`)."""
    contracts = list(contracts)
    if not contracts:
        return []
    batch = read_batch(contracts)
    found: list[Obligation] = []
    for contract in contracts:
        found.extend(_of_contract(contract, batch, as_of))
    if plenaries:
        found.extend(plenary_obligations(contracts, as_of=as_of, batch=batch))
    found.sort(key=lambda o: (o.due_on, o.contract_id, o.key))
    return found


def plenary_obligations(contracts, *, as_of, batch: Batch | None = None) -> list[Obligation]:
    """The plenaries of the territories of `contracts`, once each: under the contract of its
    territory running that year (whose calendar page shows it)."""
    contracts = list(contracts)
    if batch is None:
        by_territory, names = plenaries_of(contracts)
    else:
        by_territory, names = batch.plenaries, batch.territories
    of_territory = defaultdict(list)
    for contract in contracts:
        of_territory[contract.territory_id].append(contract)
    found = []
    for territory_id, mine in of_territory.items():
        for plenary in by_territory.get(territory_id, ()):
            # Under the contract running that year (the first one given otherwise).
            year = plenary.held_on.year
            contract = next((c for c in mine if c.start_year <= year <= c.end_year), mine[0])
            found.append(
                _make(
                    as_of=as_of,
                    kind=Kind.PLENARY,
                    due_on=plenary.held_on,
                    key=f"plenary-{plenary.pk}",
                    title=_("Séance plénière de la CDAJE")
                    + (f" ({plenary.place})" if plenary.place else ""),
                    contract_id=contract.pk,
                    contract_title=names[territory_id],
                    # Its agenda and pack: what the members read before the meeting.
                    url=reverse("plenary_detail", kwargs={"pk": plenary.pk}),
                    staff_roles=CDAJE,
                    detail=plenary.note,
                    ref=plenary.pk,
                )
            )
    return found


def _of_contract(contract, batch: Batch, as_of) -> list[Obligation]:
    urls = _Urls.of(contract.slug)
    common = {"contract_id": contract.pk, "contract_title": contract.title}
    found = [
        _make(
            as_of=as_of,
            kind=Kind.CONTRACT_END,
            due_on=D(contract.end_year, 12, 31),
            key=f"c{contract.pk}-end",
            title=_("Fin du contrat %(period)s") % {"period": contract.period_label},
            url=urls.dashboard,
            staff_roles=COORDINATION,
            **common,
        )
    ]
    for annex in batch.annexes.get(contract.pk, ()):
        found.append(
            _make(
                as_of=as_of,
                kind=Kind.ANNEX_END,
                due_on=D(annex.end_year, 12, 31),
                key=f"c{contract.pk}-annex{annex.pk}-end",
                title=_("Fin de la convention annexe « %(title)s »") % {"title": annex.title},
                url=urls.dashboard,
                staff_roles=COORDINATION,
                **common,
            )
        )
    for deadline in batch.deadlines.get(contract.pk, ()):
        found.append(
            _make(
                as_of=as_of,
                kind=Kind.DEADLINE,
                due_on=deadline.due_on,
                done_on=deadline.done_on,
                key=f"deadline-{deadline.pk}",
                title=deadline.title,
                url=f"{urls.calendar}#deadline-{deadline.pk}",
                partner_ids=frozenset([deadline.responsible_id] if deadline.responsible_id else []),
                staff_roles=CDAJE,
                shared=deadline.visibility == DeadlineVisibility.SHARED,
                detail=deadline.description,
                ref=deadline.pk,
                **common,
            )
        )
    if contract.signed_on is None:
        # Nothing is owed under a contract not yet signed but its dates and hand-added ones.
        return found
    # Kept once the successor exists, struck through (done on the day it was created).
    found.append(
        _make(
            as_of=as_of,
            kind=Kind.RENEWAL,
            due_on=D(contract.end_year, 1, 1),
            done_on=_local_day(batch.successors.get(contract.pk)),
            key=f"c{contract.pk}-renewal",
            title=_("Préparer le renouvellement du contrat (il prend fin le %(end)s)")
            % {"end": format_date_long(D(contract.end_year, 12, 31))},
            url=urls.renew,
            staff_roles=COORDINATION,
            **common,
        )
    )
    beneficiary = next(
        (p for p, role in batch.parties.get(contract.pk, ()) if role == PartyRole.BENEFICIARY),
        None,
    )
    for year in contract.years:
        found.append(
            _make(
                as_of=as_of,
                kind=Kind.REVIEW,
                due_on=D(year + 1, *REVIEW_DUE),
                done_on=_local_day(batch.reviews.get((contract.pk, year))),
                key=f"c{contract.pk}-review-{year}",
                title=_("Bilan annuel %(year)s à soumettre à la CDAJE") % {"year": year},
                url=f"{urls.reviews}{year}/"
                if (contract.pk, year) in batch.reviews
                else urls.reviews,
                staff_roles=CDAJE,
                **common,
            )
        )
    for schedule in batch.schedules.get(contract.pk, ()):
        found.extend(_money(contract, schedule, beneficiary, batch, as_of, urls, common))
    return found


def _money(contract, schedule, beneficiary, batch, as_of, urls, common) -> list[Obligation]:
    funder_id, funder = schedule.funder_id, schedule.funder
    found = []
    for year in contract.years:
        received = batch.payments.get((contract.pk, funder_id, year), {})
        advances_received = received.get(FunderPaymentKind.ADVANCE, [])
        for number, percent, month, day in schedule.advances:
            paid = advances_received[number - 1] if len(advances_received) >= number else None
            found.append(
                _make(
                    as_of=as_of,
                    kind=Kind.ADVANCE,
                    due_on=day_in_year(year, month, day),
                    done_on=paid,
                    key=f"c{contract.pk}-f{funder_id}-{year}-advance{number}",
                    title=_("Acompte n° %(number)s %(year)s (%(percent)s %%) — %(funder)s")
                    % {
                        "number": number,
                        "year": year,
                        "funder": funder,
                        "percent": f"{percent.normalize():f}".replace(".", ","),
                    },
                    url=urls.payments,
                    partner_ids=frozenset([funder_id]),
                    staff_roles=FINANCE,
                    **common,
                )
            )
        settled = sorted(
            received.get(FunderPaymentKind.BALANCE, []) + received.get(FunderPaymentKind.REFUND, [])
        )
        found.append(
            _make(
                as_of=as_of,
                kind=Kind.BALANCE,
                due_on=day_in_year(year + 1, *schedule.balance_due),
                done_on=settled[0] if settled else None,
                key=f"c{contract.pk}-f{funder_id}-{year}-balance",
                title=_("Solde %(year)s — %(funder)s") % {"year": year, "funder": funder},
                url=urls.payments,
                partner_ids=frozenset([funder_id]),
                staff_roles=FINANCE,
                **common,
            )
        )
        due_on = day_in_year(year + 1, *schedule.documents_due)
        for kind, label in SupportingDocumentKind.choices:
            found.append(
                _make(
                    as_of=as_of,
                    kind=Kind.DOCUMENTS,
                    due_on=due_on,
                    done_on=batch.documents.get((contract.pk, funder_id, year, kind)),
                    key=f"c{contract.pk}-f{funder_id}-{year}-{kind}",
                    title=_("%(document)s %(year)s à transmettre — %(funder)s")
                    % {"document": label, "year": year, "funder": funder},
                    url=urls.payments,
                    partner_ids=frozenset([beneficiary] if beneficiary else []),
                    staff_roles=FINANCE,
                    **common,
                )
            )
    return found


def years_short_of_plenaries(territory_id: int, years: Iterable[int]) -> list[tuple[int, int]]:
    """The years (of `years`) when the territory's CDAJE holds fewer than three plenaries,
    with how many it holds: the page warns of them."""
    years = list(years)
    counts = defaultdict(int)
    for held_on in Plenary.objects.filter(
        territory_id=territory_id, held_on__year__in=years
    ).values_list("held_on", flat=True):
        counts[held_on.year] += 1
    return [(year, counts[year]) for year in years if counts[year] < THREE_PLENARIES]
