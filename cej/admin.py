from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cej.admin_utils import ContractDataAdmin, ReadOnlyAdmin, eur_column
from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    Document,
    DocumentDownload,
    Signature,
    Territory,
)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]
    filter_horizontal = ["staff"]


class ContractPartyInline(admin.TabularInline):
    model = ContractParty
    extra = 0
    autocomplete_fields = ["partner"]


class AnnexConventionInline(admin.StackedInline):
    model = AnnexConvention
    extra = 0


@admin.register(Contract)
class ContractAdmin(ContractDataAdmin):
    contract_field = "pk"

    list_display = [
        "title",
        "territory",
        "period",
        "status",
        "signed_on",
        eur_column("annual_envelope", _("enveloppe annuelle")),
    ]
    list_filter = ["status", "territory"]
    search_fields = ["title", "slug", "territory__name"]
    list_select_related = ["territory"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["predecessor"]
    date_hierarchy = "signed_on"
    # pilotage/admin.py adds the contract's objectives and fiches.
    inlines = [ContractPartyInline, AnnexConventionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "territory", "predecessor"]}),
        (_("Période et montant"), {"fields": ["start_year", "end_year", "annual_envelope"]}),
        (_("Signature"), {"fields": ["status", "signed_on", "signing_place"]}),
    ]

    @admin.display(description=_("période"), ordering="start_year")
    def period(self, obj):
        return obj.period_label


@admin.register(ContractParty)
class ContractPartyAdmin(ContractDataAdmin):
    list_display = ["partner", "contract", "order"]
    list_filter = ["partner", "contract__territory"]
    search_fields = ["partner__name", "contract__title"]
    list_select_related = ["partner", "contract"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Read-only here: signatures are recorded on the contract's « Documents et signature »
    page, where the last one signs the contract and seals its PDF (pilotage.signing)."""

    list_display = ["signatory", "partner", "contract", "signed_on", "place", "recorded_by"]
    list_filter = ["signed_on", "signatory__partner"]
    search_fields = ["signatory__last_name", "contract__title", "place"]
    list_select_related = ["signatory__partner", "contract", "recorded_by"]
    autocomplete_fields = ["contract"]
    readonly_fields = ["recorded_by", "recorded_at"]

    @admin.display(description=_("partenaire"), ordering="signatory__partner__name")
    def partner(self, obj):
        return obj.signatory.partner


@admin.register(AnnexConvention)
class AnnexConventionAdmin(ContractDataAdmin):
    list_display = ["title", "contract", "start_year", "end_year", "signed_on"]
    list_filter = ["start_year", "contract__territory"]
    search_fields = ["title", "purpose", "contract__title"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]


@admin.register(Amendment)
class AmendmentAdmin(ContractDataAdmin):
    list_display = ["number", "title", "contract", "annex_convention", "new_end_year", "signed_on"]
    list_filter = ["signed_on", "contract__territory"]
    search_fields = ["title", "summary", "contract__title"]
    list_select_related = ["contract", "annex_convention"]
    autocomplete_fields = ["contract"]


@admin.register(Document)
class DocumentAdmin(ContractDataAdmin):
    """Documents are recorded with their hash by the application; the admin lists them and
    never lets their bytes or hash be edited. The file is linked through the scoped download
    (hash checked, download recorded), never through the storage's own URL: on S3 that would
    be a signed link handing out the bytes unchecked and unrecorded."""

    list_display = ["title", "kind", "contract", "dated", "sealed", "size", "short_hash"]
    list_filter = ["kind", "sealed", "contract__territory"]
    search_fields = ["title", "sha256", "contract__title"]
    list_select_related = ["contract"]
    exclude = ["file"]
    readonly_fields = [
        "contract",
        "kind",
        "stored_file",
        "original_filename",
        "sha256",
        "size",
        "sealed",
        "dated",
        "amendment",
        "annex_convention",
        "created_at",
        "created_by",
    ]

    @admin.display(description=_("SHA-256"))
    def short_hash(self, obj):
        return f"{obj.sha256[:12]}…"

    @admin.display(description=_("fichier"))
    def stored_file(self, obj):
        url = reverse("document_download", kwargs={"slug": obj.contract.slug, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.file.name)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(ReadOnlyAdmin):
    """The download log: who got which document, when, and refusals. Read-only."""

    list_display = ["downloaded_at", "username", "document", "outcome"]
    list_filter = ["outcome", "document__kind"]
    search_fields = ["username", "document__title"]
    list_select_related = ["document"]
    date_hierarchy = "downloaded_at"
