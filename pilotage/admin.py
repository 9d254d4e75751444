"""The contract's admin page with what the apps above the contract core add to it: its
objectives and fiches (fiches is a layer above cej, so cej/admin.py cannot name them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cej.admin import ContractAdmin
from cej.models import Contract
from fiches.models import Fiche, Objective


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


class FicheOverviewInline(admin.TabularInline):
    """The contract's fiches at a glance; they are edited under their objective or on their
    own page, where the objective choice is limited to this contract."""

    model = Fiche
    fk_name = "contract"
    extra = 0
    fields = ["number", "title", "objective", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("fiches actions (lecture seule ici)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objective")


admin.site.unregister(Contract)


@admin.register(Contract)
class ContractOverviewAdmin(ContractAdmin):
    inlines = [*ContractAdmin.inlines, ObjectiveInline, FicheOverviewInline]
