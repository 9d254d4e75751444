from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cej.admin_utils import (
    ContractDataAdmin,
    ReadOnlyAdmin,
    ThroughServicesAdmin,
    VersionedAdminForm,
)
from fiches import services
from fiches.models import Aim, Fiche, FicheVersion, Objective
from fiches.permissions import can_create_fiche, can_edit_fiche


@admin.register(Aim)
class AimAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "description"]
    ordering = ["number"]


class FicheInline(admin.TabularInline):
    """The objective's fiches at a glance: each is edited on its own admin page, through the
    fiche services (version, lock, workflow rules)."""

    model = Fiche
    fk_name = "objective"
    extra = 0
    fields = ["number", "title", "lead_partner", "status", "validated_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objective)
class ObjectiveAdmin(ContractDataAdmin):
    list_display = ["number", "title", "contract"]
    list_filter = ["contract"]
    search_fields = ["title", "contract__title"]
    list_select_related = ["contract"]
    inlines = [FicheInline]


class FicheAdminForm(VersionedAdminForm):
    """The fiche's content, partners and aims, saved through `fiches.services` like the
    CDAJE's own form; its number, status and plenary date follow the workflow on the
    contract's pages. `base_version` is the version the administrator started from."""

    user = None  # set by FicheAdmin.get_form: the permission predicates need the user

    class Meta:
        model = Fiche
        fields = [
            "objective",
            "title",
            *services.RICH_TEXT_FIELDS,
            "budget_note",
            "lead_partner",
            "associated_partners",
            "aims",
        ]

    def clean(self):
        cleaned = super().clean()  # the version first
        if self.instance.pk:
            stored = Fiche.objects.select_related("contract").get(pk=self.instance.pk)
            allowed, reason = can_edit_fiche(self.user, stored)
        elif cleaned.get("objective"):
            allowed, reason = can_create_fiche(self.user, cleaned["objective"].contract)
        else:
            return cleaned
        if not allowed:
            raise ValidationError(reason)
        return cleaned

    def changes(self) -> dict:
        data = self.cleaned_data
        # Not self._meta.fields: the admin's form class lists its read-only fields there too.
        content = FicheAdminForm.Meta.fields
        return {f: data[f] for f in content if f not in ("associated_partners", "aims")}


@admin.register(Fiche)
class FicheAdmin(ThroughServicesAdmin):
    form = FicheAdminForm
    list_display = ["number", "title", "objective_number", "contract", "lead_partner", "status"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "contract", "objective__number", "lead_partner", "aims"]
    search_fields = ["title", "findings", "goals", "actions", "target_public"]
    list_select_related = ["objective", "contract", "lead_partner"]
    filter_horizontal = ["associated_partners", "aims"]
    readonly_fields = [
        "contract",
        "number",
        "status",
        "validated_on",
        "version_number",
        "created_at",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (None, {"fields": ["contract", "objective", "number", "title", "base_version"]}),
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
        (
            _("Suivi"),
            {"fields": ["status", "validated_on", "version_number", "updated_at", "updated_by"]},
        ),
    ]

    @admin.display(description=_("objectif"), ordering="objective__number")
    def objective_number(self, obj):
        return obj.objective.number

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "objective":
            kwargs["queryset"] = Objective.objects.select_related("contract")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("version"))
    def version_number(self, obj):
        return obj.version

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        partners, aims = form.cleaned_data["associated_partners"], form.cleaned_data["aims"]
        if change:
            saved = services.fiche_update(
                fiche=obj,
                changes=form.changes(),
                associated_partners=partners,
                aims=aims,
                expected_version=form.cleaned_data["base_version"],
                by=request.user,
                action=gettext("Modification (administration)"),
            )
        else:
            saved = services.fiche_create(
                contract=form.cleaned_data["objective"].contract,
                changes=form.changes(),
                associated_partners=partners,
                aims=aims,
                by=request.user,
                action=gettext("Création (administration)"),
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The service saved the partners and aims with the fiche, and its version."""


@admin.register(FicheVersion)
class FicheVersionAdmin(ReadOnlyAdmin):
    """Versions are the record of who changed what: readable here, never editable."""

    list_display = ["fiche", "number", "action", "author", "created_at"]
    list_filter = ["fiche__contract", "created_at"]
    search_fields = ["fiche__title", "action", "author__username"]
    list_select_related = ["fiche", "author"]


from fiches import indicator_admin  # noqa: E402, F401  (registers the indicators' admin)
