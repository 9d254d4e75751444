"""Authorization matrix rows of issue 20's comments: `MATRIX_ROWS` (the expected outcome per
viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (URL, payload,
effect; see tests/authz/scenarios.py). Merged into the matrix there.

Comments are written on the Loire contract in preparation (fiche n° 3 of the world) by
whoever sees the contract. A thread shared with the partners is read by all of them; a
CDAJE-only thread exists for the CDAJE staff of the territory (and the administrator) only:
to anyone else its pages answer 404, as for a comment that does not exist. Editing and
deleting belong to the author, within the edit window; resolving to the thread's author and
the CDAJE staff. A frozen (expired) contract's comments are read-only."""

from django.urls import reverse

from tests.authz.cells import DONE, GET, LOGIN, POST, Expect, Scenario
from tests.authz.world import RHONE_SLUG

SHARED_BODY = "<p>Fil partagé de la matrice</p>"
STAFF_BODY = "<p>Fil réservé de la matrice</p>"


def _thread(world, *, staff=False, author="partner-caf", resolved=False):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from comments.models import Comment, TargetKind, Visibility

    user = get_user_model().objects.get(username="cdaje" if staff else author)
    return Comment.objects.create(
        contract=world.preparation,
        target_kind=TargetKind.FICHE,
        target_id=world.fiche.pk,
        anchor="field:findings",
        anchor_label="Constat",
        author=user,
        body=STAFF_BODY if staff else SHARED_BODY,
        visibility=Visibility.STAFF if staff else Visibility.SHARED,
        resolved_at=timezone.now() if resolved else None,
        resolved_by=user if resolved else None,
    )


def _shared(world):
    _thread(world)


def _staff(world):
    _thread(world, staff=True)


def _resolved(world):
    _thread(world, resolved=True)


def _expired(world):
    from cej.models import Contract, ContractStatus

    _thread(world)
    Contract.objects.filter(pk=world.preparation.pk).update(status=ContractStatus.EXPIRED)


def _comment_url(name, *, body=SHARED_BODY, slug=None):
    def build(world):
        from comments.models import Comment

        comment = Comment.objects.get(body=body, contract=world.preparation)
        return reverse(name, kwargs={"slug": slug or world.preparation.slug, "pk": comment.pk})

    return build


def _create_url(slug=None):
    return lambda world: reverse("comment_create", kwargs={"slug": slug or world.preparation.slug})


def _new_thread(world, viewer):
    return {
        "target_kind": "fiche",
        "target_id": world.fiche.pk,
        "anchor": "field:goals",
        "visibility": "shared",
        "body": f"Remarque de {viewer}",
    }


def _reply(world, viewer):
    return {"body": f"Réponse de {viewer}"}


def _edit(world, viewer):
    return {"body": f"Corrigé par {viewer}"}


def _comments(world, client, viewer):
    from comments.models import Comment

    return sorted(
        Comment.objects.filter(contract=world.preparation).values_list(
            "body", "deleted_at", "resolved_at"
        ),
        key=str,
    )


READ = (LOGIN, 200, 200, 200, 404, 404, 200)
NOT_GET = (LOGIN, 405, 405, 405, 405, 405, 405)
ANYONE = (LOGIN, DONE, DONE, DONE, 404, 404, DONE)
# A CDAJE-only thread: absent for whoever is not the CDAJE staff of the territory.
STAFF_READ = (LOGIN, 200, 404, 404, 404, 404, 200)
FROZEN = Expect(403, says=("il est figé",), label="FROZEN")
NOWHERE = (LOGIN, 404, 404, 404, 404, 404, 404)

# fmt: off
MATRIX_ROWS: dict = {
    # row                        method  anon.  cdaje   finance partner outsid. elsew.  admin
    ("comment_create",           GET):  NOT_GET,
    ("comment_create",           POST): ANYONE,
    ("comment_create[expired]",  POST): (LOGIN, FROZEN, FROZEN, FROZEN, 404, 404,   FROZEN),
    # A Loire fiche at the Rhône contract's address, where `outsider` and `elsewhere` may write.
    ("comment_create[Rhône]",    POST): NOWHERE,
    ("comment_reply",            GET):  NOT_GET,
    ("comment_reply",            POST): ANYONE,
    ("comment_reply[staff]",     POST): (LOGIN, DONE,  404,    404,    404,    404,    DONE),
    ("comment_reply[expired]",   POST): (LOGIN, FROZEN, FROZEN, FROZEN, 404, 404,   FROZEN),
    # The author (partner-caf) only.
    ("comment_edit",             GET):  (LOGIN, 403,   403,    200,    404,    404,    403),
    ("comment_edit",             POST): (LOGIN, 403,   403,    DONE,   404,    404,    403),
    ("comment_edit[staff]",      GET):  (LOGIN, 200,   404,    404,    404,    404,    403),
    ("comment_delete",           GET):  NOT_GET,
    ("comment_delete",           POST): (LOGIN, 403,   403,    DONE,   404,    404,    403),
    # The thread's author (partner-caf) and the CDAJE staff.
    ("comment_resolve",          GET):  NOT_GET,
    ("comment_resolve",          POST): (LOGIN, DONE,  403,    DONE,   404,    404,    DONE),
    ("comment_resolve[staff]",   POST): (LOGIN, DONE,  404,    404,    404,    404,    DONE),
    ("comment_reopen",           GET):  NOT_GET,
    ("comment_reopen",           POST): (LOGIN, DONE,  403,    DONE,   404,    404,    DONE),
    ("comment_history",          GET):  READ,
    ("comment_history",          POST): READ,
    ("comment_history[staff]",   GET):  STAFF_READ,
    ("comment_history[Rhône]",   GET):  NOWHERE,
    # The pages that show the threads: a partner never reads a CDAJE-only one there.
    ("fiche_detail[comments]",   GET):  READ,
}
# fmt: on


def _fiche_page(world):
    return reverse(
        "fiche_detail", kwargs={"slug": world.preparation.slug, "number": world.fiche.number}
    )


def _no_staff_text_for_partners(world, client, viewer):
    """Read as the effect, so that a page showing the CDAJE-only thread to a partner fails
    the cell (the effect then differs from before)."""
    if viewer not in ("partner", "finance"):
        return None
    body = client.get(_fiche_page(world)).content.decode()
    assert "Fil réservé de la matrice" not in body, f"{viewer} reads a CDAJE-only comment"
    assert "Fil partagé de la matrice" in body
    return None


def _staff_and_shared(world):
    _thread(world)
    _thread(world, staff=True)


SCENARIOS: dict = {
    "comment_create": Scenario(url=_create_url(), data=_new_thread, effect=_comments),
    "comment_create[expired]": Scenario(
        url=_create_url(), prepare=_expired, data=_new_thread, effect=_comments
    ),
    "comment_create[Rhône]": Scenario(
        url=_create_url(RHONE_SLUG), data=_new_thread, effect=_comments
    ),
    "comment_reply": Scenario(
        url=_comment_url("comment_reply"), prepare=_shared, data=_reply, effect=_comments
    ),
    "comment_reply[staff]": Scenario(
        url=_comment_url("comment_reply", body=STAFF_BODY),
        prepare=_staff,
        data=_reply,
        effect=_comments,
    ),
    "comment_reply[expired]": Scenario(
        url=_comment_url("comment_reply"), prepare=_expired, data=_reply, effect=_comments
    ),
    "comment_edit": Scenario(
        url=_comment_url("comment_edit"), prepare=_shared, data=_edit, effect=_comments
    ),
    "comment_edit[staff]": Scenario(
        url=_comment_url("comment_edit", body=STAFF_BODY), prepare=_staff, effect=_comments
    ),
    "comment_delete": Scenario(
        url=_comment_url("comment_delete"), prepare=_shared, effect=_comments
    ),
    "comment_resolve": Scenario(
        url=_comment_url("comment_resolve"), prepare=_shared, effect=_comments
    ),
    "comment_resolve[staff]": Scenario(
        url=_comment_url("comment_resolve", body=STAFF_BODY), prepare=_staff, effect=_comments
    ),
    "comment_reopen": Scenario(
        url=_comment_url("comment_reopen"), prepare=_resolved, effect=_comments
    ),
    "comment_history": Scenario(url=_comment_url("comment_history"), prepare=_shared),
    "comment_history[staff]": Scenario(
        url=_comment_url("comment_history", body=STAFF_BODY), prepare=_staff
    ),
    "comment_history[Rhône]": Scenario(
        url=_comment_url("comment_history", slug=RHONE_SLUG), prepare=_shared
    ),
    "fiche_detail[comments]": Scenario(
        url=_fiche_page, prepare=_staff_and_shared, effect=_no_staff_text_for_partners
    ),
}

# The admin shows no comment (they change through their pages): no ADMIN_MODELS rows.
ADMIN_MODELS: dict = {}
