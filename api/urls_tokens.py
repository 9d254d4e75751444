"""`/api/tokens/`: a person's personal access tokens, pages of the site (session only)."""

from django.urls import path

from api import views_tokens

urlpatterns = [
    path("", views_tokens.token_list, name="api_tokens"),
    path("<int:pk>/revoke/", views_tokens.token_revoke, name="api_token_revoke"),
]
