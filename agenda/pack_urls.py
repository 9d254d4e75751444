"""The CDAJE plenaries' agenda and pack, under /plenaries/ (included from config/urls.py)."""

from django.urls import path

from agenda import pack_views

urlpatterns = [
    path("<int:pk>/", pack_views.plenary_detail, name="plenary_detail"),
    path("<int:pk>/pack.pdf", pack_views.plenary_pack_pdf, name="plenary_pack_pdf"),
]
