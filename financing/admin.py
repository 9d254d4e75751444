from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from cej.admin_utils import ReadOnlyAdmin, eur_column
from cej.money import format_eur
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    VersionKind,
)
from financing.querysets import money_sum
from financing.resources import BudgetLineResource
from financing.services import record_line_version


@admin.register(BudgetPost)
class BudgetPostAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "instrument", "order"]
    list_filter = ["instrument"]
    search_fields = ["label", "code"]
    prepopulated_fields = {"code": ["label"]}


class ContributionFormSet(forms.BaseInlineFormSet):
    """Contributions must add up exactly to the line's planned amount (as edited in the same
    form), with the same message as every other path that writes them."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.amount is None:
            return
        amounts = [
            form.cleaned_data.get("amount") or Decimal("0")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if error := self.instance.contributions_error(amounts):
            raise ValidationError(error)


class ContributionInline(admin.TabularInline):
    model = Contribution
    formset = ContributionFormSet
    extra = 0
    min_num = 1
    autocomplete_fields = ["partner"]


class ExecutionEntryInline(admin.TabularInline):
    model = ExecutionEntry
    extra = 0
    fields = ["kind", "date", "amount", "reference", "note"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ExportMixin, admin.ModelAdmin):
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
        "contributions_column",
        "committed_column",
        "paid_column",
    ]
    list_filter = ["year", "post", "contract", "post__instrument"]
    search_fields = ["label", "post__label", "fiche__title", "contract__title"]
    list_select_related = ["post", "contract__territory", "fiche"]
    autocomplete_fields = ["contract"]
    readonly_fields = ["version", "updated_at", "updated_by"]
    inlines = [ContributionInline, ExecutionEntryInline]

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

    @admin.display(description=_("contributions"), ordering="contributed")
    def contributions_column(self, obj):
        text = format_eur(obj.contributed)
        return text if obj.contributed == obj.amount else f"⚠ {text}"

    @admin.display(description=_("engagé"), ordering="committed")
    def committed_column(self, obj):
        return format_eur(obj.committed)

    @admin.display(description=_("payé"), ordering="paid")
    def paid_column(self, obj):
        return format_eur(obj.paid)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the contributions are saved, so that the version holds them too.
        super().save_related(request, form, formsets, change)
        record_line_version(
            line=form.instance,
            kind=VersionKind.CHANGED if change else VersionKind.CREATED,
            by=request.user,
            action=_("Modification (administration)") if change else _("Création (administration)"),
        )


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["line", "partner", eur_column("amount", _("montant"))]
    list_filter = ["partner", "line__year"]
    search_fields = ["partner__name", "line__post__label"]
    list_select_related = ["line__post", "partner"]


@admin.register(ExecutionEntry)
class ExecutionEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "line", eur_column("amount", _("montant")), "reference"]
    list_filter = ["kind", "line__year", "line__post"]
    search_fields = ["reference", "note", "line__post__label"]
    list_select_related = ["line__post"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BudgetLineVersion)
class BudgetLineVersionAdmin(ReadOnlyAdmin):
    """Versions are the record of who changed what in the budget: readable here, never
    editable, and kept after their line is deleted."""

    list_display = ["label", "number", "action", "author", "created_at"]
    list_filter = ["contract", "kind", "created_at"]
    search_fields = ["label", "action", "author__username"]
    list_select_related = ["author"]
