"""Personal access tokens: only the hash stored, the secret shown once on the page that
creates it; refused (401 in French, `WWW-Authenticate: Bearer`) when unknown, expired,
revoked or its owner deactivated; read-only refusing writes (403); `last_used_at` written at
most every five minutes; the pages and the admin that list and revoke them."""

import datetime
import hashlib
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from api.models import ApiToken
from api.permissions import TokenMayWrite
from api.tokens import LAST_USED_PRECISION, create_token, hash_secret
from tests.api.platform_helpers import SecurityEvents, bearer, token_for

pytestmark = pytest.mark.django_db

CONTRACTS = "/api/v1/contracts/"
TOKENS = "/api/tokens/"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_only_the_hash_is_stored(demo_user):
    new = create_token(user=demo_user("partner-caf"), name="CAF", expires_on=in_days(90))
    assert new.secret.startswith("cej_") and len(new.secret) == 47
    row = ApiToken.objects.filter(pk=new.token.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(new.secret.encode()).hexdigest()
    assert row["prefix"] == new.secret[:10]
    assert not [value for value in row.values() if isinstance(value, str) and new.secret in value]
    assert row["read_only"] is True  # by default


def test_the_page_shows_the_secret_once_and_logs_the_creation(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    page = client.get(TOKENS)
    assert page.status_code == 200
    assert page.context["form"]["read_only"].value() is True
    assert page.context["form"]["expires_on"].value() == in_days(90)
    with SecurityEvents() as events:
        created = client.post(
            TOKENS,
            {"name": "Outil de la CAF", "expires_on": in_days(30).isoformat(), "read_only": "on"},
        )
    assert created.status_code == 200
    secret = created.context["created"].secret
    body = created.content.decode()
    assert body.count(secret) == 1
    assert "il ne sera plus jamais affiché" in body
    assert "no-store" in created["Cache-Control"]
    token = ApiToken.objects.get(user__username="partner-caf")
    assert token.key_hash == hash_secret(secret) and token.read_only
    [event] = events.named("api_token_created")
    assert event["token"] == token.prefix and event["user"] == "partner-caf"
    assert secret not in events.text
    later = client.get(TOKENS).content.decode()
    assert secret not in later and token.prefix in later and "Outil de la CAF" in later


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " ", "expires_on": "2099-01-01"}, "Ce champ est obligatoire."),
        ({"name": "Trop long", "expires_on": "+400"}, "Un jeton vit au plus un an"),
        ({"name": "Passé", "expires_on": "-1"}, "doit être postérieure à aujourd'hui"),
        ({"name": "Mauvaise date", "expires_on": "31/02/2026"}, "Saisissez une date valide."),
    ],
)
def test_a_token_refused_says_why_in_french(client, demo_user, fields, message):
    if fields["expires_on"][0] in "+-":
        fields["expires_on"] = in_days(int(fields["expires_on"])).isoformat()
    client.force_login(demo_user("cdaje"))
    response = client.post(TOKENS, fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_refuses_the_token(client, demo_user):
    token, headers = token_for(demo_user("partner-caf"))
    client.force_login(demo_user("partner-caf"))
    url = reverse("api_token_revoke", kwargs={"pk": token.pk})
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "Révoquer le jeton" in confirmation.content.decode()
    assert ApiToken.objects.usable().filter(pk=token.pk).exists()
    with SecurityEvents() as events:
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert events.named("api_token_revoked")[0]["token"] == token.prefix
    assert client.get(CONTRACTS, **headers).status_code == 401
    # Someone else's token does not exist for them.
    client.force_login(demo_user("partner-cg"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_token_cannot_manage_tokens(client, demo_user):
    """The token pages are the site's, logged in by session: a program's token is not a
    session."""
    _token, headers = token_for(demo_user("partner-caf"), read_only=False)
    response = client.post(TOKENS, {"name": "x", "expires_on": in_days(5).isoformat()}, **headers)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["detail"] in (
        "Jeton d'accès inconnu, expiré ou révoqué.",
        "Informations d'authentification non fournies.",
        "En-tête Authorization invalide : attendu « Bearer <jeton> ».",
    )


def test_expired_revoked_unknown_and_deactivated_are_refused(client, demo_user):
    user = demo_user("partner-caf")
    token, headers = token_for(user)
    assert client.get(CONTRACTS, **headers).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_on=in_days(-1))
    with SecurityEvents() as events:
        refused(client.get(CONTRACTS, **headers))
        refused(client.get(CONTRACTS, **bearer("<script>")))
    assert [event["token"] for event in events.named("api_token_refused")] == [token.prefix, None]
    ApiToken.objects.filter(pk=token.pk).update(expires_on=in_days(0))
    assert client.get(CONTRACTS, **headers).status_code == 200  # valid through its last day

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    refused(client.get(CONTRACTS, **headers))
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)

    user.is_active = False
    user.save(update_fields=["is_active"])
    refused(client.get(CONTRACTS, **headers))

    refused(client.get(CONTRACTS, **bearer("cej_" + "x" * 43)))
    refused(client.get(CONTRACTS, **bearer("pas-un-jeton")))
    refused(client.get(CONTRACTS, HTTP_AUTHORIZATION="Bearer"))
    refused(client.get(CONTRACTS, HTTP_AUTHORIZATION="Bearer a b"))
    refused(client.get(CONTRACTS))  # nothing presented


def test_a_read_only_token_refuses_writes(client, demo_user):
    user = demo_user("finance")
    _read, read_only = token_for(user)
    _write, read_write = token_for(user, read_only=False, name="Écriture")
    response = client.post(CONTRACTS, {}, content_type="application/json", **read_only)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Ce jeton d'accès est en lecture seule : créez-en un qui peut écrire."
    }
    # The same write with a token that may write goes on to the route (which only reads).
    response = client.post(CONTRACTS, {}, content_type="application/json", **read_write)
    assert response.status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_permission_refuses_every_unsafe_method_of_a_read_only_token(demo_user, method):
    user = demo_user("finance")
    read_only, _headers = token_for(user)
    read_write, _headers = token_for(user, read_only=False)
    factory = APIRequestFactory()
    permission = TokenMayWrite()

    def allowed(verb, token):
        request = getattr(factory, verb)("/api/v1/x/")
        request.auth = token
        return permission.has_permission(request, None)

    assert not allowed(method, read_only)
    assert allowed(method, read_write)
    assert allowed(method, None)  # the session: the apps' own rules decide
    assert allowed("get", read_only) and allowed("head", read_only)


def test_last_use_is_written_at_most_every_five_minutes(client, demo_user):
    token, headers = token_for(demo_user("partner-caf"))
    start = timezone.now()
    with mock.patch("api.tokens.timezone.now", return_value=start):
        client.get(CONTRACTS, **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    soon = start + LAST_USED_PRECISION - datetime.timedelta(seconds=1)
    with mock.patch("api.tokens.timezone.now", return_value=soon):
        client.get(CONTRACTS, **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    later = start + LAST_USED_PRECISION + datetime.timedelta(seconds=1)
    with mock.patch("api.tokens.timezone.now", return_value=later):
        client.get(CONTRACTS, **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


@pytest.mark.admin_templates
def test_the_admin_lists_and_revokes_never_adds_or_shows_the_hash(client, demo_user):
    token, _headers = token_for(demo_user("partner-caf"), name="Portail CAF")
    client.force_login(demo_user("admin"))
    changelist = reverse("admin:api_apitoken_changelist")
    listing = client.get(changelist, {"q": "Portail"})
    assert listing.status_code == 200 and "Portail CAF" in listing.content.decode()
    for state in ("usable", "expired", "revoked"):
        assert client.get(changelist, {"state": state}).status_code == 200
    change = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert change.status_code == 200 and token.key_hash not in change.content.decode()
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    assert client.post(reverse("admin:api_apitoken_delete", args=[token.pk])).status_code == 403
    # A POST to the change page changes nothing: every field is read-only.
    client.post(reverse("admin:api_apitoken_change", args=[token.pk]), {"read_only": ""})
    assert ApiToken.objects.get(pk=token.pk).read_only
    with SecurityEvents() as events:
        client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert events.named("api_token_revoked")[0]["owner"] == "partner-caf"
