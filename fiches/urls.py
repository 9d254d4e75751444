from django.urls import include, path

from fiches import views

urlpatterns = [
    path("", views.fiche_list, name="fiche_list"),
    path("new/", views.fiche_create, name="fiche_create"),
    path("<int:number>/", views.fiche_detail, name="fiche_detail"),
    path("<int:number>/edit/", views.fiche_edit, name="fiche_edit"),
    path("<int:number>/fiche.pdf", views.fiche_pdf, name="fiche_pdf"),
    path("<int:number>/indicators/", include("fiches.indicator_urls")),
    path("<int:number>/history/", views.fiche_history, name="fiche_history"),
    path(
        "<int:number>/history/<int:version>/restore/",
        views.fiche_restore,
        name="fiche_restore",
    ),
    path(
        "<int:number>/transition/<slug:name>/",
        views.fiche_transition,
        name="fiche_transition",
    ),
]
