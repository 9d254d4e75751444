"""financing.selectors on the shared Loire demo: 198 000,00 € a year from 2014 to 2017,
the budget report and the planned table read in a few queries whatever the lines."""

from decimal import Decimal

import pytest

from cej.models import Contract
from financing.models import BudgetLine
from financing.selectors import budget_report, budget_table, line_history, parse_year

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contract(demo):
    return Contract.objects.select_related("territory").get(pk=demo.contract.pk)


def test_the_report_reads_eleven_queries(contract, django_assert_num_queries):
    # Annex conventions, the parties' roles, the funding terms, lines with their execution,
    # contributions, posts; the money cycle's partners, schedules and their advances,
    # payments, supporting documents.
    with django_assert_num_queries(11):
        report = budget_report(contract)
    assert [(f.label, f.envelope) for f in report.per_year] == [
        (str(year), D("198000.00")) for year in (2014, 2015, 2016, 2017)
    ]
    assert report.total.envelope == D("792000.00")
    assert [line.year for line in report.lines] == sorted(line.year for line in report.lines)
    first = report.lines[0]
    assert (first.year, first.post_label, first.fiche_number) == (
        2014,
        "Dispositif d'accueil d'enfants handicapés dans les crèches",
        4,
    )
    assert (first.instrument_label, first.committed, first.paid) == (
        "Convention annexe",
        D("40000.00"),
        BudgetLine.objects.get(pk=first.pk).actual_expenses,  # paid: what was spent
    )
    assert [name for name, _short, _amount in first.contributions] == sorted(
        name for name, _short, _amount in first.contributions
    )
    # The forecast shares split the net cost (expenses less other receipts), not the amount.
    assert sum(amount for _n, _s, amount in first.contributions) == first.plan.forecast.net_cost
    assert first.plan.forecast.expenses == first.amount
    # Declared by the demo: the actual plan is computed on the actual figures.
    assert first.plan.actual.expenses == BudgetLine.objects.get(pk=first.pk).actual_expenses


def test_the_report_carries_the_financing_plan_per_year(blank_cycle, contract):
    from partners.models import Partner

    caf, msa = Partner.objects.get(slug="caf42"), Partner.objects.get(slug="msa-adl")
    report = budget_report(contract)
    assert [p.label for p in report.plan_per_year] == ["2014", "2015", "2016", "2017"]
    first = report.plan_per_year[0].forecast
    assert first.expenses == D("198000.00")
    assert first.psej == {caf.pk: D("87525.00"), msa.pk: D("9725.00")}
    assert first.psej_total + first.own_share == first.net_cost
    total = report.plan_total.forecast
    assert total.expenses == report.total.planned == D("792000.00")
    assert [s.label for s in report.financing] == [
        caf.name,
        msa.name,
        "Part du bénéficiaire (Département de la Loire)",
    ]
    assert sum(s.forecast for s in report.financing) == total.net_cost
    assert all(s.actual is None for s in report.financing)  # no actual figures yet
    # Per funder and year: the CAF and the MSA, 2014–2017.
    assert [(p.funder_id, p.year) for p in report.positions] == [
        (funder.pk, year) for funder in (caf, msa) for year in range(2014, 2018)
    ]


def test_one_year_narrows_the_plan_and_the_positions(contract):
    report = budget_report(contract, year="2015")
    assert report.plan_total.forecast.expenses == D("198000.00")
    assert {p.year for p in report.positions} == {2015}
    assert len(report.plan_per_year) == 4  # the years stay whole


def test_the_positions_follow_today(blank_cycle, contract):
    import datetime

    before = budget_report(contract, today=datetime.date(2014, 6, 1))
    assert not any(p.late for p in before.positions)
    assert all(p.position.owed == 0 for p in before.positions)  # no advance due yet
    after = budget_report(contract, today=datetime.date(2014, 7, 1))
    first = next(p for p in after.positions if p.year == 2014)
    assert first.position.advances[0].late and first.position.owed > 0


def test_the_report_and_the_table_agree(contract):
    report = budget_report(contract)
    table = budget_table(contract)
    total = next(row for row in table.rows if row.kind == "total")
    assert [cell.amount for cell in total.cells] == [f.planned for f in report.per_year]
    assert report.table == table


def test_the_table_sums_the_lines_it_is_given(contract, django_assert_num_queries):
    annex_conventions = list(contract.annex_conventions.all())
    with django_assert_num_queries(1):  # the posts: the planned amounts are given
        table = budget_table(contract, annex_conventions=annex_conventions, planned={})
    assert table.unallocated_years == [2014, 2015, 2016, 2017]


def test_a_line_without_fiche_comes_before_those_of_the_same_poste(contract):
    """In 2015 the annex convention's poste has two lines (fiches 4 and 15, avenant n° 1);
    the convention's lines come before the CEJ's."""
    annex = BudgetLine.objects.filter(contract=contract, post__code="accueil-enfants-handicapes")
    line = annex.get(year=2015, fiche__number=15)
    BudgetLine.objects.filter(pk=line.pk).update(fiche=None)
    lines = [(row.year, row.post_label, row.fiche_number) for row in budget_report(contract).lines]
    in_2015 = [line for line in lines if line[0] == 2015]
    label = "Dispositif d'accueil d'enfants handicapés dans les crèches"
    assert in_2015 == [  # the same on SQLite and PostgreSQL
        (2015, label, None),
        (2015, label, 4),
        (2015, "Coordination", 12),
        (2015, "Communication", 14),
    ]


def test_a_year_is_parsed_or_refused_in_french(contract):
    assert parse_year(contract, "2015") == (2015, "")
    assert parse_year(contract, None) == (None, "")
    year, message = parse_year(contract, "1789")
    assert year is None and "ne couvre pas 1789" in message


def test_a_line_history_outlives_the_line(contract, django_assert_num_queries):
    line = BudgetLine.objects.filter(contract=contract).first()
    with django_assert_num_queries(2):
        history = line_history(contract, line.pk)
    assert history.line == line
    assert line_history(contract, 10**9).versions == []


def test_the_budget_page_and_its_pdf_read_the_same_report(client, demo, demo_user, monkeypatch):
    import financing.views

    calls = []

    def report(contract, **kwargs):
        calls.append(kwargs)
        return budget_report(contract, **kwargs)

    monkeypatch.setattr(financing.views, "budget_report", report)
    monkeypatch.setattr(financing.views, "render_pdf", lambda template, context: b"%PDF-")
    client.force_login(demo_user("finance"))
    assert client.get("/contracts/cej-loire-2014-2017/budget/?year=2015").status_code == 200
    assert client.get("/contracts/cej-loire-2014-2017/budget/report.pdf?year=2015").content
    from django.utils import timezone

    # Both as of today: the funders' positions (what is due, what is late) follow the date.
    today = timezone.localdate()
    assert calls == [{"year": "2015", "today": today}, {"year": "2015", "today": today}]
