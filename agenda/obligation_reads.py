"""The bulk reads behind `agenda.obligations`: everything a batch of contracts needs, each
kind of row read once for the whole batch (ten queries, whatever the number of contracts)."""

from collections import defaultdict
from dataclasses import dataclass

from agenda.models import Deadline, Plenary
from cej.models import AnnexConvention, Contract, ContractParty
from financing.models import FunderPayment, PaymentSchedule, SupportingDocument
from reviews.models import AnnualReview


@dataclass
class Batch:
    """What a batch of contracts needs, each read once for the whole batch."""

    parties: dict  # contract id → [(partner id, role)]
    schedules: dict  # contract id → [_Schedule]
    payments: dict  # (contract id, funder id, year) → {kind: [received on]}
    documents: dict  # (contract id, funder id, year, kind) → received on
    reviews: dict  # (contract id, year) → submitted on
    annexes: dict  # contract id → [AnnexConvention]
    successors: dict  # contract id → created on
    deadlines: dict  # contract id → [Deadline]
    plenaries: dict  # territory id → [Plenary]
    territories: dict  # territory id → name


def read_batch(contracts: list[Contract]) -> Batch:
    ids = [c.pk for c in contracts]
    parties = defaultdict(list)
    for contract_id, partner_id, role in (
        ContractParty.objects.filter(contract_id__in=ids)
        .order_by("contract_id", "order", "pk")
        .values_list("contract_id", "partner_id", "role")
    ):
        parties[contract_id].append((partner_id, role))
    schedules = _schedules_of(ids)
    payments = defaultdict(lambda: defaultdict(list))
    for contract_id, funder_id, year, kind, received_on in (
        FunderPayment.objects.filter(contract_id__in=ids)
        .order_by("received_on", "pk")
        .values_list("contract_id", "funder_id", "year", "kind", "received_on")
    ):
        payments[contract_id, funder_id, year][kind].append(received_on)
    documents = {
        (contract_id, funder_id, year, kind): received_on
        for contract_id, funder_id, year, kind, received_on in SupportingDocument.objects.filter(
            contract_id__in=ids
        )
        .order_by()
        .values_list("contract_id", "funder_id", "year", "kind", "received_on")
    }
    reviews = {
        (contract_id, year): submitted_at
        for contract_id, year, submitted_at in AnnualReview.objects.filter(contract_id__in=ids)
        .order_by()
        .values_list("contract_id", "year", "submitted_at")
    }
    annexes = defaultdict(list)
    for annex in AnnexConvention.objects.filter(contract_id__in=ids).order_by("pk"):
        annexes[annex.contract_id].append(annex)
    successors = {}
    for predecessor_id, created_at in (
        Contract.objects.filter(predecessor_id__in=ids)
        .order_by("created_at")
        .values_list("predecessor_id", "created_at")
    ):
        successors.setdefault(predecessor_id, created_at)
    deadlines = defaultdict(list)
    for deadline in Deadline.objects.filter(contract_id__in=ids).order_by("due_on", "pk"):
        deadlines[deadline.contract_id].append(deadline)
    plenaries, territories = plenaries_of(contracts)
    return Batch(
        parties,
        schedules,
        payments,
        documents,
        reviews,
        annexes,
        successors,
        deadlines,
        plenaries,
        territories,
    )


@dataclass
class _Schedule:
    """A funder's payment schedule (*calendrier de versement*) as the calendar needs it."""

    funder_id: int
    funder: str
    documents_due: tuple  # (month, day) of year N + 1
    balance_due: tuple  # (month, day) of year N + 1
    advances: list  # [(number, percent, month, day)] of year N, by number


def _schedules_of(ids) -> dict:
    """Each contract's schedules with their advances and funder's name, in one query (one
    row per advance; a schedule without any comes once, its advance columns empty)."""
    schedules: dict[int, dict[int, _Schedule]] = defaultdict(dict)
    rows = (
        PaymentSchedule.objects.filter(contract_id__in=ids)
        .order_by("contract_id", "funder__name", "advances__number")
        .values_list(
            "contract_id",
            "funder_id",
            "funder__name",
            "documents_due_month",
            "documents_due_day",
            "balance_due_month",
            "balance_due_day",
            "advances__number",
            "advances__percent",
            "advances__due_month",
            "advances__due_day",
        )
    )
    for contract_id, funder_id, name, d_month, d_day, b_month, b_day, *advance in rows:
        schedule = schedules[contract_id].setdefault(
            funder_id, _Schedule(funder_id, name, (d_month, d_day), (b_month, b_day), [])
        )
        if advance[0] is not None:
            schedule.advances.append(tuple(advance))
    return {contract_id: list(by_funder.values()) for contract_id, by_funder in schedules.items()}


def plenaries_of(contracts) -> tuple[dict, dict]:
    """The plenaries of the contracts' territories, and the territories' names (one query:
    the plenaries with their territory)."""
    plenaries, territories = defaultdict(list), {}
    for plenary in (
        Plenary.objects.filter(territory_id__in={c.territory_id for c in contracts})
        .select_related("territory")
        .order_by("held_on")
    ):
        plenaries[plenary.territory_id].append(plenary)
        territories[plenary.territory_id] = plenary.territory.name
    return plenaries, territories
