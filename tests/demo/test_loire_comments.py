"""The demo's discussion: what a new user finds on the Loire pages, and what each demo
account was told."""

import pytest

from comments.models import Comment, Visibility
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_discusses_the_next_contract_and_the_2017_review(demo):
    comments = Comment.objects.filter(contract__slug="cej-loire-2018-2021")
    assert comments.filter(visibility=Visibility.STAFF).count() == 1
    assert comments.filter(resolved_at__isnull=False).count() == 1
    assert comments.filter(parent__isnull=False).count() == 2
    review = Comment.objects.get(contract__slug="cej-loire-2014-2017", target_kind="review")
    assert review.anchor_label.startswith("Fiche ")
    assert list(review.mentions.values_list("username", flat=True)) == ["cdaje"]


def test_the_demo_accounts_were_told_of_their_mentions_and_replies(demo):
    mentioned = set(
        Notification.objects.filter(kind=Kind.MENTION).values_list("recipient__username", flat=True)
    )
    assert mentioned == {"partner-caf", "cdaje"}
    assert not Notification.objects.filter(
        recipient__username__startswith="partner", title__icontains="bureau"
    ).exists()


def test_a_partner_reads_the_shared_threads_only(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    fiches = "/contracts/cej-loire-2018-2021/fiches/"
    assert "commentaire ouvert" in client.get(fiches).content.decode()
    staff = Comment.objects.get(visibility=Visibility.STAFF)
    from fiches.models import Fiche

    fiche = Fiche.objects.get(pk=staff.target_id)
    page = client.get(f"{fiches}{fiche.number}/").content.decode()
    assert "Le constat reprend les chiffres de 2016" in page
    assert "micro-crèches suppose" not in page
    client.force_login(demo_user("cdaje"))
    assert "micro-crèches suppose" in client.get(f"{fiches}{fiche.number}/").content.decode()
