"""The budget in the admin, through the services: a line's forecast through
`budget_line_save` (its parties' shares computed, shown read-only), its actual figures
through `line_actuals_save`, its commitments and payments through the execution services.
The contract's funding terms, payment schedules, funders' payments and supporting documents
are `financing.admin_cycle`'s."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from cej import admin as cej_admin
from cej.admin_utils import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ThroughServicesAdmin,
    VersionedAdminForm,
    eur_column,
)
from cej.money import format_eur
from financing import (
    admin_cycle,  # noqa: F401  (registers the money cycle's admins)
    cycle_services,
    services,
)
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Contribution,
    ExecutionEntry,
)
from financing.ods_writer import StyledODS
from financing.querysets import money_sum
from financing.resources import BudgetLineResource

# The fields of a line's forecast (contract content) and of its actual figures (execution).
FORECAST_FIELDS = [
    "contract",
    "year",
    "post",
    "annex_convention",
    "fiche",
    "label",
    "amount",
    "other_receipts",
    "continued",
]
ACTUAL_FIELDS = ["actual_expenses", "actual_receipts"]


@admin.register(BudgetPost)
class BudgetPostAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "instrument", "order"]
    list_filter = ["instrument"]
    search_fields = ["label", "code"]
    prepopulated_fields = {"code": ["label"]}


class ContributionInline(ReadOnlyInline):
    """The parties' forecast shares, computed from the contract's funding terms on each save
    of the line (`financing.services.forecast_shares`): shown, never typed."""

    model = Contribution
    fields = ["partner", "amount"]
    readonly_fields = fields
    verbose_name = _("part prévisionnelle (calculée)")
    verbose_name_plural = _(
        "financement prévisionnel (calculé selon les conditions de financement du contrat)"
    )


class ExecutionEntryInline(admin.TabularInline):
    model = ExecutionEntry
    extra = 0
    fields = ["kind", "date", "amount", "reference", "note"]


class BudgetLineAdminForm(VersionedAdminForm):
    class Meta:
        model = BudgetLine
        fields = [*FORECAST_FIELDS, *ACTUAL_FIELDS]


@admin.register(BudgetLine)
class BudgetLineAdmin(ExportMixin, ThroughServicesAdmin):
    """Saves through the services: the forecast in `budget_line_save` (lock, envelope,
    version, the shares recomputed) — refused on a signed contract, whose forecast changes
    only through an avenant —, the actual figures in `line_actuals_save` (execution: open
    once the contract is signed), each commitment or payment through
    `execution_entry_record` or `execution_entry_delete`."""

    form = BudgetLineAdminForm
    fieldsets = [
        (None, {"fields": [*FORECAST_FIELDS, "base_version"]}),
        (_("Réalisé"), {"fields": ACTUAL_FIELDS}),
        (_("Version"), {"fields": ["version_number", "updated_at", "updated_by"]}),
    ]

    def get_export_formats(self):
        return [StyledODS if f is base_formats.ODS else f for f in super().get_export_formats()]

    # Export only: an import through the admin would write lines one by one, without the
    # budget page's checks of a whole file (envelope per year, contributions adding up,
    # all or nothing). Imports go through /contracts/<slug>/budget/import/.
    resource_classes = [BudgetLineResource]
    list_display = [
        "year",
        "post",
        "contract_period",
        "fiche_number",
        eur_column("amount", _("prévu")),
        "shares_column",
        "actual_column",
        "committed_column",
        "paid_column",
    ]
    list_filter = ["year", "post", "contract", "post__instrument"]
    search_fields = ["label", "post__label", "fiche__title", "contract__title"]
    list_select_related = ["post", "contract__territory", "fiche"]
    autocomplete_fields = ["contract"]
    readonly_fields = ["version_number", "updated_at", "updated_by"]
    inlines = [ContributionInline, ExecutionEntryInline]

    @admin.display(description=_("version"))
    def version_number(self, obj):
        return obj.version

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_execution()
            .annotate(contributed=money_sum("contributions__amount"))
        )

    @admin.display(description=_("contrat"), ordering="contract__start_year")
    def contract_period(self, obj):
        return f"{obj.contract.territory} {obj.contract.period_label}"

    @admin.display(description=_("fiche"), ordering="fiche__number")
    def fiche_number(self, obj):
        return obj.fiche.number if obj.fiche else "–"

    @admin.display(description=_("financement prévisionnel"), ordering="contributed")
    def shares_column(self, obj):
        """The stored shares, which add up to the net cost (⚠ should they not)."""
        text = format_eur(obj.contributed)
        return text if obj.contributed == obj.net_cost else f"⚠ {text}"

    @admin.display(description=_("dépenses réalisées"), ordering="actual_expenses")
    def actual_column(self, obj):
        return "–" if obj.actual_expenses is None else format_eur(obj.actual_expenses)

    @admin.display(description=_("engagé"), ordering="committed")
    def committed_column(self, obj):
        return format_eur(obj.committed)

    @admin.display(description=_("payé"), ordering="paid")
    def paid_column(self, obj):
        return format_eur(obj.paid)

    def save_model(self, request, obj, form, change):
        """Nothing yet: the line is saved through its services, in `save_related`."""

    def save_related(self, request, form, formsets, change):
        line, by = form.instance, request.user
        version = form.cleaned_data["base_version"] if change else None
        actuals = [form.cleaned_data.get(name) for name in ACTUAL_FIELDS]
        if not change or set(form.changed_data) & set(FORECAST_FIELDS):
            if not change:  # declared through their own service, below
                line.actual_expenses = line.actual_receipts = None
            line = services.budget_line_save(
                line=line,
                by=by,
                expected_version=version,
                action=_("Modification (administration)")
                if change
                else _("Création (administration)"),
            )
            version = line.version
        if set(form.changed_data) & set(ACTUAL_FIELDS):
            line = cycle_services.line_actuals_save(
                line=line,
                actual_expenses=actuals[0],
                actual_receipts=actuals[1],
                by=by,
                expected_version=version,
            )
        form.instance = line
        by_prefix = {formset.prefix: formset for formset in formsets}
        for sub in by_prefix["entries"].forms:
            entry = sub.instance
            if sub.cleaned_data.get("DELETE"):
                if entry.pk:
                    services.execution_entry_delete(entry=entry, by=by)
            elif sub.has_changed():
                entry.line = line
                services.execution_entry_record(entry=entry, by=by)
        for formset in formsets:  # read by the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    """The parties' forecast shares: computed on each save of their line or of the
    contract's funding terms, never typed (their line's versions record them)."""

    list_display = ["line", "partner", eur_column("amount", _("montant"))]
    list_filter = ["partner", "line__year"]
    search_fields = ["partner__name", "line__post__label"]
    list_select_related = ["line__post", "partner"]


@admin.register(ExecutionEntry)
class ExecutionEntryAdmin(ThroughServicesAdmin):
    list_display = ["date", "kind", "line", eur_column("amount", _("montant")), "reference"]
    list_filter = ["kind", "line__year", "line__post"]
    search_fields = ["reference", "note", "line__post__label"]
    list_select_related = ["line__post"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        services.execution_entry_record(entry=obj, by=request.user)

    def delete_model(self, request, obj):
        services.execution_entry_delete(entry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing
            for entry in queryset.select_related("line").order_by("line__contract_id", "pk"):
                services.execution_entry_delete(entry=entry, by=request.user)


@admin.register(BudgetLineVersion)
class BudgetLineVersionAdmin(ReadOnlyAdmin):
    """Versions are the record of who changed what in the budget: readable here, never
    editable, and kept after their line is deleted."""

    list_display = ["label", "number", "action", "author", "created_at"]
    list_filter = ["contract", "kind", "created_at"]
    search_fields = ["label", "action", "author__username"]
    list_select_related = ["author"]


# A change of the contract's parties (their roles) moves the forecast shares of its lines.
cej_admin.PARTIES_CHANGED.append(cycle_services.refresh_forecast_shares)
