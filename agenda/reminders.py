"""The reminders: as of a day, tell the people responsible for what is due soon or late
under each live contract (`notifications.services.notify`, kinds DUE_SOON and OVERDUE),
each notice once, then send what is pending by e-mail (`send_reminders`).

- advance notice (*échéance proche*) when something not done falls due within 14 days
  (plenaries included: every user of the contracts of the territory is told);
- late notice (*échéance dépassée*) once, when something not done is 1 to 60 days late
  (a date to know — an end, a plenary — is never late).

Each notice has a key (obligation, due date, stage): the unique (recipient, key) of the
notifications makes a second run — or a second instance running at once — tell nobody
twice; and the e-mails are claimed before being sent (`notifications.mail.claim`).

Read in bulk per batch of contracts: the obligations (`agenda.obligations`), the people of
the batch's territories and parties, the notices already given; a notify() call only for an
obligation with someone left to tell."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.obligations import Kind, Obligation, obligations_for
from cej.dates import format_date_long
from cej.models import Contract, ContractParty, ContractStatus, Territory
from notifications.mail import send_digests, send_pending
from notifications.models import Delivery, EmailState, Notification
from notifications.models import Kind as NotificationKind
from notifications.services import notify
from partners.models import Partner

SOON_DAYS = 14
LATE_DAYS = 60
BATCH_SIZE = 100
SOON, LATE = "soon", "late"


@dataclass
class Summary:
    day: datetime.date
    contracts: int = 0
    soon: int = 0  # notifications stored, per stage
    late: int = 0
    people: set = field(default_factory=set)
    created: list = field(default_factory=list)  # ids of the notifications stored
    emails: int = 0
    digests: int = 0
    batches: int = 0

    def lines(self) -> list[str]:
        return [
            _("Rappels au %(date)s : %(contracts)s contrat(s) en cours examiné(s).")
            % {"date": format_date_long(self.day), "contracts": self.contracts},
            _(
                "%(soon)s rappel(s) d'échéance proche et %(late)s avis de retard enregistrés, "
                "pour %(people)s personne(s)."
            )
            % {"soon": self.soon, "late": self.late, "people": len(self.people)},
            _("%(emails)s e-mail(s) envoyé(s) tout de suite, %(digests)s résumé(s) quotidien(s).")
            % {"emails": self.emails, "digests": self.digests},
        ]


def live_contracts(day: datetime.date):
    """Contracts live on `day`: signed on or before it, and not after the year of their last
    balance (the year after their last year)."""
    return (
        Contract.objects.filter(signed_on__lte=day, end_year__gte=day.year - 1)
        .exclude(status=ContractStatus.TERMINATED)
        .order_by("pk")
    )


def stage_of(obligation: Obligation, day: datetime.date) -> str | None:
    if obligation.done:
        return None
    days = (obligation.due_on - day).days
    if 0 <= days <= SOON_DAYS:
        return SOON
    if obligation.late and 1 <= -days <= LATE_DAYS:
        return LATE
    return None


def notice_key(obligation: Obligation, stage: str) -> str:
    # The due date is part of it: a deadline moved later is reminded again.
    return f"agenda:{obligation.key}:{obligation.due_on:%Y%m%d}:{stage}"


@dataclass
class _People:
    """The people of a batch: territory staff with their roles, members of partners."""

    staff: dict  # territory id → {user id: set of group names}
    members: dict  # partner id → set of user ids
    parties: dict  # contract id → set of partner ids
    users: dict  # user id → user

    @classmethod
    def read(cls, contracts: list[Contract]) -> "_People":
        User = get_user_model()
        territory_ids = {c.territory_id for c in contracts}
        parties = defaultdict(set)
        for contract_id, partner_id in ContractParty.objects.filter(
            contract_id__in=[c.pk for c in contracts]
        ).values_list("contract_id", "partner_id"):
            parties[contract_id].add(partner_id)
        partner_ids = set().union(*parties.values()) if parties else set()
        staff_links = list(
            Territory.staff.through.objects.filter(
                territory_id__in=territory_ids, user__is_active=True
            ).values_list("territory_id", "user_id")
        )
        member_links = list(
            Partner.members.through.objects.filter(
                partner_id__in=partner_ids, user__is_active=True
            ).values_list("partner_id", "user_id")
        )
        user_ids = {u for _t, u in staff_links} | {u for _p, u in member_links}
        users = User.objects.in_bulk(list(user_ids))
        groups = defaultdict(set)
        for user_id, name in User.groups.through.objects.filter(
            user_id__in=[u for _t, u in staff_links]
        ).values_list("user_id", "group__name"):
            groups[user_id].add(name)
        staff = defaultdict(dict)
        for territory_id, user_id in staff_links:
            staff[territory_id][user_id] = groups[user_id]
        members = defaultdict(set)
        for partner_id, user_id in member_links:
            members[partner_id].add(user_id)
        return cls(staff, members, parties, users)

    def responsible(self, obligation: Obligation, contract: Contract) -> set[int]:
        """Who is told: the territory's staff in the obligation's roles, and — for what the
        partners see — the members of its responsible partners (of every party for a
        plenary: the partners sit in the CDAJE)."""
        roles = set(obligation.staff_roles)
        told = {
            user_id
            for user_id, names in self.staff.get(contract.territory_id, {}).items()
            if names & roles
        }
        if obligation.shared:
            partners = (
                self.parties.get(contract.pk, set())
                if obligation.kind == Kind.PLENARY
                else obligation.partner_ids & self.parties.get(contract.pk, set())
            )
            for partner_id in partners:
                told |= self.members.get(partner_id, set())
        return told


def _notice(obligation: Obligation, stage: str, contract: Contract) -> dict:
    day = format_date_long(obligation.due_on)
    if stage == SOON:
        title = _("Échéance le %(date)s : %(title)s") % {"date": day, "title": obligation.title}
    else:
        title = _("En retard depuis le %(date)s : %(title)s") % {
            "date": day,
            "title": obligation.title,
        }
    body = _("%(kind)s — %(contract)s.") % {
        "kind": obligation.kind_label,
        "contract": contract.title,
    }
    if obligation.detail:
        body += "\n" + obligation.detail
    return {
        "kind": NotificationKind.DUE_SOON if stage == SOON else NotificationKind.OVERDUE,
        "title": title,
        "body": body,
        "url": obligation.url,
        "contract": contract,
    }


def remind_batch(contracts: list[Contract], *, day: datetime.date, summary: Summary) -> None:
    """Tell what is due in `contracts` as of `day`. The notices of a batch are written in one
    transaction: the at-once e-mails go when it commits (`notify`)."""
    by_id = {c.pk: c for c in contracts}
    due = []
    for obligation in obligations_for(contracts, as_of=day):
        stage = stage_of(obligation, day)
        if stage is not None:
            due.append((obligation, stage))
    if not due:
        return
    people = _People.read(contracts)
    keys = {notice_key(o, s) for o, s in due}
    told = defaultdict(set)
    for recipient_id, key in Notification.objects.filter(key__in=keys).values_list(
        "recipient_id", "key"
    ):
        told[key].add(recipient_id)
    with transaction.atomic():
        seen_keys = set()
        for obligation, stage in due:
            key = notice_key(obligation, stage)
            if key in seen_keys:  # a plenary under two contracts of a territory
                continue
            seen_keys.add(key)
            contract = by_id[obligation.contract_id]
            ids = people.responsible(obligation, contract) - told[key]
            if not ids:
                continue
            created = notify(
                recipients=[people.users[i] for i in sorted(ids) if i in people.users],
                key=key,
                **_notice(obligation, stage, contract),
            )
            if stage == SOON:
                summary.soon += len(created)
            else:
                summary.late += len(created)
            summary.people.update(n.recipient_id for n in created)
            summary.created.extend(n.pk for n in created)


def send_reminders(*, day: datetime.date, batch_size: int = BATCH_SIZE) -> Summary:
    """Remind what is due as of `day` under every live contract, then send what is pending:
    the at-once e-mails not sent yet (retries) and the digests."""
    summary = Summary(day=day)
    ids = list(live_contracts(day).values_list("pk", flat=True))
    summary.contracts = len(ids)
    for start in range(0, len(ids), batch_size):
        chunk = list(
            Contract.objects.filter(pk__in=ids[start : start + batch_size])
            .select_related("territory")
            .order_by("pk")
        )
        remind_batch(chunk, day=day, summary=summary)
        summary.batches += 1
    # The at-once e-mails went as each batch committed (`notify`); what failed then, or
    # was left pending by an earlier run, goes now.
    retried = send_pending()
    summary.emails = (
        retried
        + Notification.objects.filter(
            pk__in=summary.created, delivery=Delivery.IMMEDIATE, email_state=EmailState.SENT
        ).count()
    )
    # A run for a past day (a missed morning) stores its notices today: the digest then
    # goes with today's, up to the end of today.
    summary.digests = send_digests(day=max(day, timezone.localdate()))
    return summary
