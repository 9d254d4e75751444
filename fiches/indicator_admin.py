"""The admin of the evaluation indicators, for administrators: each save and deletion goes
through `fiches.indicator_services` (lock, version check, the contract's state, history).
The definition is edited here; the targets and actual values per year are shown (the
targets of a signed contract change only through an avenant, the actuals on the fiche's
indicators page). Versions are read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from cej.admin_utils import ReadOnlyAdmin, ReadOnlyInline, ThroughServicesAdmin, VersionedAdminForm
from fiches import indicator_services as services
from fiches.indicator_permissions import can_add_indicator, can_edit_indicator
from fiches.models import Fiche, Indicator, IndicatorVersion, IndicatorYear

DEFINITION = ["name", "unit", "source", "direction", "baseline_year", "baseline_value"]


class IndicatorAdminForm(VersionedAdminForm):
    user = None  # set by IndicatorAdmin.get_form: the predicates need the user

    class Meta:
        model = Indicator
        fields = ["fiche", *DEFINITION]

    def clean(self):
        cleaned = super().clean()  # the version first
        if self.instance.pk:
            fiche = Fiche.objects.select_related("contract").get(pk=self.instance.fiche_id)
            allowed, reason = can_edit_indicator(self.user, fiche)
        elif cleaned.get("fiche"):
            allowed, reason = can_add_indicator(self.user, cleaned["fiche"])
        else:
            return cleaned
        if not allowed:
            raise ValidationError(reason)
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEFINITION}


class IndicatorYearInline(ReadOnlyInline):
    model = IndicatorYear
    fields = ["year", "target", "actual", "comment", "evidence", "actual_recorded_at"]
    readonly_fields = fields


@admin.register(Indicator)
class IndicatorAdmin(ThroughServicesAdmin):
    form = IndicatorAdminForm
    list_display = ["name", "number", "fiche", "contract", "unit", "version"]
    list_filter = ["contract", "direction"]
    search_fields = ["name", "source", "fiche__title"]
    list_select_related = ["fiche", "contract"]
    readonly_fields = ["contract", "number", "version", "updated_at", "updated_by"]
    fields = ["fiche", "contract", "number", *DEFINITION, "base_version", "version"]
    inlines = [IndicatorYearInline]

    def get_readonly_fields(self, request, obj=None):
        # An indicator stays with its fiche (its number and history are the fiche's).
        return [*self.readonly_fields, "fiche"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.indicator_update(
                indicator=obj,
                changes=form.changes(),
                targets={},
                expected_version=form.cleaned_data["base_version"],
                by=request.user,
                action=gettext("Modification (administration)"),
            )
        else:
            fiche = form.cleaned_data["fiche"]
            saved = services.indicator_create(
                fiche=Fiche.objects.select_related("contract").get(pk=fiche.pk),
                changes=form.changes(),
                targets={},
                by=request.user,
                action=gettext("Création (administration)"),
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The years are written by the services only (targets, actuals)."""

    def delete_model(self, request, obj):
        services.indicator_delete(indicator=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for indicator in queryset:
            services.indicator_delete(indicator=indicator, by=request.user)


@admin.register(IndicatorVersion)
class IndicatorVersionAdmin(ReadOnlyAdmin):
    """Versions are the record of who changed what: readable here, never editable."""

    list_display = ["indicator", "number", "action", "author", "created_at"]
    list_filter = ["indicator__contract", "created_at"]
    search_fields = ["indicator__name", "action", "author__username"]
    list_select_related = ["indicator", "author"]
