"""Exports, open data and import, under /contracts/<slug>/budget/."""

from django.urls import path

from financing import views_exchange

urlpatterns = [
    path("export.xlsx", views_exchange.budget_export_xlsx, name="budget_export_xlsx"),
    path("export.csv", views_exchange.budget_export_csv, name="budget_export_csv"),
    path("export.ods", views_exchange.budget_export_ods, name="budget_export_ods"),
    path("opendata.csv", views_exchange.budget_opendata_csv, name="budget_opendata_csv"),
    path("import/", views_exchange.budget_import, name="budget_import"),
    path(
        "import/confirm/",
        views_exchange.budget_import_confirm,
        name="budget_import_confirm",
    ),
]
