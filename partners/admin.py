from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerName, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["order", "civility", "first_name", "last_name", "function", "is_active"]


class PartnerNameInline(admin.TabularInline):
    """The names the partner bore before today's, each until a date: the acts print the one
    in force on their own date (`Partner.name_on`). Saving one marks the contracts the
    partner is party to changed (`cej.page_cache.REFERENCE_DATA`)."""

    model = PartnerName
    extra = 0
    fields = ["name", "short_name", "valid_until"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "siret", "signatory_count", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "siret"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["members"]
    inlines = [PartnerNameInline, SignatoryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                signatory_total=Count("signatories", distinct=True),
                member_total=Count("members", distinct=True),
            )
        )

    @admin.display(description=_("représentants"), ordering="signatory_total")
    def signatory_count(self, obj):
        return obj.signatory_total

    @admin.display(description=_("utilisateurs"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ["full_name_column", "function", "partner", "order", "is_active"]
    list_filter = ["partner", "is_active"]
    search_fields = ["first_name", "last_name", "function", "partner__name"]
    list_select_related = ["partner"]

    @admin.display(description=_("nom"), ordering="last_name")
    def full_name_column(self, obj):
        return obj.full_name
