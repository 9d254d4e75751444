"""Property tests of the pure money calculators (`financing.psej`, `financing.cycle`) with
hypothesis: whatever the figures, shares add up to the net cost, a PSEJ is never negative
nor above the net cost, balance = actual PSEJ − advances received, and nothing owed,
outstanding or to recover is ever negative. Pure functions: many examples in little time.
Under CI=true the examples are derandomized (the same on every run), as in tests/hostile."""

import datetime
import itertools
import os
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cej.money import ZERO
from financing import cycle, psej

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
PURE = settings(
    max_examples=150,
    deadline=None,
    derandomize=IN_CI,
    **({"database": None} if IN_CI else {}),
)

CENT = Decimal("0.01")


def cents(low: int = 0, high: int = 50_000_000) -> st.SearchStrategy[Decimal]:
    """Euros to the cent, 0 to 500 000 € by default."""
    return st.integers(low, high).map(lambda c: Decimal(c) * CENT)


percent = st.integers(0, 10_000).map(lambda c: Decimal(c) * CENT)  # 0,00 to 100,00 %


@st.composite
def funder_terms(draw, max_funders: int = 3) -> list[psej.FunderTerms]:
    """1 to 3 funders whose shares add up to at most 100 %."""
    count = draw(st.integers(1, max_funders))
    left, terms = 10_000, []
    for funder_id in range(1, count + 1):
        share = draw(st.integers(0, left))
        left -= share
        terms.append(
            psej.FunderTerms(
                funder_id=funder_id,
                share=Decimal(share) * CENT,
                rate_new=draw(percent),
                rate_continued=draw(percent),
                ceiling=draw(cents()),
            )
        )
    return terms


def assert_cents(*amounts: Decimal) -> None:
    for amount in amounts:
        assert amount == amount.quantize(CENT), amount


@PURE
@given(
    expenses=cents(),
    receipts=cents(),
    continued=st.booleans(),
    terms=funder_terms(),
)
def test_shares_add_up_to_the_net_cost(expenses, receipts, continued, terms):
    plan = psej.plan(expenses=expenses, receipts=receipts, continued=continued, terms=terms)
    assert plan.net_cost == max(expenses - receipts, ZERO)  # R1
    assert plan.psej_total + plan.own_share == plan.net_cost  # R6
    assert plan.own_share >= 0
    for funder in terms:
        amount = plan.psej[funder.funder_id]
        assert 0 <= amount <= plan.net_cost
        assert amount <= funder.ceiling  # R2: a share of at most the ceiling, at most 100 %
    assert_cents(plan.net_cost, plan.own_share, *plan.psej.values())


@PURE
@given(
    expenses=cents(),
    receipts=cents(),
    actual_expenses=cents(),
    actual_receipts=cents(),
    continued=st.booleans(),
    terms=funder_terms(),
)
def test_the_actual_psej_never_exceeds_the_forecast(
    expenses, receipts, actual_expenses, actual_receipts, continued, terms
):
    forecast = psej.plan(expenses=expenses, receipts=receipts, continued=continued, terms=terms)
    actual = psej.plan(
        expenses=actual_expenses,
        receipts=actual_receipts,
        continued=continued,
        terms=terms,
        caps=forecast.psej,
    )
    assert actual.psej_total + actual.own_share == actual.net_cost
    for funder_id, amount in actual.psej.items():
        assert 0 <= amount <= forecast.psej[funder_id]  # R7
    assert actual.own_share >= 0


@st.composite
def percents_summing_to_100(draw) -> list[Decimal]:
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), max_size=4, unique=True)))
    bounds = [0, *cuts, 10_000]
    return [Decimal(b - a) * CENT for a, b in itertools.pairwise(bounds)]


@PURE
@given(forecast=cents(), percents=percents_summing_to_100())
def test_advances_of_100_percent_add_up_to_the_forecast(forecast, percents):
    amounts = cycle.advance_amounts(forecast, percents)
    assert sum(amounts, ZERO) == forecast  # C1
    assert all(amount >= 0 for amount in amounts)
    assert_cents(*amounts)


@PURE
@given(
    forecast=cents(),
    percents=st.lists(st.integers(1, 3_000).map(lambda c: Decimal(c) * CENT), max_size=3),
)
def test_advances_short_of_100_percent_never_exceed_the_forecast(forecast, percents):
    amounts = cycle.advance_amounts(forecast, percents)
    assert sum(amounts, ZERO) <= forecast + CENT * len(amounts)  # each rounded half up once
    assert all(amount >= 0 for amount in amounts)


YEAR = 2016
days_of_the_cycle = st.dates(datetime.date(YEAR, 1, 1), datetime.date(YEAR + 2, 12, 31))


@st.composite
def movements(draw) -> list[cycle.Movement]:
    """Advances and balances paid; reversements never above what was paid (the service's
    rule)."""
    paid = draw(
        st.lists(
            st.tuples(st.sampled_from([cycle.ADVANCE, cycle.BALANCE]), cents(1, 5_000_000)),
            max_size=4,
        )
    )
    rows = [cycle.Movement(kind, amount, draw(days_of_the_cycle)) for kind, amount in paid]
    total = sum((amount for _kind, amount in paid), ZERO)
    if total and draw(st.booleans()):
        refund = draw(cents(1, int(total * 100)))
        rows.append(cycle.Movement(cycle.REFUND, refund, draw(days_of_the_cycle)))
    return rows


@PURE
@given(
    forecast=cents(0, 5_000_000),
    actual=st.none() | cents(0, 5_000_000),
    percents=st.lists(st.integers(1, 5_000).map(lambda c: Decimal(c) * CENT), max_size=2),
    moves=movements(),
    today=days_of_the_cycle,
)
def test_a_position_is_never_negative_and_its_balance_is_actual_minus_advances(
    forecast, actual, percents, moves, today
):
    instalments = [
        cycle.Instalment(n, p, datetime.date(YEAR, 3 + 3 * n, 30))
        for n, p in enumerate(percents, start=1)
    ]
    position = cycle.position(
        year=YEAR,
        forecast_psej=forecast,
        actual_psej=actual,
        instalments=instalments,
        balance_due_on=datetime.date(YEAR + 1, 9, 30),
        movements=moves,
        today=today,
    )
    advances = sum((m.amount for m in moves if m.kind == cycle.ADVANCE), ZERO)
    paid = sum((m.amount for m in moves if m.kind != cycle.REFUND), ZERO)
    refunded = sum((m.amount for m in moves if m.kind == cycle.REFUND), ZERO)
    assert position.advances_received == advances
    assert position.received == paid - refunded >= 0  # C4
    assert position.owed >= 0 and position.outstanding >= 0 and position.to_recover >= 0  # C5
    assert not (position.outstanding and position.to_recover)
    if actual is None:  # C2
        assert position.balance is None and position.to_recover == 0
        assert position.owed == sum(
            (a.amount for a in position.advances if a.due_on <= today), ZERO
        )
    else:  # C3
        assert position.balance == actual - advances
        assert position.owed == actual
        assert position.outstanding - position.to_recover == actual - position.received
        assert position.settled == (position.received == actual)
