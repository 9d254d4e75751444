"""Where one funder stands with the beneficiary for one year: what was due, received,
remains, or is to be recovered. Pure arithmetic on the schedule, the PSEJ and the payments;
the rules are numbered as in docs/psej.md.

C1  the advances are rounded cumulatively: the first k advances together are their
    cumulated % of the year's forecast PSEJ, rounded to the cent, and each advance is the
    difference with the k − 1 before it. So each is its % give or take a cent, none is
    ever negative, and advances making 100 % add up to the forecast exactly.
C2  until the actual figures are known, the funder owes the advances fallen due.
C3  once they are known (every line of the year declared), it owes the actual PSEJ: the
    balance = actual PSEJ − advances received, due in N+1; when the advances exceeded the
    actual PSEJ, the difference is to be recovered (*ordre de reversement*), never a
    negative due.
C4  received = advances + balances paid by the funder − sums paid back (*reversements*).
C5  outstanding = owed − received, to recover = received − owed, each never below 0.
C6  late: an advance whose day has passed while the advances received fall short of it;
    the balance once its day has passed with something outstanding; a supporting
    document not received by its deadline.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cej.money import ZERO, round_money

HUNDRED = Decimal("100")
ADVANCE, BALANCE, REFUND = "advance", "balance", "refund"


@dataclass(frozen=True)
class Instalment:
    number: int
    percent: Decimal
    due_on: datetime.date


@dataclass(frozen=True)
class Movement:
    kind: str  # ADVANCE, BALANCE or REFUND
    amount: Decimal
    received_on: datetime.date


@dataclass(frozen=True)
class AdvanceDue:
    number: int
    percent: Decimal
    due_on: datetime.date
    amount: Decimal
    late: bool


@dataclass(frozen=True)
class Position:
    year: int
    forecast_psej: Decimal
    actual_psej: Decimal | None
    advances: tuple[AdvanceDue, ...]
    advances_received: Decimal
    balance: Decimal | None  # C3, None until the actual figures are known
    balance_due_on: datetime.date
    owed: Decimal
    received: Decimal
    refunded: Decimal
    outstanding: Decimal
    to_recover: Decimal
    balance_late: bool

    @property
    def advances_total(self) -> Decimal:
        return sum((a.amount for a in self.advances), ZERO)

    @property
    def late(self) -> bool:
        return self.balance_late or any(a.late for a in self.advances)

    @property
    def settled(self) -> bool:
        return self.actual_psej is not None and not self.outstanding and not self.to_recover


def advance_amounts(forecast_psej: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """C1. Rounding each advance on its own and giving the last one the difference can
    make the last one negative (three advances of 0,61 % of 0,82 € each round up to a
    cent): found by the property tests."""
    amounts, cumulated, before = [], ZERO, ZERO
    for percent in percents:
        cumulated += percent
        so_far = round_money(forecast_psej * cumulated / HUNDRED)
        amounts.append(so_far - before)
        before = so_far
    return amounts


def position(
    *,
    year: int,
    forecast_psej: Decimal,
    actual_psej: Decimal | None,
    instalments: Sequence[Instalment],
    balance_due_on: datetime.date,
    movements: Iterable[Movement],
    today: datetime.date,
) -> Position:
    movements = list(movements)
    advances_received = sum((m.amount for m in movements if m.kind == ADVANCE), ZERO)
    paid = sum((m.amount for m in movements if m.kind in (ADVANCE, BALANCE)), ZERO)
    refunded = sum((m.amount for m in movements if m.kind == REFUND), ZERO)
    received = paid - refunded  # C4
    amounts = advance_amounts(forecast_psej, [i.percent for i in instalments])
    advances, scheduled_so_far = [], ZERO
    for instalment, amount in zip(instalments, amounts, strict=True):
        scheduled_so_far += amount
        late = (
            actual_psej is None
            and instalment.due_on < today
            and advances_received < scheduled_so_far  # C6
        )
        advances.append(
            AdvanceDue(instalment.number, instalment.percent, instalment.due_on, amount, late)
        )
    if actual_psej is None:  # C2
        balance = None
        owed = sum((a.amount for a in advances if a.due_on <= today), ZERO)
    else:  # C3
        balance = actual_psej - advances_received
        owed = actual_psej
    outstanding = max(owed - received, ZERO)  # C5
    to_recover = max(received - owed, ZERO) if actual_psej is not None else ZERO
    return Position(
        year=year,
        forecast_psej=forecast_psej,
        actual_psej=actual_psej,
        advances=tuple(advances),
        advances_received=advances_received,
        balance=balance,
        balance_due_on=balance_due_on,
        owed=owed,
        received=received,
        refunded=refunded,
        outstanding=outstanding,
        to_recover=to_recover,
        balance_late=actual_psej is not None and today > balance_due_on and outstanding > 0,
    )
