"""The indicators of a fiche, under /contracts/<slug>/fiches/<number>/indicators/."""

from django.urls import path

from fiches import indicator_views as views

urlpatterns = [
    path("", views.fiche_indicators, name="fiche_indicators"),
    path("new/", views.indicator_create, name="indicator_create"),
    path("<int:indicator>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<int:indicator>/<int:year>/actual/", views.indicator_actual, name="indicator_actual"),
]
