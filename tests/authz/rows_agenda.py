"""Authorization matrix rows of issue 20's calendar: a contract's calendar and its plenaries
and deadlines, « Mes échéances » with the feed link, and the feed itself. Merged into the
matrix (tests/test_authorization_matrix.py) and the scenarios (tests/authz/scenarios.py).

The signed Loire contract's calendar, as the demo leaves it: the Loire CDAJE's plenaries
2014–2018 and four deadlines added by hand. Whoever sees the contract reads its calendar;
the CDAJE coordination keeps the plenaries, the CDAJE staff the deadlines (the `cdaje`
account is both). « Mes échéances » is everyone's own page. The feed needs no session: its
secret token is the key, whoever holds it reads it; a revoked one answers 404 to all."""

from django.urls import reverse

from tests.authz.cells import DONE, GET, LOGIN, POST, Expect, Scenario

HELD = Expect(200, done=True, label="HELD")


def _plenary(world):
    from agenda.models import Plenary

    return Plenary.objects.filter(territory_id=world.contract.territory_id).order_by("held_on")[0]


def _deadline(world):
    from agenda.models import Deadline

    return Deadline.objects.filter(contract=world.contract).order_by("due_on")[0]


def _url(name, item=None):
    def build(world):
        kwargs = {"slug": world.contract.slug}
        if item is not None:
            kwargs["pk"] = item(world).pk
        return reverse(name, kwargs=kwargs)

    return build


def _plenaries(world, client, viewer):
    from agenda.models import Plenary

    return sorted(
        (p.held_on, p.place)
        for p in Plenary.objects.filter(territory_id=world.contract.territory_id)
    )


def _deadlines(world, client, viewer):
    from agenda.models import Deadline

    return sorted(
        (d.pk, d.title, d.due_on, d.done_on)
        for d in Deadline.objects.filter(contract=world.contract)
    )


def _plenary_data(world, viewer):
    return {"held_on": "2019-01-15", "place": f"Salle du conseil ({viewer})"}


def _deadline_data(world, viewer):
    return {
        "due_on": "2017-09-15",
        "title": f"Relancer les partenaires ({viewer})",
        "visibility": "shared",
        "responsible": "",
    }


def _feed_tokens(world, client, viewer):
    from agenda.models import FeedToken

    user = world.users.get(viewer)
    if user is None:
        return None
    return sorted(FeedToken.objects.filter(user=user).values_list("pk", "revoked_at"))


def _with_token(world, client):
    """The viewer makes their feed link first, in their own session."""
    client.post(reverse("feed_token_create"))
    return {}


def _own_token(revoked=False):
    """Before the request: the viewer's own feed token (the CDAJE agent's for the anonymous
    visitor: the token, not a session, opens the feed), revoked or not."""

    def before(world, client):
        from django.contrib.auth import get_user_model

        from agenda import services

        user_id = client.session.get("_auth_user_id")
        user = get_user_model().objects.get(pk=user_id) if user_id else world.users["cdaje"]
        world._agenda_token = services.feed_token_create(user=user)
        if revoked:
            services.feed_token_revoke(user=user)
        return {}

    return before


def _feed_url(world):
    return reverse("calendar_feed", kwargs={"token": world._agenda_token})


READ = (LOGIN, 200, 200, 200, 404, 404, 200)
NOT_GET = (LOGIN, 405, 405, 405, 405, 405, 405)
NOT_POST = (LOGIN, 405, 405, 405, 405, 405, 405)
COORDINATION = (LOGIN, DONE, 403, 403, 404, 404, DONE)
CDAJE = (LOGIN, DONE, 403, 403, 404, 404, DONE)
EDIT_PAGE = (LOGIN, 200, 403, 403, 404, 404, 200)
EVERYONE = (LOGIN, 200, 200, 200, 200, 200, 200)

# fmt: off
MATRIX_ROWS: dict = {
    # row                          method  anon. cdaje finance partner outsid. elsew. admin
    ("contract_calendar",          GET):  READ,
    ("contract_calendar",          POST): NOT_POST,
    ("plenary_create",             GET):  NOT_GET,
    ("plenary_create",             POST): COORDINATION,
    ("plenary_edit",               GET):  EDIT_PAGE,
    ("plenary_edit",               POST): COORDINATION,
    ("plenary_delete",             GET):  NOT_GET,
    ("plenary_delete",             POST): COORDINATION,
    ("deadline_create",            GET):  NOT_GET,
    ("deadline_create",            POST): CDAJE,
    ("deadline_edit",              GET):  EDIT_PAGE,
    ("deadline_edit",              POST): CDAJE,
    ("deadline_close",             GET):  NOT_GET,
    ("deadline_close",             POST): CDAJE,
    ("deadline_delete",            GET):  NOT_GET,
    ("deadline_delete",            POST): CDAJE,
    # Everyone's own: what they see, across the contracts they see (none for an outsider).
    ("person_deadlines",           GET):  EVERYONE,
    ("person_deadlines",           POST): NOT_POST,
    # The address is shown once, on the page that answers the POST.
    ("feed_token_create",          GET):  NOT_GET,
    ("feed_token_create",          POST): (LOGIN, HELD, HELD, HELD, HELD, HELD, HELD),
    ("feed_token_revoke",          GET):  NOT_GET,
    ("feed_token_revoke",          POST): (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE),
    # No session: each viewer's own token is the key (the anonymous visitor holds the CDAJE
    # agent's); the feed shows only what its owner sees.
    ("calendar_feed",              GET):  (200, 200, 200, 200, 200, 200, 200),
    ("calendar_feed",              POST): (405, 405, 405, 405, 405, 405, 405),
    ("calendar_feed[revoked]",     GET):  (404, 404, 404, 404, 404, 404, 404),
    ("calendar_feed[revoked]",     POST): (405, 405, 405, 405, 405, 405, 405),
}
# fmt: on

SCENARIOS: dict = {
    "contract_calendar": Scenario(url=_url("contract_calendar")),
    "plenary_create": Scenario(url=_url("plenary_create"), data=_plenary_data, effect=_plenaries),
    "plenary_edit": Scenario(
        url=_url("plenary_edit", _plenary), data=_plenary_data, effect=_plenaries
    ),
    "plenary_delete": Scenario(url=_url("plenary_delete", _plenary), effect=_plenaries),
    "deadline_create": Scenario(
        url=_url("deadline_create"), data=_deadline_data, effect=_deadlines
    ),
    "deadline_edit": Scenario(
        url=_url("deadline_edit", _deadline), data=_deadline_data, effect=_deadlines
    ),
    "deadline_close": Scenario(
        url=_url("deadline_close", _deadline),
        data=lambda w, v: {"reopen": "1"},
        effect=_deadlines,
    ),
    "deadline_delete": Scenario(url=_url("deadline_delete", _deadline), effect=_deadlines),
    "person_deadlines": Scenario(url=lambda w: reverse("person_deadlines")),
    "feed_token_create": Scenario(url=lambda w: reverse("feed_token_create"), effect=_feed_tokens),
    "feed_token_revoke": Scenario(
        url=lambda w: reverse("feed_token_revoke"), before=_with_token, effect=_feed_tokens
    ),
    "calendar_feed": Scenario(url=_feed_url, before=_own_token()),
    "calendar_feed[revoked]": Scenario(url=_feed_url, before=_own_token(revoked=True)),
}
