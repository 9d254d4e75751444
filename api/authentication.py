"""How a program authenticates: `Authorization: Bearer cej_…`, a personal access token.
A person's browser uses its session instead (DRF's SessionAuthentication, with its CSRF
check on writes)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api.tokens import PREFIX, token_for_secret
from cej.security_log import log_security_event


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("En-tête Authorization invalide : attendu « Bearer <jeton> ».")
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            secret = ""
        token = token_for_secret(secret)
        if token is None:
            # The start of a secret of ours (the prefix its owner sees in their list) tells
            # which revoked or expired token a program still presents; anything else is not
            # repeated into the log.
            presented = secret[:10] if secret.startswith(PREFIX) and len(secret) >= 10 else None
            log_security_event("api_token_refused", request._request, token=presented)
            raise exceptions.AuthenticationFailed(_("Jeton d'accès inconnu, expiré ou révoqué."))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
