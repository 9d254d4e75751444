"""The plenary pack (*dossier de séance*): what the members of a CDAJE plenary read before it.

Its agenda: the fiches, avenants and annual reviews of the territory's contracts that the
reader sees, submitted to the CDAJE since the previous plenary of the territory and still
awaiting its opinion on the plenary's day — each with what changed since the CDAJE's last
opinion on it and its open comments shared with the partners (never a CDAJE-only one).

Everything is read as of the plenary (the day it opens, local time): a version saved on or
after that day does not count, so the pack of a past plenary lists what was awaiting then,
and an opinion recorded the day after the plenary still leaves the item on its agenda.
The window is [previous plenary's day, this plenary's day): something submitted on the day
of a plenary goes to the next one.

Reads are in bulk: a fixed number of queries for the territory's contracts whatever the
number of fiches, versions or comments; an open avenant (one per contract at most) adds
what its page reads."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Plenary
from agenda.plenary_pack_reviews import ReviewFicheRow, reviews_on_agenda
from cej.dates import format_date_long
from cej.models import Amendment, AmendmentStatus, Contract, ContractParty
from cej.versioning import FieldChange
from comments.models import TargetKind
from comments.selectors import Thread, open_shared_threads
from fiches.diff import Names, diff_snapshots
from fiches.models import Aim, Fiche, FicheVersion, Objective
from pilotage.amendment_selectors import AmendmentPage, amendment_page

# Status, opinion date: a fiche awaiting an opinion always differs there from its last
# opinion; the pack shows what changed in its content.
_WORKFLOW_FIELDS = ("status", "validated_on")


@dataclass
class PackItem:
    """One item of the agenda. `since` says in words what `changes` compare against."""

    kind: str  # comments.models.TargetKind
    contract: Contract
    target_id: int
    heading: str
    url: str
    submitted_at: datetime.datetime
    since: str
    changes: list[FieldChange] = field(default_factory=list)
    amendment: AmendmentPage | None = None
    review_rows: list[ReviewFicheRow] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    number: int = 0  # its number in the agenda

    @property
    def kind_label(self) -> str:
        return str(TargetKind(self.kind).label)

    @property
    def anchor(self) -> str:
        return f"point-{self.number}"


@dataclass
class PlenaryPack:
    plenary: Plenary
    previous: Plenary | None
    plenaries: list[Plenary]  # the territory's, for choosing another
    contracts: list[Contract]  # the territory's that the reader sees
    items: list[PackItem]

    @property
    def thread_count(self) -> int:
        return sum(len(item.threads) for item in self.items)


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def plenary_pack(*, plenary: Plenary, user) -> PlenaryPack:
    """The pack of `plenary` as `user` may read it. The caller has checked that `user` sees
    the plenary (`Plenary.objects.for_user`)."""
    plenaries = list(Plenary.objects.filter(territory_id=plenary.territory_id).order_by("held_on"))
    earlier = [p for p in plenaries if p.held_on < plenary.held_on]
    previous = earlier[-1] if earlier else None
    contracts = list(
        Contract.objects.for_user(user)
        .filter(territory_id=plenary.territory_id)
        .select_related("territory")
        .order_by("start_year", "pk")
    )
    start = day_start(previous.held_on) if previous else None
    cutoff = day_start(plenary.held_on)
    items = []
    if contracts:
        by_id = {c.pk: c for c in contracts}
        fiches = {
            pk: (contract_id, number, title)
            for pk, contract_id, number, title in Fiche.objects.filter(
                contract__in=contracts
            ).values_list("pk", "contract_id", "number", "title")
        }
        items += _fiche_items(by_id, fiches, start, cutoff)
        items += _amendment_items(by_id, start, cutoff, plenary.held_on)
        items += _review_items(by_id, fiches, start, cutoff, plenary.held_on)
        order = {TargetKind.FICHE: 0, TargetKind.AMENDMENT: 1, TargetKind.REVIEW: 2}
        items.sort(key=lambda i: (i.contract.start_year, i.contract.pk, order[i.kind], i.heading))
        for number, item in enumerate(items, start=1):
            item.number = number
        _attach_threads(items)
    return PlenaryPack(plenary, previous, plenaries, contracts, items)


def _versions_in_window(model, owner: str, contracts, start, cutoff) -> dict[int, list]:
    """The versions saved before `cutoff` of each record with a version « submitted » saved
    in the window, oldest first, by record id: the only records that can be on the agenda."""
    submitted = model.objects.filter(
        **{f"{owner}__contract__in": list(contracts)},
        created_at__lt=cutoff,
        snapshot__status="submitted",
    )
    if start is not None:
        submitted = submitted.filter(created_at__gte=start)
    rows = (
        model.objects.filter(
            **{f"{owner}_id__in": submitted.values(f"{owner}_id")}, created_at__lt=cutoff
        )
        .order_by(f"{owner}_id", "number")
        .only(owner, "number", "snapshot", "created_at")
    )
    found = defaultdict(list)
    for version in rows:
        found[getattr(version, f"{owner}_id")].append(version)
    return found


def _submission(versions: list, start) -> int | None:
    """The index of the version that submitted the record, if it is still submitted at the
    end of `versions` and was submitted in the window; None otherwise."""
    if not versions or versions[-1].snapshot.get("status") != "submitted":
        return None
    index = len(versions) - 1
    while index > 0 and versions[index - 1].snapshot.get("status") == "submitted":
        index -= 1
    if start is not None and versions[index].created_at < start:
        return None  # submitted before the previous plenary
    return index


def _fiche_items(contracts: dict, fiches: dict, start, cutoff) -> list[PackItem]:
    found = _versions_in_window(FicheVersion, "fiche", contracts, start, cutoff)
    pending = {}
    for fiche_id, versions in found.items():
        index = _submission(versions, start)
        if index is None:
            continue
        opinion = next(
            (v for v in reversed(versions[:index]) if v.snapshot.get("status") == "validated"),
            None,
        )
        pending[fiche_id] = (versions[index], versions[-1], opinion)
    if not pending:
        return []
    # A fiche never given an opinion that carries on a fiche of the previous contract is
    # compared with that one as the CDAJE last approved it.
    continued = dict(
        Fiche.objects.filter(pk__in=[pk for pk, (_s, _n, o) in pending.items() if o is None])
        .exclude(continues=None)
        .values_list("pk", "continues_id")
    )
    earlier = {}
    for version in (
        FicheVersion.objects.filter(
            fiche_id__in=continued.values(), created_at__lt=cutoff, snapshot__status="validated"
        )
        .order_by("fiche_id", "number")
        .only("fiche", "number", "snapshot", "created_at")
    ):
        earlier[version.fiche_id] = version  # the last one wins
    names = _names(contracts)
    items = []
    for fiche_id, (submitted, now, opinion) in pending.items():
        contract_id, number, _title = fiches[fiche_id]
        contract = contracts[contract_id]
        if opinion is not None:
            since = _(
                "Modifications depuis l'avis de la CDAJE du %(date)s (version %(version)s)."
            ) % {"date": _opinion_date(opinion), "version": opinion.number}
            baseline = opinion.snapshot
        elif (older := earlier.get(continued.get(fiche_id))) is not None:
            since = _(
                "Fiche nouvelle dans ce contrat : comparée à la fiche qu'elle prolonge, telle "
                "que la CDAJE l'a approuvée le %(date)s."
            ) % {"date": _opinion_date(older)}
            baseline = older.snapshot
        else:
            since = _("Fiche nouvelle, sans avis antérieur de la CDAJE : son texte entier.")
            baseline = {}
        after = {**now.snapshot, **{f: baseline.get(f) for f in _WORKFLOW_FIELDS}}
        items.append(
            PackItem(
                kind=TargetKind.FICHE,
                contract=contract,
                target_id=fiche_id,
                heading=_("Fiche n° %(number)s — %(title)s")
                % {"number": number, "title": now.snapshot.get("title", "")},
                url=reverse("fiche_detail", kwargs={"slug": contract.slug, "number": number}),
                submitted_at=submitted.created_at,
                since=since,
                changes=diff_snapshots(baseline, after, names),
            )
        )
    return items


def _opinion_date(version) -> str:
    on = version.snapshot.get("validated_on")
    return format_date_long(datetime.date.fromisoformat(on) if on else version.created_at)


def _names(contracts: dict) -> Names:
    """The labels of every contract of the territory at once (their ids never collide), the
    contracts a successor's fiches continue included."""
    territory_ids = {c.territory_id for c in contracts.values()}
    objectives = Objective.objects.filter(contract__territory_id__in=territory_ids)
    parties = ContractParty.objects.filter(contract__territory_id__in=territory_ids)
    return Names(
        objectives={o.pk: str(o) for o in objectives},
        partners=dict(
            parties.order_by().values_list("partner_id", "partner__short_name").distinct()
        ),
        aims={a.pk: a.label for a in Aim.objects.all()},
    )


def _amendment_items(contracts: dict, start, cutoff, held_on) -> list[PackItem]:
    """Avenants opened in the window and awaiting the CDAJE's opinion on the plenary's day
    (in preparation, or given their opinion on that day or later). An avenant is not
    submitted: opening it asks for the CDAJE's opinion on what it proposes."""
    amendments = Amendment.objects.filter(
        contract__in=list(contracts), opened_at__lt=cutoff
    ).select_related("contract__territory")
    if start is not None:
        amendments = amendments.filter(opened_at__gte=start)
    items = []
    for amendment in amendments:
        awaiting = amendment.status == AmendmentStatus.DRAFT or (
            amendment.opinion_on is not None and amendment.opinion_on >= held_on
        )
        if amendment.status == AmendmentStatus.ABANDONED:
            awaiting = amendment.abandoned_on is not None and amendment.abandoned_on >= held_on
        if not awaiting:
            continue
        contract = contracts[amendment.contract_id]
        items.append(
            PackItem(
                kind=TargetKind.AMENDMENT,
                contract=contract,
                target_id=amendment.pk,
                heading=_("Avenant n° %(number)s — %(title)s")
                % {"number": amendment.number, "title": amendment.title},
                url=reverse(
                    "amendment_detail", kwargs={"slug": contract.slug, "number": amendment.number}
                ),
                submitted_at=amendment.opened_at,
                since=_("Modifications que l'avenant propose au contrat en vigueur."),
                amendment=amendment_page(amendment),
            )
        )
    return items


def _review_items(contracts: dict, fiches: dict, start, cutoff, held_on) -> list[PackItem]:
    return [
        PackItem(
            kind=TargetKind.REVIEW,
            contract=(contract := contracts[review.contract_id]),
            target_id=review.review_id,
            heading=_("Bilan annuel %(year)s") % {"year": review.year},
            url=reverse("annual_review", kwargs={"slug": contract.slug, "year": review.year}),
            submitted_at=review.submitted_at,
            since=review.since,
            changes=review.changes,
            review_rows=review.rows,
        )
        for review in reviews_on_agenda(contracts, fiches, start, cutoff, held_on)
    ]


def _attach_threads(items: list[PackItem]) -> None:
    """The open shared threads of each item: one read per contract and kind on the agenda."""
    wanted = defaultdict(list)
    for item in items:
        wanted[(item.contract, item.kind)].append(item)
    for (contract, kind), group in wanted.items():
        threads = open_shared_threads(
            contract=contract, target_kind=kind, target_ids=[item.target_id for item in group]
        )
        for item in group:
            item.threads = threads.get(item.target_id, [])
