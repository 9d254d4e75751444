"""The selectors the pages and the plenary pack read: what each viewer reads, in one query."""

import pytest

from comments import services
from comments.models import TargetKind, Visibility
from comments.selectors import open_counts, open_counts_by_target, open_shared_threads, threads_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussion(post_comment, fiche, demo_user):
    """On one fiche: a shared open thread with a reply and a deleted reply, a CDAJE-only
    one, a resolved one and a deleted one."""
    shared = post_comment(fiche, "partner-caf", "Partagé", anchor="field:goals")
    services.comment_reply(thread=shared, body="Réponse", by=demo_user("cdaje"))
    gone = services.comment_reply(thread=shared, body="Oups", by=demo_user("partner-msa"))
    services.comment_delete(comment=gone, by=demo_user("partner-msa"))
    staff = post_comment(fiche, "cdaje", "Réservé", visibility=Visibility.STAFF)
    resolved = post_comment(fiche, "partner-msa", "Résolu")
    services.thread_resolve(thread=resolved, by=demo_user("cdaje"))
    deleted = post_comment(fiche, "partner-msa", "Supprimé")
    services.comment_delete(comment=deleted, by=demo_user("partner-msa"))
    return {"shared": shared, "staff": staff, "resolved": resolved, "deleted": deleted}


def test_threads_for_a_partner_leave_out_the_cdaje_only_ones(
    discussion, fiche, demo_user, django_assert_num_queries
):
    partner = demo_user("partner-caf")
    partner.__dict__["_comments_sees"] = {fiche.contract_id: True}
    partner_threads = threads_for(
        user=partner, contract=fiche.contract, target_kind=TargetKind.FICHE, target_id=fiche.pk
    )
    assert discussion["staff"].pk not in [t.pk for t in partner_threads]
    assert len(partner_threads) == 3
    shared = partner_threads[0]
    assert [c.body for c in shared.comments][:2] == ["<p>Partagé</p>", "<p>Réponse</p>"]
    staff_threads = threads_for(
        user=demo_user("cdaje"),
        contract=fiche.contract,
        target_kind=TargetKind.FICHE,
        target_id=fiche.pk,
    )
    assert discussion["staff"].pk in [t.pk for t in staff_threads]


def test_open_shared_threads_is_what_the_plenary_pack_prints(
    discussion, fiche, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = open_shared_threads(
            contract=fiche.contract, target_kind=TargetKind.FICHE, target_ids=[fiche.pk, 999999]
        )
    assert list(found) == [fiche.pk]
    (thread,) = found[fiche.pk]
    assert thread.pk == discussion["shared"].pk
    assert [c.body for c in thread.comments] == ["<p>Partagé</p>", "<p>Réponse</p>"]
    assert thread.anchor_label == "Objectifs de la fiche"


def test_open_counts_per_viewer_in_one_query(
    discussion, fiche, demo_user, django_assert_num_queries
):
    cdaje, partner = demo_user("cdaje"), demo_user("partner-caf")
    for user in (cdaje, partner):  # what the request has read about them already
        from cej.auth_backends import load_viewer

        load_viewer(user)
    with django_assert_num_queries(1):
        assert open_counts(user=partner, contract=fiche.contract, target_kind="fiche") == {
            fiche.pk: 1
        }
    with django_assert_num_queries(1):
        assert open_counts(user=cdaje, contract=fiche.contract, target_kind="fiche") == {
            fiche.pk: 2
        }
    assert open_counts_by_target(user=partner, contract=fiche.contract) == {("fiche", fiche.pk): 1}
