"""Throttling per token (a program), else per person (a browser), else per address: one
runaway script cannot slow everyone else. Counted in the default cache; behind several
processes that cache must be shared (CACHE_URL, e.g. Redis) for the rate to hold exactly."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
