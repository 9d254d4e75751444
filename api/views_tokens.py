"""A person's personal access tokens (`/api/tokens/`): the list, the form that creates one
— its secret shown on the answer to that form, once, and never again — and revocation,
confirmed. Session only: a token cannot create or revoke tokens (these are pages, outside
the API's authentication). Someone else's token does not exist here (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from cej.security_log import log_security_event


def _page(request, form, *, created=None, status=200):
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=status,
    )


@never_cache  # the answer to a creation holds the secret: no cache may keep it
@login_required
def token_list(request):
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            created = tokens.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                read_only=form.cleaned_data["read_only"],
            )
        except tokens.TokenRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            log_security_event(
                "api_token_created",
                request,
                token=created.token.prefix,
                name=created.token.name,
                read_only=created.token.read_only,
                expires_on=created.token.expires_on.isoformat(),
            )
            # Shown on this answer and nowhere else: no redirect, since the secret is not
            # kept anywhere the next page could read it from.
            return _page(request, TokenForm(), created=created)
    return _page(request, form, status=400)


@login_required
def token_revoke(request, pk):
    """GET: the confirmation; POST: revoked, back to the list."""
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    if request.method != "POST":
        return render(request, "api/token_revoke.html", {"token": token})
    if token.revoked_at is None:
        tokens.revoke_token(user=request.user, token=token)
        log_security_event("api_token_revoked", request, token=token.prefix, name=token.name)
        messages.success(
            request,
            _("Le jeton « %(name)s » est révoqué : il ne donne plus accès à l'API.")
            % {"name": token.name},
        )
    return redirect("api_tokens")
