import pytest

from comments import services
from comments.models import TargetKind, Visibility
from comments.targets import target_for
from fiches.models import Fiche


@pytest.fixture(autouse=True)
def _no_demo_discussion(demo):
    """These tests count the comments and notifications they make: the demo's own threads
    (tests/comments/test_demo.py reads them) and what they notified are set aside, rolled
    back with the test."""
    from comments.models import Comment
    from notifications.models import Notification

    Comment.objects.all().delete()
    Notification.objects.all().delete()


@pytest.fixture
def contract(contract_in_preparation):
    """The successor contract, in preparation: its fiches are being written and discussed."""
    return contract_in_preparation


@pytest.fixture
def fiche(contract):
    return Fiche.objects.filter(contract=contract).order_by("number").first()


def fiche_url(fiche):
    return f"/contracts/{fiche.contract.slug}/fiches/{fiche.number}/"


def comments_url(contract, suffix=""):
    return f"/contracts/{contract.slug}/comments/{suffix}"


@pytest.fixture
def post_comment(demo_user):
    """Open a thread on a fiche through the service: post_comment(fiche, "cdaje", "texte")."""

    def post(
        obj, username, body, *, kind=TargetKind.FICHE, visibility=Visibility.SHARED, anchor=""
    ):
        target = target_for(kind, obj, obj.contract)
        return services.comment_create(
            target=target,
            body=body,
            by=demo_user(username),
            anchor=anchor,
            visibility=visibility,
        )

    return post
