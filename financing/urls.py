"""URLs under /contracts/<slug>/budget/. Exports and imports live in urls_exchange.py,
line editing and execution entries in urls_lines.py, the money cycle in
urls_cycle.py."""

from django.urls import include, path

from financing import views

urlpatterns = [
    path("", views.budget_overview, name="budget"),
    path("report.pdf", views.budget_report_pdf, name="budget_report_pdf"),
    path("", include("financing.urls_lines")),
    path("", include("financing.urls_exchange")),
    path("", include("financing.urls_cycle")),
]
