from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cej.admin_utils import ReadOnlyAdmin
from fiches.models import Aim, Fiche, FicheVersion, Objective
from fiches.services import record_version


@admin.register(Aim)
class AimAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "description"]
    ordering = ["number"]


class FicheInline(admin.TabularInline):
    model = Fiche
    fk_name = "objective"
    extra = 0
    fields = ["number", "title", "lead_partner", "status", "validated_on"]
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "contract"]
    list_filter = ["contract"]
    search_fields = ["title", "contract__title"]
    list_select_related = ["contract"]
    inlines = [FicheInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            changed = bool(instance.pk)
            if changed:
                instance.version += 1
            instance.updated_by = request.user
            instance.save()
            record_version(
                fiche=instance,
                action=_("Modification (administration)")
                if changed
                else _("Création (administration)"),
                by=request.user,
            )
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Fiche)
class FicheAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "objective_number", "contract", "lead_partner", "status"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "contract", "objective__number", "lead_partner", "aims"]
    search_fields = ["title", "findings", "goals", "actions", "target_public"]
    list_select_related = ["objective", "contract", "lead_partner"]
    filter_horizontal = ["associated_partners", "aims"]
    readonly_fields = ["contract", "version", "created_at", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["contract", "objective", "number", "title"]}),
        (
            _("Contenu de la fiche"),
            {
                "fields": [
                    "findings",
                    "goals",
                    "actions",
                    "target_public",
                    "calendar",
                    "indicators",
                    "budget_note",
                ]
            },
        ),
        (
            _("Partenaires et finalités"),
            {"fields": ["lead_partner", "associated_partners", "aims"]},
        ),
        (_("Suivi"), {"fields": ["status", "validated_on", "version", "updated_at", "updated_by"]}),
    ]

    @admin.display(description=_("objectif"), ordering="objective__number")
    def objective_number(self, obj):
        return obj.objective.number

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "objective":
            kwargs["queryset"] = Objective.objects.select_related("contract")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the many-to-many fields are saved, so the version holds them too.
        super().save_related(request, form, formsets, change)
        record_version(
            fiche=form.instance,
            action=_("Modification (administration)") if change else _("Création (administration)"),
            by=request.user,
        )


@admin.register(FicheVersion)
class FicheVersionAdmin(ReadOnlyAdmin):
    """Versions are the record of who changed what: readable here, never editable."""

    list_display = ["fiche", "number", "action", "author", "created_at"]
    list_filter = ["fiche__contract", "created_at"]
    search_fields = ["fiche__title", "action", "author__username"]
    list_select_related = ["fiche", "author"]
