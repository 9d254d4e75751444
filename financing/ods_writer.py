"""The budget's ODS export, written with odfpy (the budget page's, and the admin's through
django-import-export): real styles — bold header, amounts as numbers shown in euros, column
widths —, never a style named « None » nor the « void » type tablib wrote."""

import datetime
import io
from decimal import Decimal

from import_export.formats import base_formats
from odf.number import DateStyle, Day, Month, Number, NumberStyle, Year
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.teletype import addTextToElement
from odf.text import P

from cej.money import round_money
from financing.exports import (
    KIND_WIDTHS,
    LINES_SHEET,
    PAYMENT_HEADERS,
    PAYMENT_MONEY,
    PAYMENT_WIDTHS,
    PAYMENTS_SHEET,
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    WIDTHS,
    payment_rows,
    year_summary,
)
from financing.resources import MONEY, BudgetLineResource


class _OdsStyles:
    """The automatic styles of the ODS export, each defined once: a bold header, amounts in
    a euro format (« 45 000,00 € », as in the XLSX), a bold total, and column widths. tablib,
    which wrote this export before, named a style « None » on every data row and text
    paragraph, and typed empty cells « void », which is no ODF type: a cell here names a
    style that exists, or none."""

    CHARACTER_CM = 0.2  # a spreadsheet's default character width, near enough

    def __init__(self, document):
        self.document = document
        euro_format = NumberStyle(name="euro-format")
        euro_format.addElement(Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
        euro_format.addElement(NumberText(text="\u00a0€"))
        document.automaticstyles.addElement(euro_format)
        date_format = DateStyle(name="date-format")
        date_format.addElement(Day(style="long"))
        date_format.addElement(NumberText(text="/"))
        date_format.addElement(Month(style="long"))
        date_format.addElement(NumberText(text="/"))
        date_format.addElement(Year(style="long"))
        document.automaticstyles.addElement(date_format)
        bold = {"fontweight": "bold", "fontweightasian": "bold", "fontweightcomplex": "bold"}
        self.header = Style(name="header", family="table-cell")
        self.header.addElement(TextProperties(**bold))
        self.header.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
        self.bold = Style(name="bold", family="table-cell")
        self.bold.addElement(TextProperties(**bold))
        self.euro = Style(name="euro", family="table-cell", datastylename="euro-format")
        self.total = Style(name="total", family="table-cell", datastylename="euro-format")
        self.total.addElement(TextProperties(**bold))
        self.date = Style(name="date", family="table-cell", datastylename="date-format")
        for style in (self.header, self.bold, self.euro, self.total, self.date):
            document.automaticstyles.addElement(style)
        self._columns = {}

    def column(self, width: int):
        """The column style of `width` characters."""
        if width not in self._columns:
            style = Style(name=f"column-{width}", family="table-column")
            style.addElement(
                TableColumnProperties(columnwidth=f"{width * self.CHARACTER_CM:.2f}cm")
            )
            self.document.automaticstyles.addElement(style)
            self._columns[width] = style
        return self._columns[width]


def _ods_cell(value, style=None):
    """A typed cell: numbers as numbers (their display comes from `style`), text as text,
    nothing as an empty cell."""
    if value is None or value == "":
        return TableCell()
    if isinstance(value, datetime.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
        cell.addElement(P(text=value.strftime("%d/%m/%Y")))
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell = TableCell(valuetype="float", value=str(value))
    else:
        cell = TableCell(valuetype="string")
        paragraph = P()
        addTextToElement(paragraph, str(value))  # keeps runs of spaces and line breaks
        cell.addElement(paragraph)
    if style is not None:
        cell.setAttribute("stylename", style)
    return cell


def _ods_money(value, style=None):
    if value is None:  # an actual figure not declared yet
        return TableCell()
    return _ods_cell(round_money(value), style)


def _ods_sheet(document, styles, title, headers, widths, money_at):
    """A sheet with its columns and bold header. Amount columns carry the euro format as
    their cells' default style: one attribute per column, not one per cell (odfpy spends
    more on attributes than on anything else)."""
    sheet = Table(name=title)
    for width, is_money in zip(widths, money_at, strict=True):
        column = TableColumn(stylename=styles.column(width))
        if is_money:
            column.setAttribute("defaultcellstylename", styles.euro)
        sheet.addElement(column)
    header = TableRow()
    for text in headers:
        header.addElement(_ods_cell(text, styles.header))
    sheet.addElement(header)
    document.spreadsheet.addElement(sheet)
    return sheet


def _ods_row(cells):
    row = TableRow()
    for cell in cells:
        row.addElement(cell)
    return row


def build_ods(contract, *, resource=None) -> bytes:
    resource = resource or BudgetLineResource(contract=contract)
    columns = resource.columns()
    document = OpenDocumentSpreadsheet()
    styles = _OdsStyles(document)

    money_at = [c.kind == MONEY for c in columns]
    lines = _ods_sheet(
        document,
        styles,
        LINES_SHEET,
        resource.headers(),
        [WIDTHS.get(c.column_name, KIND_WIDTHS.get(c.kind, 14)) for c in columns],
        money_at,
    )
    for row in resource.rows():
        lines.addElement(
            _ods_row(
                _ods_money(value) if is_money else _ods_cell(value)
                for value, is_money in zip(row, money_at, strict=True)
            )
        )

    summary = _ods_sheet(
        document,
        styles,
        SUMMARY_SHEET,
        SUMMARY_HEADERS,
        [10] + [19] * 5,
        [False] + [True] * 5,
    )
    rows = year_summary(contract)
    for row in rows[:-1]:
        values = row.values()
        summary.addElement(_ods_row([_ods_cell(values[0]), *map(_ods_money, values[1:])]))
    total = rows[-1].values()
    summary.addElement(
        _ods_row(
            [_ods_cell(total[0], styles.bold), *(_ods_money(v, styles.total) for v in total[1:])]
        )
    )

    payments = _ods_sheet(
        document, styles, PAYMENTS_SHEET, PAYMENT_HEADERS, PAYMENT_WIDTHS, PAYMENT_MONEY
    )
    for row in payment_rows(contract):
        payments.addElement(
            _ods_row(
                _ods_money(value)
                if is_money
                else _ods_cell(value, styles.date if isinstance(value, datetime.date) else None)
                for value, is_money in zip(row, PAYMENT_MONEY, strict=True)
            )
        )

    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


class StyledODS(base_formats.ODS):
    """The admin's ODS export (django-import-export), written like the budget page's: tablib's
    writer names a style « None » on every row and types empty cells « void »."""

    def export_data(self, dataset, **kwargs):
        document = OpenDocumentSpreadsheet()
        styles = _OdsStyles(document)
        headers = list(dataset.headers or [])
        sheet = _ods_sheet(
            document,
            styles,
            dataset.title or "Export",
            headers,
            [max(12, min(40, len(str(h)) + 2)) for h in headers],
            [False] * len(headers),
        )
        for row in dataset:
            sheet.addElement(_ods_row(_ods_cell(value) for value in row))
        output = io.BytesIO()
        document.write(output)
        return output.getvalue()
