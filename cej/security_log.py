"""The security log: one JSON object per line on standard output, for the operator's log
collector (journald, a container runtime, a SIEM) to keep and search.

Events: `login` and `login_failed` (with the username tried, never the password),
`lockout` (django-axes), `logout`, `permission_denied` (every 403, with the reason given to
the user), `out_of_scope` (a contract that exists but is not the user's: answered 404, logged
here because probing other contracts is what an attacker does), `document_download`,
`import_applied` and `import_rejected`. Each line carries the time, the user, the client
address (as django-axes reads it, so behind the proxy when BEHIND_HTTPS_PROXY is set), the
method and the path.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from cej.client_address import client_address

logger = logging.getLogger("cej.security")


def log_security_event(event: str, request=None, **fields) -> None:
    """Write one security event; `fields` must be JSON-serialisable (str() otherwise)."""
    record = {"event": event}
    if request is not None:
        user = getattr(request, "user", None)
        record["user"] = user.get_username() if user is not None and user.is_authenticated else None
        record["ip"] = client_address(request)
        record["method"] = request.method
        record["path"] = request.path
    record.update(fields)
    logger.info(event, extra={"security": record})


class PermissionDeniedLogMiddleware:
    """Logs every 403 the application answers, whoever raised it (a view's predicate, the
    admin, CSRF); the reason is the predicate's message when there is one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_security_event(
                "permission_denied",
                request,
                reason=getattr(request, "_cej_denial_reason", "") or None,
            )
        return response

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied

        if isinstance(exception, PermissionDenied):
            request._cej_denial_reason = str(exception)
        return None


@receiver(user_login_failed, dispatch_uid="cej_security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "axes_locked_out", False):
        return  # the lockout event says it
    log_security_event("login_failed", request, username=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="cej_security_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    log_security_event("lockout", request, username=username, locked_ip=ip_address)


@receiver(user_logged_in, dispatch_uid="cej_security_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None:  # force_login in tests and scripts has no request
        log_security_event("login", request, username=user.get_username())


@receiver(user_logged_out, dispatch_uid="cej_security_logout")
def _logged_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        log_security_event("logout", request, username=user.get_username())
