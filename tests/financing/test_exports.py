"""Budget exports (XLSX, CSV, ODS) parsed back: layout, types, formats, totals to the cent,
the financing plan forecast and actual, the funders' payment positions, formula escaping,
permissions, query counts; and the admin's export."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cej.models import PartyRole
from financing.cycle_selectors import contract_cycle, line_plans
from financing.cycle_services import funder_payment_record, line_actuals_save
from financing.exports import EURO_FORMAT
from financing.models import (
    BudgetLine,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    FunderPayment,
)
from financing.resources import BudgetLineResource, escape_formula, unescape_formula
from financing.spreadsheets import read_table
from tests.factories import (
    BudgetLineFactory,
    ContributionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = "/contracts/cej-loire-2014-2017/budget/"
ROLES = ["admin", "cdaje", "finance", "partner-cg", "partner-caf", "partner-msa"]
EXPORTS = ["export.xlsx", "export.csv", "export.ods", "opendata.csv"]
HEADERS = [
    "Année",
    "Instrument",
    "Code poste",
    "Poste",
    "N° fiche",
    "Fiche",
    "Libellé",
    "Prévu (€)",
    "Autres recettes prévues (€)",
    "Reste à charge prévu (€)",
    "Action antérieure (oui/non)",
    "PSEJ CAF prévue (€)",
    "PSEJ MSA prévue (€)",
    "Part du bénéficiaire prévue (€)",
    "Dépenses réalisées (€)",
    "Autres recettes réalisées (€)",
    "Reste à charge réalisé (€)",
    "PSEJ CAF réalisée (€)",
    "PSEJ MSA réalisée (€)",
    "Part du bénéficiaire réalisée (€)",
    "Engagé (€)",
    "Payé (€)",
]
ACTUAL_HEADERS = HEADERS[14:20]
D = Decimal


@pytest.fixture
def finance_client(client, demo_user):
    client.force_login(demo_user("finance"))
    return client


def db_totals(contract):
    """The forecast columns' totals from the database; the actual ones from the plans."""
    lines = BudgetLine.objects.filter(contract=contract)
    entries = ExecutionEntry.objects.filter(line__contract=contract)
    shares = Contribution.objects.filter(line__contract=contract)
    beneficiary = contract.parties.get(role=PartyRole.BENEFICIARY).partner_id

    def share_of(**filters):
        return sum(shares.filter(**filters).values_list("amount", flat=True), D("0.00"))

    receipts = sum(lines.values_list("other_receipts", flat=True), D("0.00"))
    plans = [p.actual for p in line_plans(contract).values() if p.actual is not None]
    caf, msa = (contract.parties.get(partner__short_name=s).partner_id for s in ("CAF", "MSA"))
    actual = {
        "Dépenses réalisées (€)": sum((p.expenses for p in plans), D("0.00")),
        "Autres recettes réalisées (€)": sum((p.receipts for p in plans), D("0.00")),
        "Reste à charge réalisé (€)": sum((p.net_cost for p in plans), D("0.00")),
        "PSEJ CAF réalisée (€)": sum((p.psej[caf] for p in plans), D("0.00")),
        "PSEJ MSA réalisée (€)": sum((p.psej[msa] for p in plans), D("0.00")),
        "Part du bénéficiaire réalisée (€)": sum((p.own_share for p in plans), D("0.00")),
    }
    return {
        "Prévu (€)": lines.total(),
        "Autres recettes prévues (€)": receipts,
        "Reste à charge prévu (€)": lines.total() - receipts,
        "PSEJ CAF prévue (€)": share_of(partner_id=caf),
        "PSEJ MSA prévue (€)": share_of(partner_id=msa),
        "Part du bénéficiaire prévue (€)": share_of(partner_id=beneficiary),
        **actual,
        "Engagé (€)": entries.filter(kind=ExecutionKind.COMMITMENT).total(),
        "Payé (€)": entries.filter(kind=ExecutionKind.PAYMENT).total(),
    }


def column_sums(headers, rows, parse=D):
    """Each amount column's total; an empty cell (an undeclared actual figure) counts 0."""
    return {
        header: sum((parse(row[i]) for row in rows if row[i] not in (None, "")), D("0.00"))
        for i, header in enumerate(headers)
        if header.endswith("(€)")
    }


def read_xlsx(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_xlsx_lines_sheet_is_typed_formatted_and_adds_up_to_the_cent(finance_client, demo_contract):
    response = finance_client.get(BUDGET + "export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="budget-cej-loire-2014-2017.xlsx"'
    )
    workbook = read_xlsx(response.content)
    assert workbook.sheetnames == ["Lignes budgétaires", "Synthèse", "Versements"]
    sheet = workbook["Lignes budgétaires"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    # 3 lines in 2014, 4 in each year 2015–2017 (fiches 4 and 15 on the annex convention).
    assert len(rows) - 1 == BudgetLine.objects.filter(contract=demo_contract).count() == 15
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:V16"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["F"].width >= 30
    first = sheet[2]
    assert first[0].value == 2014 and isinstance(first[0].value, int)
    assert first[4].value == 12 and isinstance(first[4].value, int)
    for cell in [*first[7:10], *first[11:14], *first[20:]]:
        assert cell.data_type == "n"
        assert cell.number_format == EURO_FORMAT
    assert first[10].value == "oui"  # coordination was in the previous contract
    # The demo declared the actual figures of every line: numbers, formatted as money.
    coordination = BudgetLine.objects.get(
        contract=demo_contract, year=2014, post__code="coordination"
    )
    assert D(str(first[14].value)) == coordination.actual_expenses
    for cell in first[14:20]:
        assert cell.data_type == "n" and cell.number_format == EURO_FORMAT
    assert first[1].value == "CEJ" and first[2].value == "coordination"
    # Ordered by year, then CEJ before the annex convention, then poste order.
    assert [(r[0], r[1], r[2]) for r in rows[1:4]] == [
        (2014, "CEJ", "coordination"),
        (2014, "CEJ", "communication"),
        (2014, "Convention annexe", "accueil-enfants-handicapes"),
    ]
    sums = column_sums(HEADERS, rows[1:], parse=lambda v: D(str(v)))
    assert sums == db_totals(demo_contract)
    assert sums["Prévu (€)"] == D("792000.00")
    # The parts add up to the net cost, line by line.
    for row in rows[1:]:
        assert D(str(row[9])) == D(str(row[7])) - D(str(row[8]))
        assert sum(D(str(v)) for v in row[11:14]) == D(str(row[9]))


@pytest.fixture
def declared(demo, demo_user):
    """The actual figures of 2014's coordination line, declared by a finance officer."""
    line = BudgetLine.objects.get(contract=demo.contract, year=2014, post__code="coordination")
    return line_actuals_save(
        line=line,
        actual_expenses=D("110000.00"),
        actual_receipts=D("2500.00"),
        by=demo_user("finance"),
    )


@pytest.mark.parametrize("extension", ["xlsx", "csv", "ods"])
def test_the_actual_plan_is_exported_once_declared_and_empty_before(
    finance_client, blank_cycle, demo_contract, declared, extension
):
    table = read_table(finance_client.get(BUDGET + f"export.{extension}").content, f"b.{extension}")
    assert table.headers == HEADERS
    rows = [cells + [None] * (len(HEADERS) - len(cells)) for _n, cells in table.rows]
    plan = line_plans(demo_contract)[declared.pk].actual
    caf, msa = (demo_contract.parties.get(partner__short_name=s).partner_id for s in ("CAF", "MSA"))
    parse = (lambda v: D(v.replace(",", "."))) if extension == "csv" else (lambda v: D(str(v)))
    first = rows[0]
    assert [parse(v) for v in first[14:20]] == [
        D("110000.00"),
        D("2500.00"),
        plan.net_cost,
        plan.psej[caf],
        plan.psej[msa],
        plan.own_share,
    ]
    assert plan.net_cost == D("107500.00")
    assert sum([plan.psej[caf], plan.psej[msa], plan.own_share]) == plan.net_cost
    for row in rows[1:]:  # the other lines: nothing declared, nothing shown
        assert all(v in (None, "") for v in row[14:20])
    sums = column_sums(HEADERS, rows, parse=parse)
    assert sums == db_totals(demo_contract)


def test_the_payments_sheet_gives_each_funder_s_position_per_year(
    finance_client, blank_cycle, demo, demo_user, declared
):
    caf = demo.contract.parties.get(partner__short_name="CAF").partner
    funder_payment_record(
        payment=FunderPayment(
            contract=demo.contract,
            funder=caf,
            year=2014,
            kind="advance",
            amount=D("61267.50"),
            received_on=datetime.date(2014, 6, 30),
            reference="M-2014-1",
        ),
        by=demo_user("partner-caf"),
    )
    content = finance_client.get(BUDGET + "export.xlsx").content
    sheet = read_xlsx(content)["Versements"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Financeur",
        "Exercice",
        "PSEJ prévue (€)",
        "PSEJ réalisée (€)",
        "Dû à ce jour (€)",
        "Reçu (€)",
        "Reste à verser (€)",
        "À reverser (€)",
        "Solde dû le",
        "En retard (oui/non)",
    ]
    assert sheet.freeze_panes == "A2"
    cycle = contract_cycle(demo.contract)
    assert len(rows) - 1 == len(cycle.positions) == 8
    for row, funder_year in zip(rows[1:], cycle.positions, strict=True):
        p = funder_year.position
        assert row[:2] == [funder_year.funder, funder_year.year]
        amounts = [None if v is None else D(str(v)) for v in row[2:8]]
        assert amounts == [
            p.forecast_psej,
            p.actual_psej,
            p.owed,
            p.received,
            p.outstanding,
            p.to_recover,
        ]
        assert row[8].date() == p.balance_due_on
        assert row[9] == ("oui" if funder_year.late else "non")
    caf_2014 = rows[1]
    assert caf_2014[0] == "Caisse d'allocations familiales de la Loire"
    assert D(str(caf_2014[5])) == D("61267.50")
    assert sheet["C2"].number_format == EURO_FORMAT and sheet["I2"].number_format == "DD/MM/YYYY"

    book = tablib.Databook()
    book.load(finance_client.get(BUDGET + "export.ods").content, "ods")
    payments = book.sheets()[2]
    assert payments.title == "Versements" and payments.headers == rows[0]
    assert [D(str(r[5])).quantize(D("0.01")) for r in payments] == [
        p.position.received for p in cycle.positions
    ]


def test_xlsx_summary_sheet_gives_each_year_and_a_total_equal_to_the_database(
    finance_client, demo_contract
):
    workbook = read_xlsx(finance_client.get(BUDGET + "export.xlsx").content)
    sheet = workbook["Synthèse"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Année",
        "Enveloppe (€)",
        "Prévu (€)",
        "Reste à allouer (€)",
        "Engagé (€)",
        "Payé (€)",
    ]
    assert sheet.freeze_panes == "A2"
    assert [r[0] for r in rows[1:]] == [2014, 2015, 2016, 2017, "Total"]
    as_decimal = [[D(str(v)) for v in r[1:]] for r in rows[1:]]
    for year, figures in zip(demo_contract.years, as_decimal[:4], strict=True):
        # 198 000 planned and committed every year; paid: what the Département actually spent.
        paid = sum(
            (
                line.actual_expenses
                for line in BudgetLine.objects.filter(contract=demo_contract, year=year)
            ),
            D("0"),
        )
        assert figures == [D("198000"), D("198000"), D("0"), D("198000"), paid]
        assert paid < D("198000")
    total = as_decimal[-1]
    db = db_totals(demo_contract)
    assert total == [
        D("792000"),
        db["Prévu (€)"],
        D("0"),
        db["Engagé (€)"],
        db["Payé (€)"],
    ]
    assert sheet["C6"].number_format == EURO_FORMAT and sheet["C6"].font.bold


def test_csv_follows_the_french_spreadsheet_convention(finance_client, demo_contract):
    response = finance_client.get(BUDGET + "export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('filename="budget-cej-loire-2014-2017.csv"')
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1][:8] == [
        "2014",
        "CEJ",
        "coordination",
        "Coordination",
        "12",
        rows[1][5],
        "",
        "120000,00",
    ]
    sums = column_sums(HEADERS, rows[1:], parse=lambda v: D(v.replace(",", ".")))
    assert sums == db_totals(demo_contract)


def test_ods_has_both_sheets_with_numbers_that_add_up(finance_client, demo_contract):
    response = finance_client.get(BUDGET + "export.ods")
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response["Content-Disposition"].endswith('filename="budget-cej-loire-2014-2017.ods"')
    book = tablib.Databook()
    book.load(response.content, "ods")
    lines, summary, payments = book.sheets()
    assert lines.title == "Lignes budgétaires" and summary.title == "Synthèse"
    assert payments.title == "Versements" and len(payments) == 8
    assert lines.headers == HEADERS
    assert len(lines) == 15
    assert isinstance(lines[0][7], float)  # a number cell, not text
    sums = column_sums(HEADERS, list(lines), parse=lambda v: D(str(v)).quantize(D("0.01")))
    assert sums == db_totals(demo_contract)
    assert summary[-1][0] == "Total"
    assert D(str(summary[-1][2])) == D("792000")


ODF_VALUE_TYPES = {"float", "percentage", "currency", "date", "time", "boolean", "string"}


def test_ods_names_only_styles_it_defines_and_reopens(finance_client, demo_contract):
    """tablib wrote `table:style-name="None"` on every data row and `text:style-name="None"`
    on every text cell (and `office:value-type="void"`, no ODF type): LibreOffice warns, and
    strict readers refuse the file."""
    content = finance_client.get(BUDGET + "export.ods").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("content.xml").decode() + archive.read("styles.xml").decode()
    assert '="None"' not in xml
    defined = set(re.findall(r'style:name="([^"]*)"', xml))
    assert set(re.findall(r'style-name="([^"]*)"', xml)) <= defined
    assert set(re.findall(r'office:value-type="([^"]*)"', xml)) <= ODF_VALUE_TYPES

    table = read_table(content, "budget.ods")  # as the budget import reads it
    assert table.headers == HEADERS
    assert len(table.rows) == BudgetLine.objects.filter(contract=demo_contract).count() == 15
    sums = column_sums(HEADERS, [cells for _number, cells in table.rows])
    assert sums == db_totals(demo_contract)


def _assert_clean_ods(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("content.xml").decode() + archive.read("styles.xml").decode()
    assert '="None"' not in xml
    defined = set(re.findall(r'style:name="([^"]*)"', xml))
    assert set(re.findall(r'style-name="([^"]*)"', xml)) <= defined
    assert set(re.findall(r'office:value-type="([^"]*)"', xml)) <= ODF_VALUE_TYPES
    return xml


def test_the_admins_ods_export_names_no_style_none_either(demo_contract):
    """The admin's export (django-import-export) writes ODS with the budget page's writer."""
    from django.contrib import admin
    from import_export.formats import base_formats

    from financing.ods_writer import StyledODS
    from financing.resources import BudgetLineResource

    formats = admin.site._registry[BudgetLine].get_export_formats()
    assert StyledODS in formats and base_formats.ODS not in formats
    dataset = BudgetLineResource(contract=demo_contract).export()
    xml = _assert_clean_ods(StyledODS().export_data(dataset))
    assert "Coordination" in xml or "communication" in xml.lower()


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://example.invalid","clic")', "+33 4 77", "-1", "@SUM(A1)", "\tx", "\rx"],
)
def test_formula_triggers_are_escaped_and_come_back_intact(text):
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text
    assert escape_formula("Coordination") == "Coordination"
    assert escape_formula(12) == 12


def test_a_formula_in_a_label_is_text_in_every_export(finance_client, demo_contract):
    post = BudgetPost.objects.get(code="communication")
    formula = '=HYPERLINK("http://example.invalid","clic")'
    # Written directly: what is exported matters here, not how a line comes to the budget.
    line = BudgetLineFactory(
        contract=demo_contract, year=2015, post=post, label=formula, amount=D("100")
    )
    ContributionFactory(line=line, partner=demo_contract.parties.first().partner, amount=D("100"))
    escaped = "'" + formula

    sheet = read_xlsx(finance_client.get(BUDGET + "export.xlsx").content)["Lignes budgétaires"]
    cells = [row[6] for row in sheet.iter_rows(min_row=2)]
    hit = [c for c in cells if c.value and "HYPERLINK" in c.value]
    assert len(hit) == 1 and hit[0].value == escaped and hit[0].data_type == "s"

    text = finance_client.get(BUDGET + "export.csv").content.decode("utf-8-sig")
    labels = [r[6] for r in csv.reader(io.StringIO(text, newline=""), delimiter=";")]
    assert escaped in labels and formula not in labels

    book = tablib.Databook()
    book.load(finance_client.get(BUDGET + "export.ods").content, "ods")
    assert escaped in [row[6] for row in book.sheets()[0]]


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("username", ROLES)
def test_every_role_in_scope_may_export(client, demo_user, username, export):
    client.force_login(demo_user(username))
    response = client.get(BUDGET + export)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("export", EXPORTS)
def test_out_of_scope_is_404_and_anonymous_goes_to_login(client, demo, export):
    response = client.get(BUDGET + export)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    outsider = UserFactory(finance=True, territory=TerritoryFactory(code="69", name="Rhône"))
    client.force_login(outsider)
    assert client.get(BUDGET + export).status_code == 404


def _add_lines(contract, count):
    """`count` more lines in 2015–2017 (bulk, bypassing the services: only the query count
    matters here), each with a contribution and a commitment."""
    posts = list(BudgetPost.objects.filter(instrument="cej"))
    fiches = list(contract.fiches.order_by("number"))
    partner = contract.parties.first().partner
    existing = set(
        BudgetLine.objects.filter(contract=contract).values_list("year", "post_id", "fiche_id")
    )
    lines = []
    for year in (2015, 2016, 2017):
        for post in posts:
            for fiche in fiches:
                if len(lines) < count and (year, post.pk, fiche.pk) not in existing:
                    lines.append(
                        BudgetLine(contract=contract, year=year, post=post, fiche=fiche, amount=1)
                    )
    lines = BudgetLine.objects.bulk_create(lines)
    Contribution.objects.bulk_create(
        Contribution(line=line, partner=partner, amount=1) for line in lines
    )
    ExecutionEntry.objects.bulk_create(
        ExecutionEntry(line=line, kind="commitment", date="2015-03-01", amount=1) for line in lines
    )


@pytest.mark.parametrize("export", EXPORTS)
def test_export_query_count_does_not_grow_with_the_lines(finance_client, demo_contract, export):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert finance_client.get(BUDGET + export).status_code == 200
        return len(queries)

    count_queries()  # warm the session and the permission caches
    before = count_queries()
    _add_lines(demo_contract, 30)
    assert BudgetLine.objects.filter(contract=demo_contract).count() == 15 + 30
    assert count_queries() == before


def test_the_resource_without_a_contract_names_each_line_s_contract(demo_contract):
    resource = BudgetLineResource()
    dataset = resource.export()
    assert dataset.headers[0] == "Contrat"
    assert dataset.headers[-2:] == ["Engagé (€)", "Payé (€)"]
    assert len(dataset) == BudgetLine.objects.count()
    # The demo's contract and its successor, whose starting plan carries its 2017 lines.
    assert {row[0] for row in dataset} == {"cej-loire-2014-2017", "cej-loire-2018-2021"}


@pytest.mark.admin_templates
def test_the_admin_exports_budget_lines_with_the_same_resource(client, demo_user, demo_contract):
    client.force_login(demo_user("admin"))
    url = "/admin/financing/budgetline/export/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    xlsx = next(value for value, label in form.fields["format"].choices if str(label) == "xlsx")
    data = {"format": xlsx, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("budgetlineresource_")})
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    sheet = read_xlsx(response.content).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Contrat", "Année", "Instrument")
    assert len(rows) - 1 == BudgetLine.objects.count()
    planned = rows[0].index("Prévu (€)")
    assert sum(D(str(r[planned])) for r in rows[1:]) == BudgetLine.objects.total()
