from collections.abc import Callable

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cej.admin_utils import ContractDataAdmin, ContractRefused, ReadOnlyAdmin, eur_column
from cej.models import (
    FROZEN_STATUSES,
    AmendmentSignature,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    Document,
    DocumentDownload,
    PartnerDecision,
    Signature,
    Territory,
)
from cej.permissions import frozen_refusal


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]
    filter_horizontal = ["staff"]


# Called with a contract's id once its parties changed in the admin, under the contract's
# lock: the financing app registers the recomputation of its lines' forecast shares, which
# follow the parties' roles (cej, a lower layer, cannot name it).
PARTIES_CHANGED: list[Callable[[int], object]] = []


def parties_changed(contract_id: int) -> None:
    """Run the hooks; a refusal of theirs (the contract left without a beneficiary to carry
    the share the funders do not take) undoes the change, with its message."""
    for hook in PARTIES_CHANGED:
        try:
            hook(contract_id)
        except ValidationError as error:
            raise ContractRefused(" ".join(error.messages)) from error


class ContractPartyInline(admin.TabularInline):
    """The parties with their role: one beneficiary (carries the actions, receives the
    PSEJ), the funders (pay it on the contract's funding terms)."""

    model = ContractParty
    extra = 0
    fields = ["partner", "role", "order"]
    autocomplete_fields = ["partner"]


class AnnexConventionInline(admin.StackedInline):
    model = AnnexConvention
    extra = 0


@admin.register(Contract)
class ContractAdmin(ContractDataAdmin):
    """A contract in preparation is edited freely. Once signed, its content changes only
    through an avenant: the one change left to the administrator is its end — its status
    set to « Échu » or « Résilié », and nothing else in the same save. An expired or
    terminated contract changes no more (`ContractDataAdmin`). The avenants themselves are
    `pilotage/admin.py`'s."""

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

    def save_formset(self, request, form, formset, change):
        changed = formset.model is ContractParty and formset.has_changed()
        super().save_formset(request, form, formset, change)
        if changed:
            parties_changed(form.instance.pk)

    def change_refusal(self, contract, form=None) -> str:
        signed = contract.status == ContractStatus.SIGNED
        if signed and form is not None and set(form.changed_data) == {"status"}:
            if form.cleaned_data["status"] in FROZEN_STATUSES:
                return ""  # how a signed contract ends
            return gettext(
                "Le contrat est signé : il ne redevient pas un projet. Son statut ne peut "
                "plus passer qu'à « Échu » ou « Résilié »."
            )
        return super().change_refusal(contract, form)

    def delete_refusal(self, contract) -> str:
        if contract.status in FROZEN_STATUSES:
            return frozen_refusal(contract)
        if contract.status == ContractStatus.SIGNED:
            return gettext(
                "Le contrat est signé : il n'est pas supprimé. Il s'achève à son échéance ou "
                "par résiliation (statut « Échu » ou « Résilié ») ; son contenu ne change que "
                "par avenant."
            )
        return ""


@admin.register(ContractParty)
class ContractPartyAdmin(ContractDataAdmin):
    list_display = ["partner", "contract", "role", "order"]
    list_filter = ["role", "partner", "contract__territory"]
    search_fields = ["partner__name", "contract__title"]
    list_select_related = ["partner", "contract"]
    fields = ["contract", "partner", "role", "order"]
    autocomplete_fields = ["contract", "partner"]

    def save_model(self, request, obj, form, change):
        before = self.contract_ids(obj, form)
        super().save_model(request, obj, form, change)
        for contract_id in sorted({*before, obj.contract_id}):
            parties_changed(contract_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        parties_changed(obj.contract_id)

    def delete_queryset(self, request, queryset):
        contract_ids = sorted({obj.contract_id for obj in queryset})
        super().delete_queryset(request, queryset)
        for contract_id in contract_ids:
            parties_changed(contract_id)


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


@admin.register(PartnerDecision)
class PartnerDecisionAdmin(ReadOnlyAdmin):
    """Read-only here: each party's deliberation is recorded on the contract's and the
    avenant's pages (`pilotage.amendments`), which check it against the contract's parties,
    the CDAJE's opinion and the signatures it authorises."""

    list_display = ["partner", "body", "reference", "decided_on", "contract", "amendment"]
    list_filter = ["decided_on", "partner"]
    search_fields = ["reference", "body", "partner__name", "contract__title"]
    list_select_related = ["partner", "contract", "amendment"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(AmendmentSignature)
class AmendmentSignatureAdmin(ReadOnlyAdmin):
    """Read-only here: an avenant's signatures are recorded on its page, where the last one
    seals it and applies its changes to the contract (`pilotage.amendment_apply`)."""

    list_display = ["signatory", "amendment", "signed_on", "place", "recorded_by"]
    list_filter = ["signed_on", "signatory__partner"]
    search_fields = ["signatory__last_name", "amendment__title", "place"]
    list_select_related = ["signatory__partner", "amendment__contract", "recorded_by"]


@admin.register(AnnexConvention)
class AnnexConventionAdmin(ContractDataAdmin):
    list_display = ["title", "contract", "start_year", "end_year", "signed_on"]
    list_filter = ["start_year", "contract__territory"]
    search_fields = ["title", "purpose", "contract__title"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]


@admin.register(Document)
class DocumentAdmin(ContractDataAdmin):
    """Documents are recorded with their hash by the application; the admin lists them and
    never lets their bytes or hash be edited. The file is linked through the scoped download
    (hash checked, download recorded), never through the storage's own URL: on S3 that would
    be a signed link handing out the bytes unchecked and unrecorded. Their titles change
    until the contract is frozen."""

    contract_content = False  # kept beside the contract: frozen with it, not amended
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
