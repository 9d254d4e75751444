"""The budget through the API: each line's financing plan, the plan per year, the funders'
positions — the budget pages' figures to the cent —, the filters and their refusals, the
history of a line, scope, and queries that do not grow with the rows."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cej.models import Contract
from financing.cycle_selectors import contract_cycle
from financing.cycle_services import line_actuals_save
from financing.line_selectors import line_financing
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from financing.selectors import budget_report
from tests.api.financing_helpers import BASE, line_url, token_client

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def finance(demo_user):
    return token_client(demo_user("finance"), read_only=True)


@pytest.fixture
def caf(demo_user):
    return token_client(demo_user("partner-caf"), read_only=True)


def all_lines(client, query: str = "") -> list[dict]:
    response = client.get(f"{BASE}budget-lines/?page_size=200{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def plan_of(plan: dict) -> dict:
    return {
        "expenses": D(plan["expenses"]),
        "receipts": D(plan["other_receipts"]),
        "net_cost": D(plan["net_cost"]),
        "psej": {share["funder"]: D(share["amount"]) for share in plan["psej"]},
        "own": D(plan["beneficiary_share"]),
    }


def test_198_000_euros_allocated_each_year_as_the_budget_page_shows(caf, demo_contract):
    response = caf.get(f"{BASE}financing-plan/")
    assert response.status_code == 200
    body = response.json()
    assert body["annual_envelope"] == "198000.00"
    assert [(y["year"], y["envelope"], y["allocated"], y["remainder"]) for y in body["years"]] == [
        (year, "198000.00", "198000.00", "0.00") for year in (2014, 2015, 2016, 2017)
    ]
    report = budget_report(demo_contract, today=timezone.localdate())
    funders = {f.pk: f.slug for f in report.funders}
    for shown, figures, plan in zip(
        body["years"], report.per_year, report.plan_per_year, strict=True
    ):
        assert D(shown["committed"]) == figures.committed
        assert D(shown["paid"]) == figures.paid
        forecast = plan_of(shown["forecast"])
        assert forecast["net_cost"] == plan.forecast.net_cost
        assert forecast["psej"] == {funders[f]: a for f, a in plan.forecast.psej.items()}
        assert forecast["own"] == plan.forecast.own_share
        assert (shown["lines"], shown["declared"]) == (plan.lines, plan.declared)
        if plan.declared:
            actual = plan_of(shown["actual"])
            assert actual["psej"] == {funders[f]: a for f, a in plan.actual.psej.items()}
            assert actual["own"] == plan.actual.own_share
    assert body["period"]["allocated"] == "792000.00"
    assert [(s["funder"], D(s["forecast"])) for s in body["shares"]] == [
        (funders.get(share.funder_id), share.forecast) for share in report.financing
    ]
    one_year = caf.get(f"{BASE}financing-plan/?year=2015").json()
    assert [y["year"] for y in one_year["years"]] == [2015]
    assert one_year["period"]["envelope"] == "198000.00"
    assert one_year["period"]["allocated"] == "198000.00"


def test_each_line_carries_the_plan_the_budget_page_computes(finance, demo_contract):
    lines = all_lines(finance)
    report = budget_report(demo_contract, today=timezone.localdate())
    assert [line["id"] for line in lines] == [line.pk for line in report.lines]
    funders = {f.pk: f.slug for f in report.funders}
    for shown, figures in zip(lines, report.lines, strict=True):
        assert D(shown["planned"]) == figures.amount
        assert (D(shown["committed"]), D(shown["paid"])) == (figures.committed, figures.paid)
        forecast = plan_of(shown["plan"]["forecast"])
        assert forecast["psej"] == {funders[f]: a for f, a in figures.plan.forecast.psej.items()}
        assert forecast["own"] == figures.plan.forecast.own_share
        if figures.plan.actual is None:
            assert shown["plan"]["actual"] is None
        else:
            actual = plan_of(shown["plan"]["actual"])
            assert actual["psej"] == {funders[f]: a for f, a in figures.plan.actual.psej.items()}
            assert actual["own"] == figures.plan.actual.own_share
    # Per year, the lines add up to the envelope, to the cent.
    for year in (2014, 2015, 2016, 2017):
        assert sum(D(line["planned"]) for line in lines if line["year"] == year) == D("198000")


def test_a_line_reads_as_its_actuals_page_shows_it(finance, demo_contract):
    line = BudgetLine.objects.get(contract=demo_contract, year=2015, post__code="communication")
    response = finance.get(line_url(line))
    assert response.status_code == 200
    shown = response.json()
    financing = line_financing(demo_contract, line)
    forecast = plan_of(shown["plan"]["forecast"])
    assert (forecast["expenses"], forecast["receipts"], forecast["net_cost"]) == (
        financing.forecast.expenses,
        financing.forecast.receipts,
        financing.forecast.net_cost,
    )
    assert [*forecast["psej"].values(), forecast["own"]] == [
        row.amount for row in financing.forecast.shares
    ]
    assert forecast["psej"] == {"caf42": D("17325.00"), "msa-adl": D("1925.00")}
    assert forecast["own"] == D("15750.00")
    assert shown["version"] == line.version
    assert shown["post"] == "communication" and shown["part"] == "cej"
    entries = list(line.entries.order_by("date", "pk"))
    assert [(e["kind"], D(e["amount"])) for e in shown["entries"]] == [
        (e.kind, e.amount) for e in entries
    ]
    assert shown["actual_url"].endswith(line_url(line, "actual/"))


def test_filters_by_year_post_fiche_and_part(finance, demo_contract):
    lines = all_lines(finance)
    assert {line["year"] for line in all_lines(finance, "&year=2015")} == {2015}
    communication = all_lines(finance, "&post=communication")
    assert communication and {line["post"] for line in communication} == {"communication"}
    annex = all_lines(finance, "&part=annex")
    cej = all_lines(finance, "&part=cej")
    assert annex and {line["part"] for line in annex} == {"annex"}
    assert len(annex) + len(cej) == len(lines)
    number = next(line["fiche"] for line in lines if line["fiche"])
    fiche = all_lines(finance, f"&fiche={number}")
    assert fiche and {line["fiche"] for line in fiche} == {number}
    both = all_lines(finance, "&year=2014&part=annex")
    assert {(line["year"], line["part"]) for line in both} == {(2014, "annex")}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("year=deux-mille", "year"),
        ("year=2020", "year"),
        ("year=99999999999999999999", "year"),
        ("post=cuisine", "post"),
        ("part=departement", "part"),
        ("fiche=-1", "fiche"),
        ("fiche=1.5", "fiche"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(finance, query, parameter):
    for path in ("budget-lines/", "financing-plan/", "payments/"):
        if parameter in ("post", "part", "fiche") and path != "budget-lines/":
            continue
        response = finance.get(f"{BASE}{path}?{query}")
        assert response.status_code == 400, (path, query)
        body = response.json()
        assert list(body["errors"]) == [parameter]
        assert f"« {parameter} »" in body["detail"]
    assert finance.get(f"{BASE}payments/?funder=cg42").status_code == 400  # not a funder


def test_a_line_of_another_contract_or_none_is_not_found(finance, demo_contract):
    successor = Contract.objects.get(slug="cej-loire-2018-2021")
    other = BudgetLine.objects.filter(contract=successor).first()
    for pk in (other.pk, 999_999_999):
        for suffix in ("", "versions/"):
            response = finance.get(line_url(pk, suffix))
            assert response.status_code == 404
            assert response.json() == {
                "detail": "Aucune ligne budgétaire n'a cet identifiant dans ce contrat."
            }


def test_out_of_scope_reads_as_a_contract_that_does_not_exist(client, demo, demo_contract):
    from tests.factories import PartnerFactory, UserFactory

    outsider = UserFactory(
        username="caf-rhone",
        partner_user=True,
        partner=PartnerFactory(name="CAF du Rhône", slug="caf69"),
    )
    line = BudgetLine.objects.filter(contract=demo_contract).first()
    api = token_client(outsider)
    for path in ("budget-lines/", "financing-plan/", "payments/"):
        response = api.get(f"{BASE}{path}")
        missing = api.get(f"/api/v1/contracts/cej-inexistant/{path}")
        assert response.status_code == missing.status_code == 404
        assert response.content == missing.content
    assert api.get(line_url(line)).status_code == 404
    assert client.get(f"{BASE}budget-lines/").status_code == 401


def test_the_funders_positions_are_the_money_cycle_pages(caf, demo_contract):
    response = caf.get(f"{BASE}payments/?page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    cycle = contract_cycle(demo_contract, today=timezone.localdate())
    assert len(rows) == len(cycle.positions) == len(cycle.funders) * 4
    slugs = {f.pk: f.slug for f in cycle.funders}
    for row, item in zip(rows, cycle.positions, strict=True):
        position = item.position
        assert (row["funder"], row["year"]) == (slugs[item.funder_id], item.year)
        for name in ("forecast_psej", "advances_received", "owed", "received", "refunded"):
            assert D(row[name]) == getattr(position, name), name
        assert D(row["outstanding"]) == position.outstanding
        assert D(row["to_recover"]) == position.to_recover
        assert row["balance"] == (None if position.balance is None else f"{position.balance:.2f}")
        assert [D(a["amount"]) for a in row["advances"]] == [a.amount for a in position.advances]
        assert [p["id"] for p in row["payments"]] == [p.pk for p in item.payments]
    one = caf.get(f"{BASE}payments/?funder=caf42&year=2016").json()["results"]
    assert [(r["funder"], r["year"]) for r in one] == [("caf42", 2016)]


def test_a_lines_history_names_each_author(finance, demo_contract):
    line = BudgetLine.objects.filter(contract=demo_contract, versions__isnull=False).first()
    response = finance.get(line_url(line, "versions/"))
    assert response.status_code == 200
    versions = response.json()["results"]
    stored = line.versions.order_by("-number")
    assert [v["number"] for v in versions] == [v.number for v in stored]
    assert [v["author"] for v in versions] == [v.author_name for v in stored]
    assert versions[-1]["kind"] == "created"
    assert all(change["field"] for v in versions for change in v["changes"])


def _queries(client, path) -> tuple[int, int]:
    # The answer computed, not kept (api.views_base.KeptPerContractState): the rows below are
    # added around the services, which would mark the contract changed.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json().get("results", []))


def test_queries_do_not_grow_with_the_rows(finance, caf, demo_contract, demo_user):
    for client in (finance, caf):  # the token's first use is recorded once
        client.get(f"{BASE}budget-lines/?page_size=1")
    few = _queries(finance, f"{BASE}budget-lines/?year=2014&page_size=200")
    many = _queries(finance, f"{BASE}budget-lines/?page_size=200")
    line = BudgetLine.objects.get(contract=demo_contract, year=2016, post__code="communication")
    ExecutionEntry.objects.bulk_create(
        ExecutionEntry(line=line, kind=ExecutionKind.COMMITMENT, date="2016-03-01", amount=1)
        for _ in range(20)
    )
    more = _queries(finance, f"{BASE}budget-lines/?page_size=200")
    assert few[1] < many[1]
    assert few[0] == many[0] == more[0]
    assert many[0] <= 12, many
    positions = (
        _queries(caf, f"{BASE}payments/?year=2014"),
        _queries(caf, f"{BASE}payments/?page_size=200"),
    )
    assert positions[0][1] < positions[1][1] and positions[0][0] == positions[1][0] <= 14
    plan = (
        _queries(caf, f"{BASE}financing-plan/?year=2014"),
        _queries(caf, f"{BASE}financing-plan/"),
    )
    assert plan[0][0] == plan[1][0] <= 16
    history = line_url(line, "versions/")
    versions = _queries(finance, history)
    for expenses in ("1000", "2000", "3000"):  # three more versions, by the service
        line_actuals_save(
            line=line,
            actual_expenses=expenses,
            actual_receipts="0",
            by=demo_user("finance"),
        )
    longer = _queries(finance, history)
    assert longer[1] == versions[1] + 3 and longer[0] == versions[0] <= 9


def test_a_deleted_lines_history_stays_readable(finance, demo_user):
    from financing.services import budget_line_delete

    successor = Contract.objects.get(slug="cej-loire-2018-2021")
    line = BudgetLine.objects.filter(contract=successor, entries__isnull=True).first()
    budget_line_delete(line=line, by=demo_user("finance"))
    assert finance.get(line_url(line, slug=successor.slug)).status_code == 404
    response = finance.get(line_url(line, "versions/", slug=successor.slug))
    assert response.status_code == 200
    latest = response.json()["results"][0]
    assert (latest["kind"], latest["changes"]) == ("deleted", [])
    assert latest["author"] == demo_user("finance").get_full_name()
