"""The budget workbook's layout, defined once as a django-import-export resource and shared by
the budget page's exports (XLSX, CSV, ODS), its import, and the admin's export.

Sheet « Lignes budgétaires », one row per budget line, ordered by year, instrument (CEJ
first), *poste* order and fiche number:

    Année | Instrument | Code poste | Poste | N° fiche | Fiche | Libellé | Prévu (€)
    | Contribution <partie> (€) … (one per contract party, in party order)
    | Engagé (€) | Payé (€)

A line's natural key is (Année, Code poste, N° fiche). Instrument, Poste, Fiche, Engagé and
Payé are informative: the import ignores them. The headers are a file format, not interface
text, so they are not translated. Without a contract (the admin's export across contracts) a
leading « Contrat » column names each line's contract and every partner gets a column.

Values are native (int, Decimal, str): each writer types or formats them. Text that a
spreadsheet would run as a formula (leading =, +, -, @, tab or carriage return) is prefixed
with an apostrophe here, so every export is escaped; the import removes that apostrophe.
Control characters, which no workbook can hold, are dropped here too."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from import_export import fields, resources, widgets

from cej.html import strip_unprintable
from financing.models import BudgetLine, Contribution
from partners.models import Partner

TEXT, INT, MONEY = "text", "int", "money"
CEJ_LABEL = "CEJ"
ANNEX_LABEL = "Convention annexe"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


def escape_formula(value):
    """`=HYPERLINK(…)` → `'=HYPERLINK(…)`: shown as text, never run, by any spreadsheet.
    Characters no workbook can hold (a control character pasted into a title) are dropped:
    the export must be written whatever the text."""
    if not isinstance(value, str):
        return value
    value = strip_unprintable(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """The import's inverse of `escape_formula`, so that an exported text comes back intact."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def contribution_header(label: str) -> str:
    return f"Contribution {strip_unprintable(label)} (€)"


def partner_labels(partners) -> dict[int, str]:
    """Each partner's name in its column header: its short name, or its full name where two
    partners share a short name (headers must stay unique)."""
    shorts = [p.short_name or p.name for p in partners]
    return {
        p.pk: (short if shorts.count(short) == 1 else p.name)
        for p, short in zip(partners, shorts, strict=True)
    }


def instrument_label(annex_convention_id) -> str:
    return CEJ_LABEL if annex_convention_id is None else ANNEX_LABEL


class Column(fields.Field):
    """A column of the layout. `attribute` is the value's name in the export query's rows;
    `kind` types it (text, int, money); `role` tells the import what to do with it: `key`
    and `data` are read, `info` is ignored, `contribution` carries `partner`'s share."""

    WIDGETS = {
        TEXT: widgets.CharWidget,
        INT: widgets.IntegerWidget,
        MONEY: widgets.DecimalWidget,
    }

    def __init__(self, attribute, header, *, kind=TEXT, role="info", convert=None, partner=None):
        super().__init__(
            attribute=attribute,
            column_name=header,
            widget=self.WIDGETS[kind](coerce_to_string=False),
            readonly=True,
        )
        self.kind = kind
        self.role = role
        self.convert = convert
        self.partner = partner

    def value_of(self, row):
        """The cell's value from a row of the export query (a dict), or from a line."""
        value = row[self.attribute] if isinstance(row, dict) else self.get_value(row)
        if self.convert is not None:
            return self.convert(value)
        if value is None:
            return "" if self.kind == TEXT else (ZERO if self.kind == MONEY else None)
        return escape_formula(value) if self.kind == TEXT else value


class BudgetLineResource(resources.ModelResource):
    """*Lignes budgétaires* of one contract (or of all, for the admin) in the workbook
    layout. `rows()` streams them; `export()` (django-import-export) gathers them in a
    tablib Dataset."""

    contract_slug = Column("contract__slug", "Contrat")
    year = Column("year", "Année", kind=INT, role="key")
    instrument = Column("annex_convention_id", "Instrument", convert=instrument_label)
    post_code = Column("post__code", "Code poste", role="key")
    post_label = Column("post__label", "Poste")
    fiche_number = Column("fiche__number", "N° fiche", kind=INT, role="key")
    fiche_title = Column("fiche__title", "Fiche")
    label = Column("label", "Libellé", role="data")
    amount = Column("amount", "Prévu (€)", kind=MONEY, role="data")
    committed = Column("committed", "Engagé (€)", kind=MONEY)
    paid = Column("paid", "Payé (€)", kind=MONEY)

    class Meta:
        model = BudgetLine
        fields = (
            "contract_slug",
            "year",
            "instrument",
            "post_code",
            "post_label",
            "fiche_number",
            "fiche_title",
            "label",
            "amount",
            "committed",
            "paid",
        )
        # Rows are plain dicts streamed from one query; fetch them in large chunks.
        chunk_size = 2000

    def __init__(self, contract=None, partners=None, **kwargs):
        super().__init__(**kwargs)
        self.contract = contract
        if partners is None:
            partners = (
                [party.partner for party in contract.parties.select_related("partner")]
                if contract is not None
                else list(Partner.objects.order_by("name"))
            )
        self.partners = partners
        labels = partner_labels(partners)
        contribution_names = []
        for partner in partners:
            name = f"contribution_{partner.pk}"
            self.fields[name] = Column(
                name,
                contribution_header(labels[partner.pk]),
                kind=MONEY,
                role="contribution",
                partner=partner,
            )
            contribution_names.append(name)
        before, after = (
            ["year", "instrument", "post_code", "post_label", "fiche_number"],
            [
                "fiche_title",
                "label",
                "amount",
                *contribution_names,
                "committed",
                "paid",
            ],
        )
        self._order = (["contract_slug"] if contract is None else []) + before + after
        if contract is not None:
            del self.fields["contract_slug"]
        self._columns_cache = {}

    def get_export_order(self):
        return tuple(self._order)

    def named_columns(self) -> list[tuple[str, Column]]:
        return [(name, self.fields[name]) for name in self._order]

    def columns(self) -> list[Column]:
        return [self.fields[name] for name in self._order]

    def headers(self) -> list[str]:
        return [column.column_name for column in self.columns()]

    def get_queryset(self):
        queryset = BudgetLine.objects.all()
        if self.contract is not None:
            queryset = queryset.filter(contract=self.contract)
        return queryset

    def filter_export(self, queryset, **kwargs):
        """One query whatever the number of lines: contributions and execution come as
        subqueries, rows as dicts."""
        if "committed" not in queryset.query.annotations:
            queryset = queryset.with_execution()
        contributions = {
            f"contribution_{partner.pk}": Coalesce(
                Subquery(
                    Contribution.objects.filter(line=OuterRef("pk"), partner_id=partner.pk)
                    .order_by()
                    .values("amount")[:1],
                    output_field=MONEY_FIELD,
                ),
                Value(ZERO, output_field=MONEY_FIELD),
            )
            for partner in self.partners
        }
        queryset = queryset.annotate(
            **contributions,
            instrument_rank=Case(
                When(annex_convention__isnull=True, then=Value(0)), default=Value(1)
            ),
        ).order_by(
            *(["contract__slug"] if self.contract is None else []),
            "year",
            "instrument_rank",
            "post__order",
            "post__label",
            F("fiche__number").asc(nulls_first=True),
            "pk",
        )
        keys = [self.fields[name].attribute for name in self._order]
        return queryset.values(*dict.fromkeys(keys))

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # get_field_name() would scan every field for every cell: 50 000 lines make it
        # the export's bottleneck. The columns are resolved once per export instead.
        key = tuple(selected_fields) if selected_fields else None
        columns = self._columns_cache.get(key)
        if columns is None:
            columns = self._columns_cache[key] = self.get_export_fields(selected_fields)
        return [column.value_of(instance) for column in columns]

    def rows(self, queryset=None):
        """Stream the layout's rows (lists of native values), without building a Dataset."""
        queryset = self.filter_export(self.get_queryset() if queryset is None else queryset)
        for row in self.iter_queryset(queryset):
            yield self.export_resource(row)
