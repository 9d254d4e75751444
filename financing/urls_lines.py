"""Line editing, history, actual figures and execution entries, under
/contracts/<slug>/budget/."""

from django.urls import path

from financing import views_actuals, views_lines

urlpatterns = [
    path("lines/new/", views_lines.budget_line_create, name="budget_line_create"),
    path("lines/<int:pk>/edit/", views_lines.budget_line_edit, name="budget_line_edit"),
    path("lines/<int:pk>/delete/", views_lines.budget_line_delete, name="budget_line_delete"),
    path("lines/<int:pk>/history/", views_lines.budget_line_history, name="budget_line_history"),
    path(
        "lines/<int:pk>/actuals/",
        views_actuals.budget_line_actuals,
        name="budget_line_actuals",
    ),
    path(
        "lines/<int:pk>/entries/new/",
        views_lines.budget_entry_create,
        name="budget_entry_create",
    ),
]
