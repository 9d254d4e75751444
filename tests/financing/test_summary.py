from decimal import Decimal

import pytest

from financing.selectors import budget_table
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


def rows_by_label(table):
    return {row.label: row for row in table.rows if row.kind != "group"}


def test_the_demo_table_shows_every_year_balanced(demo_contract):
    """As signed, the annex convention covered 2014 only (40 000 € for fiche 4); avenant
    n° 1 extended it to 2017 with 25 000 € for fiche 4 and 15 000 € for fiche 15 each year:
    120 000 + 38 000 + 40 000 = 198 000 € allocated in every year."""
    table = budget_table(demo_contract)
    rows = rows_by_label(table)
    assert table.years == [2014, 2015, 2016, 2017]
    assert [c.amount for c in rows["Coordination"].cells] == [Decimal("120000.00")] * 4
    assert [c.amount for c in rows["Communication"].cells] == [Decimal("38000.00")] * 4
    annex = rows["Dispositif d'accueil d'enfants handicapés dans les crèches"]
    assert [(c.amount, c.state) for c in annex.cells] == [(Decimal("40000.00"), "")] * 4
    assert [c.amount for c in rows["Total prévu"].cells] == [Decimal("198000.00")] * 4
    remaining = rows["Reste à allouer"]
    assert [(c.amount, c.state) for c in remaining.cells] == [(Decimal("0.00"), "balanced")] * 4
    assert remaining.total.amount == Decimal("0.00")
    assert rows["Total prévu"].total.amount == Decimal("792000.00")
    assert table.unallocated_years == []
    assert table.overrun_years == []
    assert table.annex_years == [2014, 2015, 2016, 2017]


def test_years_outside_the_annex_convention_are_not_covered_and_the_rest_unallocated(
    contract, coordination, disability_scheme
):
    """The financing conftest's contract: its annex convention covers 2014 only."""
    BudgetLineFactory(contract=contract, year=2014, post=coordination, amount=Decimal(158000))
    BudgetLineFactory(
        contract=contract,
        year=2014,
        post=disability_scheme,
        annex_convention=contract.annex_conventions.get(),
        amount=Decimal(40000),
    )
    BudgetLineFactory(contract=contract, year=2015, post=coordination, amount=Decimal(158000))
    rows = rows_by_label(table := budget_table(contract))
    annex = rows["Dispositif d'accueil d'enfants handicapés dans les crèches"]
    assert annex.cells[0].amount == Decimal("40000.00")
    assert [c.state for c in annex.cells[1:]] == ["not_covered"] * 3
    remaining = rows["Reste à allouer"]
    assert [(c.amount, c.state) for c in remaining.cells] == [
        (Decimal("0.00"), "balanced"),
        (Decimal("40000.00"), "unallocated"),
        (Decimal("198000.00"), "unallocated"),
        (Decimal("198000.00"), "unallocated"),
    ]
    assert table.unallocated_years == [2015, 2016, 2017]
    assert table.annex_years == [2014]
