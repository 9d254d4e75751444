"""The *prestation de service enfance jeunesse* (PSEJ): how much each funder pays of one
action in one year. Pure arithmetic on Decimals, with no database: the services store the
forecast split it gives, the payment cycle reads the actual one. Each rule is numbered as
in docs/psej.md, which gives its public source.

R1  net cost (*reste à charge*) = expenses − receipts other than the PSEJ, never below 0.
R2  each funder retains the net cost within its ceiling: min(net cost, ceiling).
R3  of that, its share: retained × share %.
R4  its PSEJ = that base × its rate %, the rate for a new action or for an action carried
    over from the previous contract (*action antérieure*).
R5  rounded once, to the cent, half up (`cej.money.round_money`). Should the rounded PSEJ
    ever add up to more than the net cost (a cent, with shares and rates at 100 %), the
    funders give the cent back, the last one first.
R6  the beneficiary's own share = net cost − the PSEJ: the shares add up to the net cost.
R7  on the actual figures, a funder's PSEJ never exceeds its forecast PSEJ for the line:
    the contract fixes the most it pays.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cej.money import ZERO, round_money

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class FunderTerms:
    """One funder's terms for one instrument (`financing.FundingTerms`), as plain data."""

    funder_id: int
    share: Decimal
    rate_new: Decimal
    rate_continued: Decimal
    ceiling: Decimal

    @classmethod
    def of(cls, terms) -> "FunderTerms":
        return cls(
            funder_id=terms.funder_id,
            share=terms.share,
            rate_new=terms.rate_new,
            rate_continued=terms.rate_continued,
            ceiling=terms.ceiling,
        )


@dataclass(frozen=True)
class Plan:
    """One line's financing plan: expenses, other receipts, net cost, the PSEJ of each
    funder (by id, in the order of the terms) and the beneficiary's own share."""

    expenses: Decimal
    receipts: Decimal
    net_cost: Decimal
    psej: dict[int, Decimal] = field(default_factory=dict)
    own_share: Decimal = ZERO

    @property
    def psej_total(self) -> Decimal:
        return sum(self.psej.values(), ZERO)


def net_cost(expenses, receipts) -> Decimal:
    """R1."""
    return max(round_money(expenses) - round_money(receipts), ZERO)


def funder_psej(net: Decimal, terms: FunderTerms, *, continued: bool) -> Decimal:
    """R2–R5 for one funder, before the cent R5 may give back."""
    retained = min(net, round_money(terms.ceiling))  # R2
    rate = terms.rate_continued if continued else terms.rate_new  # R4
    return round_money(retained * terms.share * rate / (HUNDRED * HUNDRED))  # R3, R4, R5


def plan(
    *,
    expenses,
    receipts,
    continued: bool,
    terms: Sequence[FunderTerms],
    caps: Mapping[int, Decimal] | None = None,
) -> Plan:
    """The financing plan of one line. `caps`: each funder's forecast PSEJ, when this plan is
    the actual one (R7)."""
    expenses, receipts = round_money(expenses), round_money(receipts)
    net = net_cost(expenses, receipts)
    psej = {t.funder_id: funder_psej(net, t, continued=continued) for t in terms}
    if caps is not None:
        psej = {fid: min(amount, round_money(caps.get(fid, ZERO))) for fid, amount in psej.items()}
    excess = sum(psej.values(), ZERO) - net
    for funder in reversed(terms):  # R5: only a cent or two of rounding can get here
        if excess <= 0:
            break
        given_back = min(excess, psej[funder.funder_id])
        psej[funder.funder_id] -= given_back
        excess -= given_back
    own = net - sum(psej.values(), ZERO)  # R6
    return Plan(expenses=expenses, receipts=receipts, net_cost=net, psej=psej, own_share=own)
