"""What the API adds to the apps' predicates: a person must be logged in (by session or
token), and a read-only token reads. Whether the person may read or change a given contract
is the apps' own rule, asked by each view exactly as the pages ask it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.models import ApiToken


class AuthenticatedActive(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class TokenMayWrite(permissions.BasePermission):
    message = _("Ce jeton d'accès est en lecture seule : créez-en un qui peut écrire.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)
