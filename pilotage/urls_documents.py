"""URLs under /contracts/<slug>/documents/: the document space, downloads, signatures,
deposits and sealed amendments."""

from django.urls import path

from pilotage import views_documents as views

urlpatterns = [
    path("", views.document_space, name="contract_documents"),
    path("<int:pk>/download/", views.document_download_view, name="document_download"),
    path("signatures/", views.signature_record_view, name="signature_record"),
    path("signatures/<int:pk>/cancel/", views.signature_cancel_view, name="signature_cancel"),
    path("deposit/", views.document_deposit_view, name="document_deposit"),
    path("amendments/<int:number>/seal/", views.amendment_seal_view, name="amendment_seal"),
]
