"""The avenants of a contract, under /contracts/<slug>/avenants/ (DESIGN.md §6)."""

from django.urls import path

from pilotage import views_amendments as views
from pilotage.views_amendment_indicators import amendment_indicator_edit

urlpatterns = [
    path("", views.amendment_list, name="amendment_list"),
    path("new/", views.amendment_open, name="amendment_open"),
    path("decisions/", views.contract_decision, name="contract_decision"),
    path("<int:number>/", views.amendment_detail, name="amendment_detail"),
    path("<int:number>/avenant.pdf", views.amendment_pdf, name="amendment_pdf"),
    path("<int:number>/edit/", views.amendment_edit, name="amendment_edit"),
    path("<int:number>/fiches/new/", views.amendment_fiche_edit, name="amendment_fiche_add"),
    path(
        "<int:number>/fiches/<int:fiche_number>/edit/",
        views.amendment_fiche_edit,
        name="amendment_fiche_edit",
    ),
    path(
        "<int:number>/fiches/<int:fiche_number>/withdraw/",
        views.amendment_fiche_withdraw,
        name="amendment_fiche_withdraw",
    ),
    path(
        "<int:number>/indicators/<int:indicator_pk>/edit/",
        amendment_indicator_edit,
        name="amendment_indicator_edit",
    ),
    path("<int:number>/lines/new/", views.amendment_line_add, name="amendment_line_add"),
    path(
        "<int:number>/lines/<int:line_pk>/edit/",
        views.amendment_line_edit,
        name="amendment_line_edit",
    ),
    path(
        "<int:number>/lines/<int:line_pk>/remove/",
        views.amendment_line_remove,
        name="amendment_line_remove",
    ),
    path(
        "<int:number>/added-lines/<int:change_pk>/edit/",
        views.amendment_added_line_edit,
        name="amendment_added_line_edit",
    ),
    path(
        "<int:number>/changes/<str:kind>/<int:pk>/cancel/",
        views.amendment_change_cancel,
        name="amendment_change_cancel",
    ),
    path(
        "<int:number>/representatives/new/",
        views.amendment_representative_add,
        name="amendment_representative_add",
    ),
    path("<int:number>/opinion/", views.amendment_opinion, name="amendment_opinion"),
    path("<int:number>/reopen/", views.amendment_reopen, name="amendment_reopen"),
    path("<int:number>/decisions/", views.amendment_decision, name="amendment_decision"),
    path("<int:number>/signatures/", views.amendment_signature, name="amendment_signature"),
    path("<int:number>/abandon/", views.amendment_abandon, name="amendment_abandon"),
]
