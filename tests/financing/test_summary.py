from decimal import Decimal

import pytest

from financing.selectors import budget_table

pytestmark = pytest.mark.django_db


def rows_by_label(table):
    return {row.label: row for row in table.rows if row.kind != "group"}


def test_the_demo_table_shows_2014_balanced_and_the_annex_share_unallocated_later(
    demo_contract,
):
    table = budget_table(demo_contract)
    rows = rows_by_label(table)
    assert table.years == [2014, 2015, 2016, 2017]
    assert [c.amount for c in rows["Coordination"].cells] == [Decimal("120000.00")] * 4
    assert [c.amount for c in rows["Communication"].cells] == [Decimal("38000.00")] * 4
    annex = rows["Dispositif d'accueil d'enfants handicapés dans les crèches"]
    assert annex.cells[0].amount == Decimal("40000.00")
    assert [c.state for c in annex.cells[1:]] == ["not_covered"] * 3
    assert [c.amount for c in rows["Total prévu"].cells] == [
        Decimal("198000.00"),
        Decimal("158000.00"),
        Decimal("158000.00"),
        Decimal("158000.00"),
    ]
    remaining = rows["Reste à allouer"]
    assert [(c.amount, c.state) for c in remaining.cells] == [
        (Decimal("0.00"), "balanced"),
        (Decimal("40000.00"), "unallocated"),
        (Decimal("40000.00"), "unallocated"),
        (Decimal("40000.00"), "unallocated"),
    ]
    assert remaining.total.amount == Decimal("120000.00")
    assert rows["Total prévu"].total.amount == Decimal("672000.00")
    assert table.unallocated_years == [2015, 2016, 2017]
    assert table.overrun_years == []
    assert table.annex_years == [2014]
