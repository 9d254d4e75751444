"""Personal access tokens: created, found and revoked here, and nowhere else. The secret is
`cej_` and 43 URL-safe characters (256 bits); only its SHA-256 is stored, so a stolen
database gives no usable token, and a lookup by hash needs no constant-time comparison (the
hash of a guess says nothing of the stored ones)."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken

PREFIX = "cej_"
# A token lives at most a year: a forgotten one dies on its own.
MAX_LIFETIME_DAYS = 366
DEFAULT_LIFETIME_DAYS = 90
# `last_used_at` is written at most this often per token: not one UPDATE per call.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once to its owner, never stored


class TokenRefused(ValueError):
    """A token that cannot be created as asked, with the reason in French."""


@transaction.atomic
def create_token(*, user, name: str, expires_on: datetime.date, read_only: bool = True) -> NewToken:
    today = timezone.localdate()
    name = name.strip()
    if not name:
        raise TokenRefused(_("Donnez un nom au jeton (par exemple, l'outil qui l'utilise)."))
    if expires_on <= today:
        raise TokenRefused(_("La date d'expiration doit être postérieure à aujourd'hui."))
    if expires_on > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
        raise TokenRefused(_("Un jeton vit au plus un an : choisissez une date plus proche."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_secret(secret),
        prefix=secret[: len(PREFIX) + 6],
        read_only=read_only,
        expires_on=expires_on,
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, user, token: ApiToken) -> None:
    """Revoke one of `user`'s tokens (someone else's token does not exist for them)."""
    if token.user_id != user.pk:
        raise ApiToken.DoesNotExist
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token of this secret with its user, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=hash_secret(secret), user__is_active=True)
        .first()
    )
    if token is not None:
        _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
