"""The reviews in the admin: read-mostly. A review changes through its pages and services
(`reviews.services`: versions, workflow, the stored PDF); the admin shows it, its fiches
and its needs and supply figures, and its versions."""

from django.contrib import admin

from cej.admin_utils import ReadOnlyAdmin
from reviews.models import AnnualReview, AnnualReviewVersion, NeedsArea, NeedsPlaces, ReviewFiche


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewFicheInline(ReadOnlyInline):
    model = ReviewFiche
    fields = ["fiche", "state", "narrative"]
    readonly_fields = fields


class NeedsAreaInline(ReadOnlyInline):
    model = NeedsArea
    fields = ["order", "name", "children_under_3", "unmet_requests"]
    readonly_fields = fields


@admin.register(AnnualReview)
class AnnualReviewAdmin(ReadOnlyAdmin):
    list_display = ["contract", "year", "status", "opinion_on", "document"]
    list_filter = ["status", "year"]
    list_select_related = ["contract", "document"]
    search_fields = ["contract__title", "contract__slug"]
    readonly_fields = [
        "contract",
        "year",
        "status",
        "summary",
        "opinion",
        "opinion_on",
        "submitted_at",
        "submitted_by",
        "adopted_at",
        "adopted_by",
        "document",
        "version",
        "updated_at",
        "updated_by",
    ]
    inlines = [ReviewFicheInline, NeedsAreaInline]


@admin.register(NeedsPlaces)
class NeedsPlacesAdmin(ReadOnlyAdmin):
    list_display = ["area", "care_type", "places"]
    list_select_related = ["area"]
    list_filter = ["care_type"]


@admin.register(AnnualReviewVersion)
class AnnualReviewVersionAdmin(ReadOnlyAdmin):
    list_display = ["review", "number", "action", "author", "created_at"]
    list_select_related = ["review", "author"]
    readonly_fields = ["review", "number", "action", "author", "created_at", "snapshot"]
