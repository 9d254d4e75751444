"""The client's address, as django-axes (lockouts) and the security log see it
(settings.AXES_CLIENT_IP_CALLABLE).

Behind the HTTPS reverse proxy (BEHIND_HTTPS_PROXY), every request comes from the proxy's
own address, so REMOTE_ADDR would put every user behind one address: one person's five
wrong passwords would lock a username for everybody. The client is then the *last* address
of X-Forwarded-For, the one the proxy wrote itself (deploy/nginx.conf sets it to
`$remote_addr`; `$proxy_add_x_forwarded_for` appends it): addresses before it come from the
client and could be anything, so trusting them would let an attacker pick a new address for
each attempt. Without the proxy, the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "BEHIND_HTTPS_PROXY", False):
        return remote
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote  # no header, or not an address: the proxy was bypassed or misconfigured
