"""Authorization matrix rows of the API's front door and of the token pages (issue 21):
`MATRIX_ROWS` (columns as in tests/test_authorization_matrix.py), `SCENARIOS`
(tests/authz/scenarios.py) and `ADMIN_MODELS`.

The matrix speaks to the API as a browser does, by session. Nobody logged in: 401 (the
`WWW-Authenticate: Bearer` challenge), except the schema and its documentation, public —
they describe the routes, not the data. A contract out of scope is the 404 of a slug that
never existed. The API's routes here only read: a POST is 405 to whoever is logged in.

The token pages are the site's: everyone logged in has their own list and creates tokens
there, the answer to the creation showing the secret once; a token is its owner's alone
(anyone else's is a 404, as a number never used)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.authz.cells import GET, LOGIN, POST, Expect, Scenario

UNAUTHORIZED = Expect(401, label="401")
SHOWN = Expect(200, done=True, says=("il ne sera plus jamais affiché",), label="SHOWN")
REVOKED = Expect(302, location="/api/tokens/", done=True, label="→ the list, revoked")
NAME = "Jeton de la matrice"


def _slug_url(name):
    return lambda world: reverse(name, kwargs={"slug": world.contract.slug})


def _cdaje_s_token(world):
    from api.tokens import create_token

    create_token(
        user=world.users["cdaje"],
        name=NAME,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )


def _token_url(world):
    from api.models import ApiToken

    token = ApiToken.objects.get(user=world.users["cdaje"], name=NAME)
    return reverse("api_token_revoke", kwargs={"pk": token.pk})


def _revoked(world, client, viewer):
    from api.models import ApiToken

    return ApiToken.objects.get(user=world.users["cdaje"], name=NAME).revoked_at is not None


def _tokens_of_viewer(world, client, viewer):
    from api.models import ApiToken

    user = world.users[viewer]
    return None if user is None else ApiToken.objects.filter(user=user).count()


def _new_token(world, viewer):
    expires = timezone.localdate() + datetime.timedelta(days=30)
    return {"name": "Outil de la matrice", "expires_on": expires.isoformat(), "read_only": "on"}


PUBLIC = (200, 200, 200, 200, 200, 200, 200)
ONLY_GET = (405, 405, 405, 405, 405, 405, 405)
LOGGED_IN = (UNAUTHORIZED, 200, 200, 200, 200, 200, 200)
READS_ONLY = (UNAUTHORIZED, 405, 405, 405, 405, 405, 405)

# fmt: off
MATRIX_ROWS: dict = {
    # row                      method  anon.         cdaje   finance partner outsid. elsew.  admin
    ("api:root",               GET):  LOGGED_IN,
    ("api:root",               POST): READS_ONLY,
    ("api:schema",             GET):  PUBLIC,
    ("api:schema",             POST): ONLY_GET,
    ("api:docs",               GET):  PUBLIC,
    ("api:docs",               POST): ONLY_GET,
    ("api:contract_list",      GET):  LOGGED_IN,
    ("api:contract_list",      POST): READS_ONLY,
    ("api:contract_detail",    GET):  (UNAUTHORIZED, 200,   200,    200,    404,    404,    200),
    ("api:contract_detail",    POST): READS_ONLY,
    # The token pages: one's own.
    ("api_tokens",             GET):  (LOGIN, 200,   200,   200,   200,   200,   200),
    ("api_tokens",             POST): (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN),
    ("api_token_revoke",       GET):  (LOGIN, 200,     404, 404, 404, 404, 404),
    ("api_token_revoke",       POST): (LOGIN, REVOKED, 404, 404, 404, 404, 404),
}
# fmt: on

SCENARIOS: dict = {
    "api:root": Scenario(url=lambda w: reverse("api:root")),
    "api:schema": Scenario(url=lambda w: reverse("api:schema")),
    "api:docs": Scenario(url=lambda w: reverse("api:docs")),
    "api:contract_list": Scenario(url=lambda w: reverse("api:contract_list")),
    "api:contract_detail": Scenario(url=_slug_url("api:contract_detail")),
    "api_tokens": Scenario(
        url=lambda w: reverse("api_tokens"), data=_new_token, effect=_tokens_of_viewer
    ),
    "api_token_revoke": Scenario(url=_token_url, prepare=_cdaje_s_token, effect=_revoked),
}

# fmt: off
ADMIN_MODELS: dict = {
    # model            changelist add   change delete history
    "api.apitoken":    (200,      403,  200,   403,   200),
}
# fmt: on
