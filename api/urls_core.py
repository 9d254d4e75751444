"""Parties, objectives, fiches and their versions, indicators, reviews, avenants, documents:
under `/api/v1/contracts/<slug>/`, read-only, scoped like the pages."""

from django.urls import path

from api import views_core_acts, views_core_execution, views_core_fiches, views_core_parties

urlpatterns = [
    path("parties/", views_core_parties.PartyList.as_view(), name="party_list"),
    path("objectives/", views_core_parties.ObjectiveList.as_view(), name="objective_list"),
    path("fiches/", views_core_fiches.FicheList.as_view(), name="fiche_list"),
    path("fiches/<int:number>/", views_core_fiches.FicheDetail.as_view(), name="fiche_detail"),
    path(
        "fiches/<int:number>/versions/",
        views_core_fiches.FicheVersionList.as_view(),
        name="fiche_versions",
    ),
    path("indicators/", views_core_execution.IndicatorList.as_view(), name="indicator_list"),
    path("reviews/", views_core_execution.ReviewList.as_view(), name="review_list"),
    path("reviews/<int:year>/", views_core_execution.ReviewDetail.as_view(), name="review_detail"),
    path("avenants/", views_core_acts.AmendmentList.as_view(), name="avenant_list"),
    path(
        "avenants/<int:number>/",
        views_core_acts.AmendmentDetail.as_view(),
        name="avenant_detail",
    ),
    path("documents/", views_core_acts.DocumentList.as_view(), name="document_list"),
    path("documents/<int:pk>/", views_core_acts.DocumentDetail.as_view(), name="document_detail"),
    path(
        "documents/<int:pk>/download/",
        views_core_acts.DocumentDownload.as_view(),
        name="document_download",
    ),
]
