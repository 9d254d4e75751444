"""`/api/v1/`: the JSON API. Each resource family has its own URL module, included here."""

from django.urls import include, path

from api import views_contracts, views_root

app_name = "api"

urlpatterns = [
    path("", views_root.ApiRoot.as_view(), name="root"),
    path("schema/", views_root.Schema.as_view(), name="schema"),
    path("docs/", views_root.Docs.as_view(), name="docs"),
    path("contracts/", views_contracts.ContractList.as_view(), name="contract_list"),
    path(
        "contracts/<slug:slug>/", views_contracts.ContractDetail.as_view(), name="contract_detail"
    ),
    # Parties, objectives, fiches and their versions, indicators, reviews, documents.
    path("contracts/<slug:slug>/", include("api.urls_core")),
    # Budget lines and their financing plan, payments; actual figures and payments pushed.
    path("contracts/<slug:slug>/", include("api.urls_financing")),
]
