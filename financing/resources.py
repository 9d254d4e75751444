"""The budget workbook's layout, defined once as a django-import-export resource and shared by
the budget page's exports (XLSX, CSV, ODS), its import, and the admin's export.

Sheet « Lignes budgétaires », one row per budget line — its financing plan, forecast then
actual —, ordered by year, instrument (CEJ first), *poste* order and fiche number:

    Année | Instrument | Code poste | Poste | N° fiche | Fiche | Libellé
    | Prévu (€) | Autres recettes prévues (€) | Reste à charge prévu (€)
    | Action antérieure (oui/non)
    | PSEJ <financeur> prévue (€) … (one per funder, named by its short name)
    | Part du bénéficiaire prévue (€)
    | Dépenses réalisées (€) | Autres recettes réalisées (€) | Reste à charge réalisé (€)
    | PSEJ <financeur> réalisée (€) … | Part du bénéficiaire réalisée (€)
    | Engagé (€) | Payé (€)

A line's natural key is (Année, Code poste, N° fiche). Each column has a role for the
import: `key` and `data` are read (the forecast the finance officer plans); `info`
(Instrument, Poste, Fiche, Engagé, Payé) is ignored; `computed` (the net cost, each funder's
PSEJ, the beneficiary's share: `financing.psej` computes them from the contract's funding
terms) is ignored and recomputed; `actual` (the *réalisé*, empty until declared) is ignored:
the actual figures are declared line by line, as execution. The headers are a file format,
not interface text, so they are not translated. Without a contract (the admin's export
across contracts) a leading « Contrat » column names each line's contract and every funder
of any contract gets its columns.

Values are native (int, Decimal, str, None for an undeclared actual figure): each writer
types or formats them. Text that a spreadsheet would run as a formula (leading =, +, -, @,
tab or carriage return) is prefixed with an apostrophe here, so every export is escaped; the
import removes that apostrophe. Control characters, which no workbook can hold, are dropped
here too."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from import_export import fields, resources, widgets

from cej.html import strip_unprintable
from cej.models import ContractParty, PartyRole
from financing import psej
from financing.models import BudgetLine, Contribution, FundingTerms, Instrument
from financing.terms import ContractTerms, contract_terms
from partners.models import Partner

TEXT, INT, MONEY = "text", "int", "money"
# What the import does with a column (see the module's docstring).
KEY, DATA, INFO, COMPUTED, ACTUAL = "key", "data", "info", "computed", "actual"
CEJ_LABEL = "CEJ"
ANNEX_LABEL = "Convention annexe"
YES, NO = "oui", "non"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")
# The headers of the previous layout, where each partner's contribution was typed: an import
# that finds one is refused with what changed (`financing.import_checks`).
OLD_CONTRIBUTION_PREFIX = "Contribution "


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


def forecast_psej_header(label: str) -> str:
    return f"PSEJ {strip_unprintable(label)} prévue (€)"


def actual_psej_header(label: str) -> str:
    return f"PSEJ {strip_unprintable(label)} réalisée (€)"


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


def yes_no(value) -> str:
    return YES if value else NO


def contract_funders(contract) -> list[Partner]:
    """The partners that fund `contract` (or any contract, without one), in party order."""
    if contract is None:
        return list(
            Partner.objects.filter(contract_parties__role=PartyRole.FUNDER)
            .distinct()
            .order_by("name")
        )
    return [
        party.partner
        for party in contract.parties.filter(role=PartyRole.FUNDER)
        .select_related("partner")
        .order_by("order", "partner__name")
    ]


def all_contract_terms() -> dict[int, ContractTerms]:
    """Every contract's terms (two queries), for the export across contracts."""
    parties: dict[int, list] = {}
    for contract_id, partner_id, role in ContractParty.objects.order_by(
        "contract_id", "order", "partner__name"
    ).values_list("contract_id", "partner_id", "role"):
        parties.setdefault(contract_id, []).append((partner_id, role))
    terms: dict[int, dict[str, list]] = {}
    for row in FundingTerms.objects.order_by("contract_id", "instrument", "funder__name"):
        terms.setdefault(row.contract_id, {}).setdefault(row.instrument, []).append(
            psej.FunderTerms.of(row)
        )
    return {
        contract_id: ContractTerms(
            beneficiary_id=next(
                (pid for pid, role in roles if role == PartyRole.BENEFICIARY), None
            ),
            funder_ids=tuple(pid for pid, role in roles if role == PartyRole.FUNDER),
            by_instrument={k: tuple(v) for k, v in terms.get(contract_id, {}).items()},
        )
        for contract_id, roles in parties.items()
    }


class Column(fields.Field):
    """A column of the layout. `attribute` is the value's name in the export query's rows;
    `kind` types it (text, int, money); `role` tells the import what to do with it (key,
    data, info, computed, actual); `optional`: an empty value stays empty (an actual figure
    not declared yet) rather than 0,00."""

    WIDGETS = {
        TEXT: widgets.CharWidget,
        INT: widgets.IntegerWidget,
        MONEY: widgets.DecimalWidget,
    }

    def __init__(self, attribute, header, *, kind=TEXT, role=INFO, convert=None, optional=False):
        super().__init__(
            attribute=attribute,
            column_name=header,
            widget=self.WIDGETS[kind](coerce_to_string=False),
            readonly=True,
        )
        self.kind = kind
        self.role = role
        self.convert = convert
        self.optional = optional

    def value_of(self, row):
        """The cell's value from a row of the export query (a dict), or from a line."""
        value = row[self.attribute] if isinstance(row, dict) else self.get_value(row)
        if self.convert is not None:
            return self.convert(value)
        if value is None:
            if self.optional:
                return None
            return "" if self.kind == TEXT else (ZERO if self.kind == MONEY else None)
        return escape_formula(value) if self.kind == TEXT else value


class BudgetLineResource(resources.ModelResource):
    """*Lignes budgétaires* of one contract (or of all, for the admin) in the workbook
    layout. `rows()` streams them; `export()` (django-import-export) gathers them in a
    tablib Dataset."""

    contract_slug = Column("contract__slug", "Contrat")
    year = Column("year", "Année", kind=INT, role=KEY)
    instrument = Column("annex_convention_id", "Instrument", convert=instrument_label)
    post_code = Column("post__code", "Code poste", role=KEY)
    post_label = Column("post__label", "Poste")
    fiche_number = Column("fiche__number", "N° fiche", kind=INT, role=KEY)
    fiche_title = Column("fiche__title", "Fiche")
    label = Column("label", "Libellé", role=DATA)
    amount = Column("amount", "Prévu (€)", kind=MONEY, role=DATA)
    other_receipts = Column("other_receipts", "Autres recettes prévues (€)", kind=MONEY, role=DATA)
    net_cost = Column("net_cost", "Reste à charge prévu (€)", kind=MONEY, role=COMPUTED)
    continued = Column("continued", "Action antérieure (oui/non)", role=DATA, convert=yes_no)
    own_share = Column("own_share", "Part du bénéficiaire prévue (€)", kind=MONEY, role=COMPUTED)
    actual_expenses = Column(
        "actual_expenses", "Dépenses réalisées (€)", kind=MONEY, role=ACTUAL, optional=True
    )
    actual_receipts = Column(
        "actual_receipts",
        "Autres recettes réalisées (€)",
        kind=MONEY,
        role=ACTUAL,
        optional=True,
    )
    actual_net_cost = Column(
        "actual_net_cost", "Reste à charge réalisé (€)", kind=MONEY, role=ACTUAL, optional=True
    )
    actual_own_share = Column(
        "actual_own_share",
        "Part du bénéficiaire réalisée (€)",
        kind=MONEY,
        role=ACTUAL,
        optional=True,
    )
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
            "other_receipts",
            "net_cost",
            "continued",
            "own_share",
            "actual_expenses",
            "actual_receipts",
            "actual_net_cost",
            "actual_own_share",
            "committed",
            "paid",
        )
        # Rows are plain dicts streamed from one query; fetch them in large chunks.
        chunk_size = 2000

    def __init__(self, contract=None, funders=None, **kwargs):
        super().__init__(**kwargs)
        self.contract = contract
        self.funders = contract_funders(contract) if funders is None else list(funders)
        labels = partner_labels(self.funders)
        forecast_names, actual_names = [], []
        for funder in self.funders:
            forecast, actual = f"psej_{funder.pk}", f"actual_psej_{funder.pk}"
            self.fields[forecast] = Column(
                forecast, forecast_psej_header(labels[funder.pk]), kind=MONEY, role=COMPUTED
            )
            self.fields[actual] = Column(
                actual,
                actual_psej_header(labels[funder.pk]),
                kind=MONEY,
                role=ACTUAL,
                optional=True,
            )
            forecast_names.append(forecast)
            actual_names.append(actual)
        self._order = [
            *(["contract_slug"] if contract is None else []),
            "year",
            "instrument",
            "post_code",
            "post_label",
            "fiche_number",
            "fiche_title",
            "label",
            "amount",
            "other_receipts",
            "net_cost",
            "continued",
            *forecast_names,
            "own_share",
            "actual_expenses",
            "actual_receipts",
            "actual_net_cost",
            *actual_names,
            "actual_own_share",
            "committed",
            "paid",
        ]
        if contract is not None:
            del self.fields["contract_slug"]
        self._columns_cache = {}
        self._terms: dict[int, ContractTerms] | None = None

    def get_export_order(self):
        return tuple(self._order)

    def named_columns(self) -> list[tuple[str, Column]]:
        return [(name, self.fields[name]) for name in self._order]

    def columns(self) -> list[Column]:
        return [self.fields[name] for name in self._order]

    def headers(self) -> list[str]:
        return [column.column_name for column in self.columns()]

    def headers_of(self, role: str) -> list[str]:
        return [column.column_name for column in self.columns() if column.role == role]

    def get_queryset(self):
        queryset = BudgetLine.objects.all()
        if self.contract is not None:
            queryset = queryset.filter(contract=self.contract)
        return queryset

    def filter_export(self, queryset, **kwargs):
        """One query whatever the number of lines: the forecast shares and the execution
        come as subqueries, rows as dicts."""
        if "committed" not in queryset.query.annotations:
            queryset = queryset.with_execution()
        shares = {
            f"psej_{funder.pk}": _share(
                Contribution.objects.filter(line=OuterRef("pk"), partner_id=funder.pk)
            )
            for funder in self.funders
        }
        shares["own_share"] = _share(
            Contribution.objects.filter(
                line=OuterRef("pk"),
                partner__contract_parties__contract=OuterRef("contract_id"),
                partner__contract_parties__role=PartyRole.BENEFICIARY,
            )
        )
        queryset = queryset.annotate(
            **shares,
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
        computed = {"net_cost", "actual_net_cost", "actual_own_share"} | {
            f"actual_psej_{funder.pk}" for funder in self.funders
        }
        keys = [
            self.fields[name].attribute
            for name in self._order
            if self.fields[name].attribute not in computed
        ]
        return queryset.values(*dict.fromkeys([*keys, "contract_id"]))

    def contract_terms(self, contract_id: int) -> ContractTerms:
        if self._terms is None:
            self._terms = (
                {self.contract.pk: contract_terms(self.contract.pk)}
                if self.contract is not None
                else all_contract_terms()
            )
        return self._terms.get(contract_id) or ContractTerms(None, ())

    def plan_row(self, row: dict) -> dict:
        """The row's computed figures: the forecast net cost, and the actual plan
        (`financing.psej`, capped by the forecast PSEJ: R7) once its figures are declared."""
        row["net_cost"] = row["amount"] - row["other_receipts"]
        if row["actual_expenses"] is None or row["actual_receipts"] is None:
            row["actual_net_cost"] = row["actual_own_share"] = None
            for funder in self.funders:
                row[f"actual_psej_{funder.pk}"] = None
            return row
        terms = self.contract_terms(row["contract_id"]).by_instrument.get(
            Instrument.ANNEX if row["annex_convention_id"] else Instrument.CEJ, ()
        )
        actual = psej.plan(
            expenses=row["actual_expenses"],
            receipts=row["actual_receipts"],
            continued=row["continued"],
            terms=terms,
            caps={t.funder_id: row.get(f"psej_{t.funder_id}", ZERO) for t in terms},
        )
        row["actual_net_cost"] = actual.net_cost
        row["actual_own_share"] = actual.own_share
        for funder in self.funders:
            row[f"actual_psej_{funder.pk}"] = actual.psej.get(funder.pk, ZERO)
        return row

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # get_field_name() would scan every field for every cell: 50 000 lines make it
        # the export's bottleneck. The columns are resolved once per export instead.
        key = tuple(selected_fields) if selected_fields else None
        columns = self._columns_cache.get(key)
        if columns is None:
            columns = self._columns_cache[key] = self.get_export_fields(selected_fields)
        if isinstance(instance, dict):
            instance = self.plan_row(instance)
        return [column.value_of(instance) for column in columns]

    def rows(self, queryset=None):
        """Stream the layout's rows (lists of native values), without building a Dataset."""
        queryset = self.filter_export(self.get_queryset() if queryset is None else queryset)
        for row in self.iter_queryset(queryset):
            yield self.export_resource(row)


def _share(contributions):
    """A line's stored forecast share (one party's Contribution), 0,00 without one."""
    return Coalesce(
        Subquery(contributions.order_by().values("amount")[:1], output_field=MONEY_FIELD),
        Value(ZERO, output_field=MONEY_FIELD),
    )
