"""Golden-file tests of the PSEJ calculator (`financing.psej`, rules R1–R7) and of the
payment position (`financing.cycle`, rules C1–C6): the inputs and the expected outputs,
worked out by hand, are in tests/financing/golden/*.json, one case or more per rule
(docs/psej.md states each rule and its public source)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from financing import cycle, psej

GOLDEN = Path(__file__).parent / "golden"
PSEJ = json.loads((GOLDEN / "psej.json").read_text(encoding="utf-8"))
CYCLE = json.loads((GOLDEN / "cycle.json").read_text(encoding="utf-8"))


def money(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def terms(name: str) -> list[psej.FunderTerms]:
    return [
        psej.FunderTerms(
            funder_id=funder_id,
            share=Decimal(share),
            rate_new=Decimal(new),
            rate_continued=Decimal(continued),
            ceiling=Decimal(ceiling),
        )
        for funder_id, share, new, continued, ceiling in PSEJ["terms"][name]
    ]


def case_id(case: dict) -> str:
    return f"{case['rule']}: {case['name']}"


def test_every_rule_has_golden_cases():
    assert {c["rule"] for c in PSEJ["cases"]} == {f"R{n}" for n in range(1, 8)}
    rules = {c["rule"] for c in CYCLE["advance_amounts"] + CYCLE["positions"]}
    assert rules == {f"C{n}" for n in range(1, 7)}


@pytest.mark.parametrize("case", PSEJ["cases"], ids=case_id)
def test_psej_golden(case):
    caps = case.get("caps")
    result = psej.plan(
        expenses=Decimal(case["expenses"]),
        receipts=Decimal(case["receipts"]),
        continued=case["continued"],
        terms=terms(case["terms"]),
        caps=None if caps is None else {int(k): Decimal(v) for k, v in caps.items()},
    )
    assert result.net_cost == Decimal(case["net_cost"])
    assert result.psej == {int(k): Decimal(v) for k, v in case["psej"].items()}
    assert result.own_share == Decimal(case["own_share"])
    # Every amount to the cent, and the split adds up to the net cost (R6).
    for amount in (result.net_cost, result.own_share, *result.psej.values()):
        assert amount.as_tuple().exponent == -2
    assert result.psej_total + result.own_share == result.net_cost


@pytest.mark.parametrize("case", CYCLE["advance_amounts"], ids=case_id)
def test_advance_amounts_golden(case):
    amounts = cycle.advance_amounts(
        Decimal(case["forecast"]), [Decimal(p) for p in case["percents"]]
    )
    assert amounts == [Decimal(a) for a in case["amounts"]]


@pytest.mark.parametrize("case", CYCLE["positions"], ids=case_id)
def test_position_golden(case):
    position = cycle.position(
        year=case["year"],
        forecast_psej=Decimal(case["forecast"]),
        actual_psej=money(case["actual"]),
        instalments=[
            cycle.Instalment(n, Decimal(percent), day(due))
            for n, (percent, due) in enumerate(case["instalments"], start=1)
        ],
        balance_due_on=day(case["balance_due_on"]),
        movements=[
            cycle.Movement(kind, Decimal(amount), day(received))
            for kind, amount, received in case["movements"]
        ],
        today=day(case["today"]),
    )
    expected = case["expected"]
    assert [a.amount for a in position.advances] == [Decimal(a) for a in expected["advances"]]
    assert [a.late for a in position.advances] == expected["advances_late"]
    assert position.balance == money(expected["balance"])
    for name in ("owed", "received", "outstanding", "to_recover"):
        assert getattr(position, name) == Decimal(expected[name]), name
    assert position.balance_late == expected["balance_late"]
    assert position.settled == expected["settled"]
    assert position.late == (expected["balance_late"] or any(expected["advances_late"]))
