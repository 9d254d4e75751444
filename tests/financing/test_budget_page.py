import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from financing.charts import execution_chart, split_chart
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from financing.selectors import budget_report
from tests.factories import (
    BudgetLineFactory,
    ContractFactory,
    ContributionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = "/contracts/cej-loire-2014-2017/budget/"
ROLES = ["admin", "cdaje", "finance", "partner-cg", "partner-caf", "partner-msa"]
D = Decimal


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_the_report_adds_up_per_year_and_for_the_period(demo_contract):
    """Every year 120 000 (coordination) + 38 000 (communication) + 40 000 on the annex
    convention: fiche 4 in 2014, then fiches 4 and 15 (25 000 + 15 000, avenant n° 1)."""
    report = budget_report(demo_contract)
    assert [(f.label, f.planned, f.remaining) for f in report.per_year] == [
        (str(year), D("198000.00"), D("0.00")) for year in range(2014, 2018)
    ]
    assert report.total.planned == D("792000.00") == report.total.committed
    # The Département paid what it actually spent on each line (its actual expenses).
    actual = sum(
        (line.actual_expenses for line in BudgetLine.objects.filter(contract=demo_contract)),
        D("0.00"),
    )
    assert report.total.paid == actual < report.total.committed
    assert {f.label: f.planned for f in report.by_post} == {
        "Coordination": D("480000.00"),
        "Communication": D("152000.00"),
        "Dispositif d'accueil d'enfants handicapés dans les crèches": D("160000.00"),
    }
    assert {f.label: f.planned for f in report.by_instrument} == {
        "Contrat enfance jeunesse": D("632000.00"),
        "Convention annexe": D("160000.00"),
    }
    # « Financement prévisionnel »: the funders' PSEJ and the beneficiary's share make the
    # net cost (792 000 less 16 000 of other receipts).
    assert sum(s.forecast for s in report.financing) == D("776000.00")
    assert report.plan_total.forecast.net_cost == D("776000.00")
    assert [o.label for o in report.by_objective] == ["Objectif 1", "Objectif 3"]
    assert report.overruns == []


def test_one_year_narrows_the_breakdowns(demo_contract):
    report = budget_report(demo_contract, year="2015")
    assert report.year == 2015 and report.error == ""
    assert report.total.planned == D("198000.00")
    assert len(report.lines) == 4  # coordination, communication, fiches 4 and 15
    assert report.total.envelope == D("198000.00")
    assert {line.year for line in report.lines} == {2015}
    assert report.per_year[0].planned == D("198000.00")  # the years stay whole


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2030", "Le contrat ne couvre pas 2030 (il couvre 2014–2017)"),
        ("deux-mille", "« deux-mille » n'est pas une année"),
    ],
)
def test_a_bad_year_is_explained_and_the_period_shown(demo_contract, raw, message):
    report = budget_report(demo_contract, year=raw)
    assert report.year is None
    assert message in report.error


def test_overruns_are_reported_not_hidden(demo_contract):
    line = BudgetLine.objects.get(contract=demo_contract, year=2016, post__code="communication")
    # Recorded by another path than the validated services (e.g. a legacy import).
    ExecutionEntry.objects.create(
        line=line, kind=ExecutionKind.COMMITMENT, date=datetime.date(2016, 9, 1), amount=500
    )
    report = budget_report(demo_contract)
    assert any(
        "engagé 38\u202f500,00\u00a0€ pour 38\u202f000,00\u00a0€" in m for m in report.overruns
    )


def test_the_execution_chart_is_valid_accessible_svg(demo_contract):
    report = budget_report(demo_contract)
    report.per_year[1].planned = D("158000.00")  # a year planned below the others
    svg = execution_chart(report.per_year, envelope=demo_contract.annual_envelope)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    desc = root.find("s:desc", ns).text
    assert "2014 : prévu 198\u202f000,00\u00a0€" in desc
    assert "2015 : prévu 158\u202f000,00\u00a0€" in desc
    bars = [r for r in root.findall("s:rect", ns) if r.find("s:title", ns) is not None]
    assert len(bars) == 4 * 3
    heights = {r.find("s:title", ns).text: float(r.get("height")) for r in bars}
    assert (
        heights["2014 — Prévu : 198\u202f000,00\u00a0€"]
        > heights["2015 — Prévu : 158\u202f000,00\u00a0€"]
    )


def test_the_split_chart_escapes_labels(demo_contract):
    report = budget_report(demo_contract)
    report.by_post[0].label = "<script>alert(1)</script>"
    svg = split_chart(report.by_post)
    ET.fromstring(svg)
    assert "<script>" not in svg


@pytest.mark.parametrize(("width", "label_lines"), [(940, 1), (680, 2)])
def test_the_split_chart_wraps_long_labels_instead_of_cutting_them(
    demo_contract, width, label_lines
):
    """The budget page draws it at its card's width, the report PDF at its page's."""
    report = budget_report(demo_contract)
    root = ET.fromstring(split_chart(report.by_post, width=width))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("viewBox").startswith(f"0 0 {width} ")
    labels = [t for t in root.findall("s:text", ns) if t.findall("s:tspan", ns)]
    words = [" ".join(span.text for span in t.findall("s:tspan", ns)) for t in labels]
    assert "Dispositif d'accueil d'enfants handicapés dans les crèches" in words
    assert not any("…" in w for w in words)
    longest = max(labels, key=lambda t: len(t.findall("s:tspan", ns)))
    assert len(longest.findall("s:tspan", ns)) == label_lines


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_scope_sees_the_budget(client, demo, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(BUDGET)
    assert response.status_code == 200
    text = text_of(response)
    assert "non encore alloué" not in text  # 198 000,00 € allocated in every year
    assert "792\u202f000,00\u00a0€" in text


def test_out_of_scope_and_anonymous(client, demo):
    assert client.get(BUDGET).status_code == 302
    client.force_login(UserFactory(finance=True, territory=ContractFactory().territory))
    assert client.get(BUDGET).status_code == 404


def test_budget_page_queries_do_not_grow_with_lines(
    client, demo, demo_contract, demo_user, django_assert_max_num_queries
):
    from fiches.models import Fiche
    from partners.models import Partner

    client.force_login(demo_user("finance"))
    # 15, and one for the header's unread count (notifications).
    with django_assert_max_num_queries(16) as baseline:
        client.get(BUDGET)
    baseline_count = len(baseline.captured_queries)
    caf = Partner.objects.get(kind="caf")
    coordination = BudgetLine.objects.filter(post__code="coordination").first().post
    # Written directly: the signed contract's lines change only through an avenant, and
    # 2015 is fully allocated (the overrun they make is reported, in the same queries).
    for fiche in Fiche.objects.filter(contract=demo_contract, number__lte=8):
        line = BudgetLineFactory(
            contract=demo_contract, year=2015, post=coordination, fiche=fiche, amount=D("100")
        )
        ContributionFactory(line=line, partner=caf, amount=D("100"))
    with django_assert_max_num_queries(baseline_count):
        response = client.get(BUDGET)
    # The demo's 15 lines (3 in 2014, 4 in each year 2015–2017) and these 8.
    assert len(response.context["report"].lines) == 15 + 8


def test_controls_follow_the_budget_permissions(client, contract_in_preparation, demo_user):
    client.force_login(demo_user("finance"))
    text = text_of(client.get(BUDGET))
    assert "Nouvelle ligne" in text and "Importer un classeur" in text
    assert "Engager / payer" in text and "Classeur Excel (XLSX)" in text
    client.force_login(demo_user("partner-caf"))
    text = text_of(client.get(BUDGET))
    assert "Nouvelle ligne" not in text and "Importer" not in text
    assert "Engager / payer" not in text and "Modifier" not in text
    assert "Classeur Excel (XLSX)" in text and "Historique" in text


def test_on_the_signed_contract_the_budget_offers_execution_not_planning(client, demo, demo_user):
    client.force_login(demo_user("finance"))
    text = text_of(client.get(BUDGET))
    assert "Engager / payer" in text and "Classeur Excel (XLSX)" in text
    assert "Nouvelle ligne" not in text and "Importer" not in text and "Modifier" not in text


# --- the financing plan and the payment position ----------------------------------------------


def test_the_budget_page_shows_the_financing_plan_and_the_payments(
    client, demo, demo_user, blank_cycle
):
    client.force_login(demo_user("partner-caf"))
    response = client.get(BUDGET)
    text = text_of(response)
    assert "Par partenaire (contributions)" not in text
    assert "Financement prévisionnel" in text
    assert "Part du bénéficiaire (Département de la Loire)" in text
    assert "Plan de financement par année, prévu et réalisé" in text
    assert "PSEJ CAF" in text and "PSEJ MSA" in text
    assert "87\u202f525,00\u00a0€" in text  # the CAF's forecast PSEJ in 2014
    assert "Réalisé non encore déclaré." in text
    assert "Versements des financeurs" in text
    # Today is after every date of 2014–2017: nothing received, every advance is late, in
    # words and with its class.
    assert "61\u202f267,50\u00a0€ (70 %) dû le 30 juin 2014 en retard" in text
    assert 'class="cell-late"' in response.content.decode()
    assert "/budget/payments/" in response.content.decode()


def test_the_positions_follow_the_payments_and_the_actuals(client, demo, demo_user, blank_cycle):
    import datetime

    from financing import cycle_services
    from financing.models import FunderPayment
    from partners.models import Partner

    caf = Partner.objects.get(slug="caf42")
    cycle_services.funder_payment_record(
        payment=FunderPayment(
            contract=demo.contract,
            funder=caf,
            year=2014,
            kind="advance",
            amount=D("61267.50"),
            received_on=datetime.date(2014, 7, 2),
            reference="Mandat 118",
        ),
        by=demo_user("partner-caf"),
    )
    for line in BudgetLine.objects.filter(contract=demo.contract, year=2014):
        cycle_services.line_actuals_save(
            line=line,
            actual_expenses=line.amount,
            actual_receipts=line.other_receipts,
            by=demo_user("finance"),
        )
    report = budget_report(demo.contract, year="2014", today=datetime.date(2015, 5, 1))
    caf_2014 = next(p for p in report.positions if p.funder_id == caf.pk)
    position = caf_2014.position
    # Actuals as forecast: the actual PSEJ is the forecast one, the balance the remaining 30 %.
    assert position.actual_psej == D("87525.00")
    assert position.balance == D("26257.50") == position.outstanding
    assert position.received == D("61267.50") and not position.balance_late
    assert report.plan_total.complete
    assert report.financing[0].actual == D("87525.00")
    client.force_login(demo_user("finance"))
    text = text_of(client.get(BUDGET + "?year=2014"))
    assert "26\u202f257,50\u00a0€" in text


def test_the_budget_page_reads_the_same_queries_with_one_or_many_payments(
    client, blank_cycle, demo_contract, demo_user, django_assert_num_queries
):
    import datetime

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from financing.models import FunderPayment, SupportingDocument
    from partners.models import Partner

    caf = Partner.objects.get(slug="caf42")
    msa = Partner.objects.get(slug="msa-adl")
    FunderPayment.objects.create(
        contract=demo_contract,
        funder=caf,
        year=2014,
        kind="advance",
        amount=D("10"),
        received_on=datetime.date(2014, 7, 1),
        reference="M0",
    )
    client.force_login(demo_user("finance"))
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(BUDGET)
    for year in demo_contract.years:
        for funder in (caf, msa):
            for n in range(4):
                FunderPayment.objects.create(
                    contract=demo_contract,
                    funder=funder,
                    year=year,
                    kind="advance",
                    amount=D("5"),
                    received_on=datetime.date(year, 7, 1),
                    reference=f"M{n}",
                )
            SupportingDocument.objects.create(
                contract=demo_contract,
                funder=funder,
                year=year,
                kind="activity",
                received_on=datetime.date(year + 1, 4, 1),
            )
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(BUDGET)
    assert response.status_code == 200
    assert len(one.captured_queries) <= 16  # 15, and the header's unread count (notifications)
