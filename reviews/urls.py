"""URLs under /contracts/<slug>/reviews/: the annual reviews (*bilans annuels*)."""

from django.urls import path

from reviews import views

urlpatterns = [
    path("", views.annual_review_list, name="annual_review_list"),
    path("open/", views.annual_review_open, name="annual_review_open"),
    path("<int:year>/", views.annual_review, name="annual_review"),
    path("<int:year>/review.pdf", views.annual_review_pdf, name="annual_review_pdf"),
    path("<int:year>/needs/", views.annual_review_needs, name="annual_review_needs"),
    path(
        "<int:year>/needs/import/",
        views.annual_review_needs_import,
        name="annual_review_needs_import",
    ),
    path("<int:year>/submit/", views.annual_review_submit, name="annual_review_submit"),
    path("<int:year>/return/", views.annual_review_return, name="annual_review_return"),
    path("<int:year>/adopt/", views.annual_review_adopt, name="annual_review_adopt"),
]
