"""The money cycle, under /contracts/<slug>/budget/: the funders' payments and supporting
documents, and the « situation financière » PDF per funder and year."""

from django.urls import path, re_path

from financing import views_cycle

urlpatterns = [
    path("payments/", views_cycle.funder_payments, name="funder_payments"),
    path("payments/new/", views_cycle.funder_payment_create, name="funder_payment_create"),
    path(
        "payments/<int:pk>/delete/",
        views_cycle.funder_payment_delete,
        name="funder_payment_delete",
    ),
    path(
        "payments/documents/new/",
        views_cycle.supporting_document_create,
        name="supporting_document_create",
    ),
    # A year is at most nine digits here: anything else is no page (404), not an error.
    re_path(
        r"^situation/(?P<funder_slug>[-a-zA-Z0-9_]{1,60})/(?P<year>[0-9]{1,9})\.pdf$",
        views_cycle.funder_situation_pdf,
        name="funder_situation_pdf",
    ),
]
