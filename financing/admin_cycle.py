"""The money cycle in the admin, through its services (`financing.cycle_services`): each
funder's terms (`funding_terms_save`, which recomputes every line's forecast shares) and
payment schedule with its advances (`payment_schedule_save`) — contract content, refused
once the contract is signed —, the funders' payments (`funder_payment_record`,
`funder_payment_delete`) and the supporting documents received — execution, open once it
is signed. Imported by `financing.admin`.

Terms and schedules are not deleted here: no service removes them, and a funder that stops
financing an instrument is given a share of 0 %."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cej.admin_utils import ThroughServicesAdmin, eur_column
from financing import cycle_services
from financing.models import (
    Advance,
    FunderPayment,
    FundingTerms,
    PaymentSchedule,
    SupportingDocument,
)


class NotDeletedHere(ThroughServicesAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundingTerms)
class FundingTermsAdmin(NotDeletedHere):
    """*Conditions de financement*: saving one recomputes the forecast shares of all the
    contract's lines."""

    list_display = [
        "funder",
        "instrument",
        "contract",
        "share",
        "rate_new",
        "rate_continued",
        eur_column("ceiling", _("plafond")),
    ]
    list_filter = ["instrument", "funder", "contract__territory"]
    search_fields = ["funder__name", "contract__title"]
    list_select_related = ["funder", "contract"]
    autocomplete_fields = ["contract", "funder"]

    def save_model(self, request, obj, form, change):
        cycle_services.funding_terms_save(terms=obj, by=request.user)


class AdvanceInline(admin.TabularInline):
    """The advances, numbered in order by the service."""

    model = Advance
    extra = 0
    fields = ["percent", "due_day", "due_month"]


@admin.register(PaymentSchedule)
class PaymentScheduleAdmin(NotDeletedHere):
    list_display = ["funder", "contract", "documents_due", "balance_due"]
    list_filter = ["funder", "contract__territory"]
    search_fields = ["funder__name", "contract__title"]
    list_select_related = ["funder", "contract"]
    autocomplete_fields = ["contract", "funder"]
    inlines = [AdvanceInline]

    @admin.display(description=_("justificatifs dus le (N+1)"))
    def documents_due(self, obj):
        return f"{obj.documents_due_day:02d}/{obj.documents_due_month:02d}"

    @admin.display(description=_("solde dû le (N+1)"))
    def balance_due(self, obj):
        return f"{obj.balance_due_day:02d}/{obj.balance_due_month:02d}"

    def save_model(self, request, obj, form, change):
        """Nothing yet: the schedule is saved with its advances, in `save_related`."""

    def save_related(self, request, form, formsets, change):
        advances = [
            (row["percent"], row["due_day"], row["due_month"])
            for formset in formsets
            for row in (sub.cleaned_data for sub in formset.forms)
            if row and not row.get("DELETE")
        ]
        cycle_services.payment_schedule_save(
            schedule=form.instance, advances=advances, by=request.user
        )
        for formset in formsets:  # read by the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class RecordedAdmin(ThroughServicesAdmin):
    """Rows recorded by a service (`record_service`) and deleted by another
    (`delete_service`)."""

    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        self.record_service(obj, by=request.user)

    def delete_model(self, request, obj):
        self.delete_service(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing
            for obj in queryset.order_by("contract_id", "pk"):
                self.delete_service(obj, by=request.user)


@admin.register(FunderPayment)
class FunderPaymentAdmin(RecordedAdmin):
    """*Versements*: advances and balances received from a funder, sums paid back to it."""

    list_display = ["received_on", "kind", "funder", "year", eur_column("amount", _("montant"))]
    list_filter = ["kind", "year", "funder", "contract__territory"]
    search_fields = ["reference", "note", "funder__name", "contract__title"]
    list_select_related = ["funder", "contract"]
    autocomplete_fields = ["contract", "funder"]
    date_hierarchy = "received_on"

    @staticmethod
    def record_service(payment, *, by):
        cycle_services.funder_payment_record(payment=payment, by=by)

    @staticmethod
    def delete_service(payment, *, by):
        cycle_services.funder_payment_delete(payment=payment, by=by)


@admin.register(SupportingDocument)
class SupportingDocumentAdmin(RecordedAdmin):
    """*Justificatifs reçus* from the beneficiary, per funder and year."""

    list_display = ["kind", "funder", "year", "received_on", "reference"]
    list_filter = ["kind", "year", "funder", "contract__territory"]
    search_fields = ["reference", "funder__name", "contract__title"]
    list_select_related = ["funder", "contract"]
    autocomplete_fields = ["contract", "funder"]

    @staticmethod
    def record_service(document, *, by):
        cycle_services.supporting_document_record(document=document, by=by)

    @staticmethod
    def delete_service(document, *, by):
        cycle_services.supporting_document_delete(document=document, by=by)
