"""The comment services: who may write what, the history kept, the mentions refused by name,
and who is told (never a partner of a CDAJE-only thread)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cej.models import ContractStatus
from comments import services
from comments.models import Comment, CommentRevision, RevisionAction, TargetKind, Visibility
from notifications.models import Kind, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_a_partner_opens_a_thread_on_a_section_of_a_fiche(post_comment, fiche):
    comment = post_comment(
        fiche, "partner-caf", "Le constat\n\nmérite <b>une</b> source.", anchor="field:findings"
    )
    assert comment.anchor_label == "Constat"
    assert comment.visibility == Visibility.SHARED
    assert comment.contract_id == fiche.contract_id
    # Blank lines make paragraphs; light formatting stays.
    assert comment.body == "<p>Le constat</p>\n\n<p>mérite <b>une</b> source.</p>"
    assert post_comment(fiche, "cdaje", "si a < b").body == "<p>si a &lt; b</p>"


def test_formatting_is_sanitized_like_the_fiche_texts(post_comment, fiche):
    comment = post_comment(
        fiche, "cdaje", '<p onclick="x()">Voir <strong>ici</strong><script>alert(1)</script></p>'
    )
    assert comment.body == "<p>Voir <strong>ici</strong></p>"


def test_an_anchor_the_fiche_does_not_offer_is_refused(post_comment, fiche):
    with pytest.raises(ValidationError) as error:
        post_comment(fiche, "cdaje", "Texte", anchor="field:password")
    assert "Cette section n'existe pas" in str(error.value)


def test_budget_lines_and_indicators_of_the_fiche_are_sections(demo_contract, post_comment):
    from comments.targets import target_for
    from fiches.models import Fiche

    fiche = Fiche.objects.filter(contract=demo_contract, indicator_set__isnull=False).first()
    anchors = dict(target_for(TargetKind.FICHE, fiche, demo_contract).anchors())
    assert any(key.startswith("indicator:") for key in anchors)
    fiche = Fiche.objects.filter(contract=demo_contract, budget_lines__isnull=False).first()
    anchors = dict(target_for(TargetKind.FICHE, fiche, demo_contract).anchors())
    line_anchors = [key for key in anchors if key.startswith("line:")]
    assert line_anchors
    comment = post_comment(fiche, "finance", "Montant ?", anchor=line_anchors[0])
    assert comment.anchor_label.startswith("Ligne budgétaire")


def test_only_the_cdaje_staff_write_a_cdaje_only_thread(post_comment, fiche):
    with pytest.raises(PermissionDenied):
        post_comment(fiche, "partner-caf", "Entre nous", visibility=Visibility.STAFF)
    with pytest.raises(PermissionDenied):
        post_comment(fiche, "finance", "Entre nous", visibility=Visibility.STAFF)
    assert post_comment(fiche, "cdaje", "Entre nous", visibility=Visibility.STAFF).pk


def test_a_mention_tells_the_person_with_a_link_to_the_comment(post_comment, fiche):
    comment = post_comment(fiche, "partner-caf", "Qu'en pense @cdaje ?")
    assert list(comment.mentions.values_list("username", flat=True)) == ["cdaje"]
    notification = Notification.objects.get(kind=Kind.MENTION)
    assert notification.recipient.username == "cdaje"
    assert notification.url == f"/contracts/{fiche.contract.slug}/fiches/{fiche.number}/" + (
        f"#comment-{comment.pk}"
    )
    assert "vous a mentionné" in notification.title and fiche.title in notification.title


def test_a_partner_cannot_be_mentioned_in_a_cdaje_only_thread(post_comment, fiche):
    with pytest.raises(ValidationError) as error:
        post_comment(fiche, "cdaje", "Demander à @partner-caf", visibility=Visibility.STAFF)
    message = " ".join(error.value.messages)
    assert "@partner-caf" in message and "ne peut pas lire ce commentaire" in message
    assert "équipe CDAJE" in message
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_a_person_who_does_not_see_the_contract_cannot_be_mentioned(post_comment, fiche):
    UserFactory(username="ailleurs", partner_user=True)
    with pytest.raises(ValidationError) as error:
        post_comment(fiche, "cdaje", "Voir avec @ailleurs et @personne.")
    message = " ".join(error.value.messages)
    assert "@ailleurs" in message and "ne peut pas lire" in message
    assert "Personne n'a pour identifiant « @personne »" in message


def test_an_email_address_is_not_a_mention(post_comment, fiche):
    comment = post_comment(fiche, "cdaje", "Écrire à contact@cdaje.fr")
    assert not comment.mentions.exists()


def test_a_reply_tells_the_author_and_earlier_repliers_but_not_the_replier(
    post_comment, fiche, demo_user
):
    thread = post_comment(fiche, "partner-caf", "Question")
    services.comment_reply(thread=thread, body="Réponse", by=demo_user("cdaje"))
    assert told(Kind.REPLY) == ["partner-caf"]
    Notification.objects.all().delete()
    services.comment_reply(thread=thread, body="Merci", by=demo_user("partner-caf"))
    assert told(Kind.REPLY) == ["cdaje"]
    Notification.objects.all().delete()
    services.comment_reply(thread=thread, body="Et moi", by=demo_user("partner-msa"))
    assert told(Kind.REPLY) == ["cdaje", "partner-caf"]


def test_a_reply_to_a_reply_joins_the_thread(post_comment, fiche, demo_user):
    thread = post_comment(fiche, "partner-caf", "Question")
    reply = services.comment_reply(thread=thread, body="Réponse", by=demo_user("cdaje"))
    again = services.comment_reply(thread=reply, body="Encore", by=demo_user("partner-caf"))
    assert again.parent_id == thread.pk


def test_nobody_of_a_partner_hears_of_a_cdaje_only_thread(post_comment, fiche, demo_user):
    """Even a partner user who wrote in it before being moved out of the CDAJE (here: a
    reply forced in the table) is not told: `may_see` is asked for each recipient."""
    thread = post_comment(fiche, "cdaje", "Entre nous", visibility=Visibility.STAFF)
    Comment.objects.create(
        contract=fiche.contract,
        target_kind=thread.target_kind,
        target_id=thread.target_id,
        parent=thread,
        author=demo_user("partner-caf"),
        body="<p>forcé</p>",
        visibility=Visibility.STAFF,
    )
    colleague = UserFactory(
        username="cdaje-2", cdaje_writer=True, territory=fiche.contract.territory
    )
    services.comment_reply(thread=thread, body="Oui", by=colleague)
    assert told(Kind.REPLY) == ["cdaje"]


def test_the_author_edits_within_the_window_and_the_text_before_is_kept(
    post_comment, fiche, demo_user
):
    comment = post_comment(fiche, "partner-caf", "Premier jet")
    services.comment_edit(
        comment=comment, body="Version corrigée, @cdaje", by=demo_user("partner-caf")
    )
    comment.refresh_from_db()
    assert comment.body == "<p>Version corrigée, @cdaje</p>" and comment.edited_at
    revision = CommentRevision.objects.get(comment=comment)
    assert revision.action == RevisionAction.EDITED and revision.body == "<p>Premier jet</p>"
    assert told(Kind.MENTION) == ["cdaje"]  # newly mentioned: told once
    services.comment_edit(
        comment=comment, body="Version corrigée encore, @cdaje", by=demo_user("partner-caf")
    )
    assert told(Kind.MENTION) == ["cdaje"]


def test_nobody_else_edits_and_nobody_after_the_window(post_comment, fiche, demo_user, settings):
    comment = post_comment(fiche, "partner-caf", "Premier jet")
    with pytest.raises(PermissionDenied, match="Seul son auteur"):
        services.comment_edit(comment=comment, body="Autre", by=demo_user("cdaje"))
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    )
    comment.refresh_from_db()
    with pytest.raises(PermissionDenied, match="15 minutes"):
        services.comment_edit(comment=comment, body="Autre", by=demo_user("partner-caf"))
    with pytest.raises(PermissionDenied, match="15 minutes"):
        services.comment_delete(comment=comment, by=demo_user("partner-caf"))
    settings.COMMENT_EDIT_MINUTES = 60
    services.comment_delete(comment=comment, by=demo_user("partner-caf"))


def test_deleting_keeps_the_text_in_the_history(post_comment, fiche, demo_user):
    comment = post_comment(fiche, "partner-caf", "À retirer")
    services.comment_delete(comment=comment, by=demo_user("partner-caf"))
    comment.refresh_from_db()
    assert comment.deleted_at and comment.body == ""
    assert CommentRevision.objects.get(comment=comment).body == "<p>À retirer</p>"
    with pytest.raises(PermissionDenied):
        services.comment_reply(thread=comment, body="Trop tard", by=demo_user("cdaje"))


def test_resolve_and_reopen_by_the_author_or_the_cdaje_staff(post_comment, fiche, demo_user):
    thread = post_comment(fiche, "partner-caf", "Question")
    with pytest.raises(PermissionDenied, match="auteur du fil"):
        services.thread_resolve(thread=thread, by=demo_user("partner-msa"))
    services.thread_resolve(thread=thread, by=demo_user("cdaje"))
    thread.refresh_from_db()
    assert thread.resolved_at and thread.resolved_by.username == "cdaje"
    with pytest.raises(ValidationError, match="déjà résolu"):
        services.thread_resolve(thread=thread, by=demo_user("cdaje"))
    services.thread_reopen(thread=thread, by=demo_user("partner-caf"))
    thread.refresh_from_db()
    assert thread.resolved_at is None
    assert list(
        CommentRevision.objects.filter(comment=thread).values_list("action", flat=True)
    ) == [RevisionAction.RESOLVED, RevisionAction.REOPENED]


def test_a_frozen_contract_is_read_only(post_comment, fiche, demo_user):
    thread = post_comment(fiche, "partner-caf", "Question")
    type(fiche.contract).objects.filter(pk=fiche.contract_id).update(status=ContractStatus.EXPIRED)
    fiche.contract.refresh_from_db()
    thread.contract = fiche.contract
    with pytest.raises(PermissionDenied, match="figé"):
        post_comment(fiche, "cdaje", "Trop tard")
    with pytest.raises(PermissionDenied, match="figé"):
        services.comment_reply(thread=thread, body="Trop tard", by=demo_user("cdaje"))
    with pytest.raises(PermissionDenied, match="figé"):
        services.thread_resolve(thread=thread, by=demo_user("cdaje"))


def test_comments_on_a_review_and_an_avenant_anchor_to_their_fiches(
    demo_contract, post_comment, demo_user
):
    from cej.models import Amendment
    from reviews.models import AnnualReview

    review = AnnualReview.objects.get(contract=demo_contract, year=2017)
    review.contract = demo_contract
    row = review.fiches.select_related("fiche").first()
    comment = post_comment(
        review, "partner-msa", "Ce point", kind=TargetKind.REVIEW, anchor=f"fiche:{row.fiche_id}"
    )
    assert comment.anchor_label == f"Fiche {row.fiche.number} « {row.fiche.title} »"
    amendment = Amendment.objects.filter(contract=demo_contract).order_by("-number").first()
    amendment.contract = demo_contract
    thread = post_comment(amendment, "cdaje", "Avenant : @partner-cg ?", kind=TargetKind.AMENDMENT)
    notification = Notification.objects.get(kind=Kind.MENTION, recipient__username="partner-cg")
    assert notification.url.startswith(f"/contracts/{demo_contract.slug}/avenants/")
    assert notification.url.endswith(f"#comment-{thread.pk}")
