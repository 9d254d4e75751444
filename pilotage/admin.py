"""What the apps above the contract core add to the admin: the contract's objectives and
fiches on its page (fiches is a layer above cej, so cej/admin.py cannot name them), and the
avenants with their proposals, which `pilotage.amendments` writes."""

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cej.admin import ContractAdmin
from cej.admin_utils import ReadOnlyInline, ThroughServicesAdmin
from cej.models import Amendment, AmendmentSignature, AmendmentStatus, Contract, PartnerDecision
from cej.money import format_eur
from fiches.models import Fiche, Objective
from pilotage import amendments
from pilotage.models import (
    AmendmentFicheChange,
    AmendmentLineChange,
    AmendmentRepresentativeChange,
)


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


# --- avenants ----------------------------------------------------------------------------


class PartnerDecisionInline(ReadOnlyInline):
    model = PartnerDecision
    fk_name = "amendment"
    fields = ["partner", "body", "reference", "decided_on", "recorded_by"]
    readonly_fields = fields
    verbose_name_plural = _("délibérations des partenaires (saisies sur la page de l'avenant)")


class AmendmentSignatureInline(ReadOnlyInline):
    model = AmendmentSignature
    fields = ["signatory", "signed_on", "place", "recorded_by"]
    readonly_fields = fields
    verbose_name_plural = _("signatures (saisies sur la page de l'avenant)")


class AmendmentFicheChangeInline(ReadOnlyInline):
    model = AmendmentFicheChange
    fields = ["kind", "number", "fiche", "proposed_title"]
    readonly_fields = fields

    @admin.display(description=_("intitulé proposé"))
    def proposed_title(self, obj):
        return obj.proposed.get("title", "")


class AmendmentLineChangeInline(ReadOnlyInline):
    model = AmendmentLineChange
    fields = ["kind", "line", "proposed_line"]
    readonly_fields = fields

    @admin.display(description=_("ligne proposée"))
    def proposed_line(self, obj):
        proposed = obj.proposed
        if not proposed:
            return "–"
        fiche = proposed.get("fiche_number")
        parts = [str(proposed.get("year", "")), format_eur(Decimal(proposed.get("amount", "0")))]
        if fiche:
            parts.insert(1, gettext("fiche n° %(number)s") % {"number": fiche})
        return " — ".join(parts)


class AmendmentRepresentativeChangeInline(ReadOnlyInline):
    model = AmendmentRepresentativeChange
    fields = ["leaving", "arriving_name", "arriving"]
    readonly_fields = fields

    @admin.display(description=_("nouveau représentant"))
    def arriving_name(self, obj):
        return obj.arriving_name


@admin.register(Amendment)
class AmendmentAdmin(ThroughServicesAdmin):
    """Avenants are opened, proposed, approved, signed or abandoned on their pages, through
    `pilotage.amendments` (its rules, the contract's lock, the sealed act, the changes
    applied at the last signature). Here the administrator reads them with their
    proposals, deliberations and signatures; only an avenant in preparation has its object,
    statement of reasons and the annex convention's new last year corrected, through
    `amendment_update`. None is added or deleted here (an avenant is abandoned, and kept)."""

    list_display = ["number", "title", "contract", "status", "opinion_on", "signed_on"]
    list_filter = ["status", "signed_on", "contract__territory"]
    search_fields = ["title", "summary", "contract__title"]
    list_select_related = ["contract"]
    readonly_fields = [
        "contract",
        "number",
        "status",
        "annex_convention",
        "previous_end_year",
        "opened_at",
        "opened_by",
        "opinion_on",
        "signed_on",
        "signing_place",
        "abandoned_on",
        "abandon_reason",
    ]
    fieldsets = [
        (None, {"fields": ["contract", "number", "status", "title", "summary"]}),
        (
            _("Convention annexe"),
            {"fields": ["annex_convention", "previous_end_year", "new_end_year"]},
        ),
        (
            _("Suivi"),
            {
                "fields": [
                    "opened_at",
                    "opened_by",
                    "opinion_on",
                    "signed_on",
                    "signing_place",
                    "abandoned_on",
                    "abandon_reason",
                ]
            },
        ),
    ]
    inlines = [
        AmendmentFicheChangeInline,
        AmendmentLineChangeInline,
        AmendmentRepresentativeChangeInline,
        PartnerDecisionInline,
        AmendmentSignatureInline,
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == AmendmentStatus.DRAFT)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        amendments.amendment_update(
            amendment=obj,
            title=data["title"],
            summary=data["summary"],
            new_end_year=data["new_end_year"],
            by=request.user,
        )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Its proposals, deliberations and signatures are the avenant page's."""
        for formset in formsets:  # read by the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
