"""Notifications in the admin: read-only. They are written by `notifications.services.notify`
and the senders (`notifications.mail`); the admin shows what was told to whom, and whether
the e-mail went (an operator following up a delivery problem)."""

from django.contrib import admin

from cej.admin_utils import ReadOnlyAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_state"]
    list_filter = ["kind", "delivery", "email_state"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "recipient__email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "kind",
        "contract",
        "actor",
        "title",
        "body",
        "url",
        "key",
        "created_at",
        "read_at",
        "delivery",
        "email_state",
        "email_claim",
        "emailed_at",
    ]
