"""Authorization matrix rows of issue 20's notification pages: `MATRIX_ROWS` (columns as in
tests/test_authorization_matrix.py), `SCENARIOS` (tests/authz/scenarios.py) and
`ADMIN_MODELS`.

A notification is its recipient's alone: everyone logged in has a list and preferences of
their own, and anyone else's notification does not exist for them (404, as a number never
used). The rows prepare one unread notification for each viewer, and open or mark the CDAJE
agent's."""

from django.urls import reverse

from tests.authz.cells import DONE, GET, LOGIN, POST, Expect, Scenario

KEY = "matrice"
TARGET = "/contracts/cej-loire-2014-2017/fiches/3/"


def _one_each(world):
    """An unread notification for every viewer, pointing at a page of the Loire."""
    from notifications.models import Delivery, EmailState, Kind, Notification

    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Kind.FICHE_SUBMITTED,
            title=f"Fiche 3 soumise à la CDAJE ({user.username})",
            url=TARGET,
            key=KEY,
            delivery=Delivery.IMMEDIATE,
            email_state=EmailState.SENT,
        )
        for user in world.users.values()
        if user is not None
    )


def _cdaje_s(world):
    from notifications.models import Notification

    return Notification.objects.get(recipient=world.users["cdaje"], key=KEY)


def _url(name):
    def build(world):
        return reverse(name, kwargs={"pk": _cdaje_s(world).pk})

    return build


def _read(world, client, viewer):
    return _cdaje_s(world).read_at is not None


def _unread_of_viewer(world, client, viewer):
    from notifications.models import Notification

    user = world.users[viewer]
    if user is None:
        return None
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _preferences_of_viewer(world, client, viewer):
    from notifications.models import NotificationPreference

    user = world.users[viewer]
    if user is None:
        return None
    return sorted(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))


def _never_digest(world, viewer):
    from notifications.models import Delivery, Kind

    return {kind.value: Delivery.DIGEST for kind in Kind} | {Kind.MENTION: Delivery.NONE}


OPENED = Expect(302, location=TARGET, done=True, label="→ its page, read")
BACK = Expect(302, location="/notifications/", done=True, label="→ the list, read")
MINE = (LOGIN, 200, 200, 200, 200, 200, 200)
MINE_DONE = (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE)
NOT_GET = (LOGIN, 405, 405, 405, 405, 405, 405)

# fmt: off
MATRIX_ROWS: dict = {
    # row                                  method  anon. cdaje finance partner outsid. elsew. admin
    ("notification_list",                  GET):  MINE,
    ("notification_list",                  POST): MINE,
    ("notification_read_all",              GET):  NOT_GET,
    ("notification_read_all",              POST): MINE_DONE,
    ("notification_preferences",           GET):  MINE,
    ("notification_preferences",           POST): MINE_DONE,
    # The CDAJE agent's notification: theirs to open; for everyone else, it does not exist.
    ("notification_open",                  GET):  (LOGIN, OPENED, 404, 404, 404, 404, 404),
    ("notification_open",                  POST): (LOGIN, OPENED, 404, 404, 404, 404, 404),
    ("notification_read",                  GET):  NOT_GET,
    ("notification_read",                  POST): (LOGIN, BACK,   404, 404, 404, 404, 404),
}
# fmt: on

SCENARIOS: dict = {
    "notification_list": Scenario(url=lambda w: reverse("notification_list"), prepare=_one_each),
    "notification_read_all": Scenario(
        url=lambda w: reverse("notification_read_all"),
        prepare=_one_each,
        effect=_unread_of_viewer,
    ),
    "notification_preferences": Scenario(
        url=lambda w: reverse("notification_preferences"),
        data=_never_digest,
        effect=_preferences_of_viewer,
    ),
    "notification_open": Scenario(url=_url("notification_open"), prepare=_one_each, effect=_read),
    "notification_read": Scenario(url=_url("notification_read"), prepare=_one_each, effect=_read),
}

# fmt: off
ADMIN_MODELS: dict = {
    # model                          changelist add   change delete history
    "notifications.notification":    (200,      403,  200,   403,   200),
}
# fmt: on
