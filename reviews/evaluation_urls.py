from django.urls import path

from reviews import evaluation_views as views

urlpatterns = [
    path("", views.final_evaluation, name="final_evaluation"),
    path("adopt/", views.final_evaluation_adopt, name="final_evaluation_adopt"),
    path("evaluation.pdf", views.final_evaluation_pdf, name="final_evaluation_pdf"),
]
