"""Budget exports of a contract, in the layout of `financing.resources`:

- XLSX: sheet « Lignes budgétaires » with typed cells (years and fiche numbers as integers,
  amounts as numbers in a euro format, an actual figure not declared yet as an empty cell),
  bold frozen header, widths, autofilter; sheet « Synthèse » with, per year, the envelope,
  planned, remainder, committed and paid, and a total row; sheet « Versements » with each
  funder's position per year (`financing.cycle_selectors.contract_cycle`): its PSEJ forecast
  and actual, what it owes so far, has paid, has still to pay, and what is to be recovered
  from the beneficiary. Written by openpyxl in write-only mode: rows stream from one query.
- CSV: one table, the lines, in the French spreadsheet convention — `;` separator, decimal
  comma without grouping, UTF-8 with a byte order mark (so that Excel reads the accents),
  CRLF line ends; an undeclared actual figure is an empty cell.
- ODS: the same three sheets, written by odfpy: bold header, amounts as numbers in a euro
  format, dates as dates, column widths.

Amounts are rounded by `cej.money.round_money` only; text cells are escaped against formula
injection by the resource. The open-data export lives in `financing.opendata`."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cej.money import round_money
from financing.cycle_selectors import contract_cycle
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from financing.querysets import money_sum
from financing.resources import INT, MONEY, BudgetLineResource

LINES_SHEET = "Lignes budgétaires"
SUMMARY_SHEET = "Synthèse"
SUMMARY_HEADERS = [
    "Année",
    "Enveloppe (€)",
    "Prévu (€)",
    "Reste à allouer (€)",
    "Engagé (€)",
    "Payé (€)",
]
PAYMENTS_SHEET = "Versements"
PAYMENT_HEADERS = [
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
PAYMENT_WIDTHS = [36, 10, 17, 17, 17, 17, 17, 17, 13, 11]
PAYMENT_MONEY = [False, False, True, True, True, True, True, True, False, False]
PAYMENT_DATE_AT = 8
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Column widths (in characters) by header, else by kind: wide enough for the demo's texts.
WIDTHS = {
    "Contrat": 24,
    "Instrument": 18,
    "Code poste": 26,
    "Poste": 34,
    "Fiche": 44,
    "Libellé": 40,
}
KIND_WIDTHS = {INT: 9, MONEY: 17}


def export_filename(contract, extension: str) -> str:
    return f"budget-{contract.slug}.{extension}"


@dataclass
class SummaryRow:
    """One year (or the total) of the « Synthèse » sheet."""

    label: str | int
    envelope: Decimal
    planned: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.planned

    def values(self) -> list:
        return [
            self.label,
            self.envelope,
            self.planned,
            self.remaining,
            self.committed,
            self.paid,
        ]


def year_summary(contract) -> list[SummaryRow]:
    """Per year of the contract, then a total row; sums by the database (two queries)."""
    planned = dict(
        BudgetLine.objects.filter(contract=contract)
        .order_by()
        .values("year")
        .annotate(total=money_sum("amount"))
        .values_list("year", "total")
    )
    execution = {
        row["line__year"]: row
        for row in ExecutionEntry.objects.filter(line__contract=contract)
        .order_by()
        .values("line__year")
        .annotate(
            committed=money_sum("amount", kind=ExecutionKind.COMMITMENT),
            paid=money_sum("amount", kind=ExecutionKind.PAYMENT),
        )
    }
    zero = round_money(0)
    rows = [
        SummaryRow(
            label=year,
            envelope=contract.annual_envelope,
            planned=planned.get(year, zero),
            committed=execution.get(year, {}).get("committed", zero),
            paid=execution.get(year, {}).get("paid", zero),
        )
        for year in contract.years
    ]
    rows.append(
        SummaryRow(
            label="Total",
            envelope=sum((r.envelope for r in rows), zero),
            planned=sum((r.planned for r in rows), zero),
            committed=sum((r.committed for r in rows), zero),
            paid=sum((r.paid for r in rows), zero),
        )
    )
    return rows


def payment_rows(contract, *, today: datetime.date | None = None) -> list[list]:
    """The « Versements » sheet: one row per funder and year, in the funders' order. The
    actual PSEJ is empty until every line of the year is declared; « Dû à ce jour » is what
    has fallen due (the advances, then the actual PSEJ: rules C2–C3 of `financing.cycle`)."""
    rows = []
    for funder_year in contract_cycle(contract, today=today).positions:
        position = funder_year.position
        rows.append(
            [
                funder_year.funder,
                funder_year.year,
                position.forecast_psej,
                position.actual_psej,
                position.owed,
                position.received,
                position.outstanding,
                position.to_recover,
                position.balance_due_on,
                "oui" if funder_year.late else "non",
            ]
        )
    return rows


# XLSX ---------------------------------------------------------------------------------


class _XlsxStyles:
    """Cell styles of one write-only sheet, built once: a styled WriteOnlyCell per amount
    is the export's main cost, so each copies a ready-made style rather than resolving it."""

    def __init__(self, sheet):
        self.sheet = sheet
        euro = WriteOnlyCell(sheet, 0)
        euro.number_format = EURO_FORMAT
        self._euro = euro._style
        header = WriteOnlyCell(sheet, "")
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        self._header = header._style
        total = WriteOnlyCell(sheet, 0)
        total.font = Font(bold=True)
        total.number_format = EURO_FORMAT
        self._total = total._style
        bold = WriteOnlyCell(sheet, "")
        bold.font = Font(bold=True)
        self._bold = bold._style
        day = WriteOnlyCell(sheet, datetime.date(2000, 1, 1))
        day.number_format = DATE_FORMAT
        self._date = day._style

    def _cell(self, value, style):
        cell = WriteOnlyCell(self.sheet, value)
        cell._style = style  # shared, never mutated: the writer only reads it
        return cell

    def header(self, text):
        return self._cell(text, self._header)

    def euro(self, value):
        if value is None:  # an actual figure not declared yet
            return None
        return self._cell(round_money(value), self._euro)

    def date(self, value):
        return self._cell(value, self._date)

    def total(self, value):
        return self._cell(round_money(value), self._total)

    def bold(self, value):
        return self._cell(value, self._bold)


def _prepare_sheet(sheet, headers, widths, styles):
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([styles.header(text) for text in headers])


def build_xlsx(contract, *, resource=None) -> bytes:
    resource = resource or BudgetLineResource(contract=contract)
    columns = resource.columns()
    workbook = Workbook(write_only=True)

    lines = workbook.create_sheet(LINES_SHEET)
    styles = _XlsxStyles(lines)
    _prepare_sheet(
        lines,
        resource.headers(),
        [WIDTHS.get(c.column_name, KIND_WIDTHS.get(c.kind, 14)) for c in columns],
        styles,
    )
    money_at = [c.kind == MONEY for c in columns]
    count = 0
    for row in resource.rows():
        lines.append(
            [
                styles.euro(value) if is_money else value
                for value, is_money in zip(row, money_at, strict=True)
            ]
        )
        count += 1
    lines.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    summary = workbook.create_sheet(SUMMARY_SHEET)
    summary_styles = _XlsxStyles(summary)
    _prepare_sheet(summary, SUMMARY_HEADERS, [10] + [19] * 5, summary_styles)
    rows = year_summary(contract)
    for row in rows[:-1]:
        summary.append([row.label, *(summary_styles.euro(v) for v in row.values()[1:])])
    total = rows[-1]
    summary.append(
        [summary_styles.bold(total.label), *(summary_styles.total(v) for v in total.values()[1:])]
    )

    payments = workbook.create_sheet(PAYMENTS_SHEET)
    payment_styles = _XlsxStyles(payments)
    _prepare_sheet(payments, PAYMENT_HEADERS, PAYMENT_WIDTHS, payment_styles)
    for row in payment_rows(contract):
        cells = [
            payment_styles.euro(value) if is_money else value
            for value, is_money in zip(row, PAYMENT_MONEY, strict=True)
        ]
        cells[PAYMENT_DATE_AT] = payment_styles.date(row[PAYMENT_DATE_AT])
        payments.append(cells)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# CSV ----------------------------------------------------------------------------------


def french_decimal(value) -> str:
    """`Decimal("45000")` → `45000,00`: the French spreadsheet convention, no grouping; an
    actual figure not declared yet (None) is an empty cell."""
    if value is None:
        return ""
    return str(round_money(value)).replace(".", ",")


def build_csv(contract, *, resource=None) -> bytes:
    resource = resource or BudgetLineResource(contract=contract)
    money_at = [c.kind == MONEY for c in resource.columns()]
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(resource.headers())
    for row in resource.rows():
        writer.writerow(
            [
                french_decimal(value) if is_money else ("" if value is None else value)
                for value, is_money in zip(row, money_at, strict=True)
            ]
        )
    return output.getvalue().encode("utf-8")


# ODS ----------------------------------------------------------------------------------
