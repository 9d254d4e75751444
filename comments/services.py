"""Every change to the comments: keyword-only, atomic, checked against the predicates, kept
in the comment's history, and told to the people concerned (`notifications.services.notify`,
asked `may_see` for each of them, so a CDAJE-only thread never reaches a partner).

Threads are rendered outside the contract's cached fragments, and the counts that those
fragments show are part of each page's cache key (`viewer`): so these services have no
cached page to invalidate, and do not mark the contract changed."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from cej.html import rich_text_to_plain, sanitize_rich_text
from comments.mentions import mentioned_users
from comments.models import Comment, CommentRevision, RevisionAction, Visibility
from comments.permissions import (
    can_change,
    can_choose_staff_only,
    can_comment,
    can_reply,
    can_resolve,
    may_read,
)
from comments.targets import Target, resolve
from notifications.models import Kind
from notifications.services import notify

MAX_LENGTH = 10_000
_BLOCKS = re.compile(r"<(p|ul|ol|li|br)\b", re.IGNORECASE)


def _check(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def clean_body(text: str) -> str:
    """The stored form of a comment: plain text becomes paragraphs; light formatting (bold,
    italic, lists, links) is kept through the fiches' allow-list (`cej.html`)."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("Un commentaire tient en %(max)s caractères au plus.") % {"max": MAX_LENGTH}}
        )
    if not _BLOCKS.search(text):  # typed as text: its blank lines make the paragraphs
        text = linebreaks(text)
    body = sanitize_rich_text(text)
    if not body:
        raise ValidationError({"body": _("Écrivez votre commentaire.")})
    return body


def _target_of(comment: Comment) -> Target:
    target = resolve(comment.contract, comment.target_kind, comment.target_id)
    if target is None:  # its object was deleted since: nothing to link to
        raise ValidationError(_("L'objet de ce commentaire n'existe plus."))
    return target


def _link(target: Target, comment: Comment) -> str:
    return f"{target.url}#comment-{comment.pk}"


def _tell_mentioned(comment: Comment, people, *, target: Target, by) -> None:
    notify(
        kind=Kind.MENTION,
        recipients=people,
        title=_("%(who)s vous a mentionné dans un commentaire sur %(target)s")
        % {"who": by.get_full_name() or by.username, "target": target.label},
        body=rich_text_to_plain(comment.body)[:1000],
        url=_link(target, comment),
        contract=comment.contract,
        actor=by,
        may_see=lambda user: may_read(user, comment),
    )


@transaction.atomic
def comment_create(
    *, target: Target, body: str, by, anchor: str = "", visibility: str = Visibility.SHARED
) -> Comment:
    """Open a thread on `target` (or on one of its sections, `anchor`)."""
    contract = target.contract
    _check(can_comment(by, contract))
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choisissez qui lira ce commentaire.")})
    if visibility == Visibility.STAFF:
        _check(can_choose_staff_only(by, contract))
    label = target.anchor_label(anchor)
    if label is None:
        raise ValidationError({"anchor": _("Cette section n'existe pas sur cette page.")})
    comment = Comment(
        contract=contract,
        target_kind=target.kind,
        target_id=target.pk,
        anchor=anchor,
        anchor_label=label[:200],
        author=by,
        body=clean_body(body),
        visibility=visibility,
    )
    people = mentioned_users(rich_text_to_plain(comment.body), comment=comment)
    comment.save()
    comment.mentions.set(people)
    _tell_mentioned(comment, people, target=target, by=by)
    return comment


@transaction.atomic
def comment_reply(*, thread: Comment, body: str, by) -> Comment:
    """Answer a thread (a reply to a reply joins the same thread). The thread's author and
    those who answered before are told, the mentioned are told of their mention instead."""
    if thread.parent_id is not None:
        thread = thread.parent
    _check(can_reply(by, thread))
    target = _target_of(thread)
    reply = Comment(
        contract=thread.contract,
        target_kind=thread.target_kind,
        target_id=thread.target_id,
        anchor=thread.anchor,
        anchor_label=thread.anchor_label,
        parent=thread,
        author=by,
        body=clean_body(body),
        visibility=thread.visibility,
    )
    people = mentioned_users(rich_text_to_plain(reply.body), comment=reply)
    reply.save()
    reply.mentions.set(people)
    _tell_mentioned(reply, people, target=target, by=by)
    mentioned = {user.pk for user in people}
    participants = [
        comment.author
        for comment in [thread, *thread.replies.exclude(pk=reply.pk).select_related("author")]
        if comment.author is not None
        and comment.author.pk not in mentioned
        and comment.deleted_at is None
    ]
    notify(
        kind=Kind.REPLY,
        recipients=participants,
        title=_("%(who)s a répondu à un commentaire sur %(target)s")
        % {"who": by.get_full_name() or by.username, "target": target.label},
        body=rich_text_to_plain(reply.body)[:1000],
        url=_link(target, reply),
        contract=thread.contract,
        actor=by,
        may_see=lambda user: may_read(user, thread),
    )
    return reply


def _locked(comment: Comment) -> Comment:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    locked.contract = comment.contract
    return locked


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, by) -> Comment:
    """The author corrects their comment within the edit window; the earlier text stays in
    its history. Only the people newly mentioned are told."""
    comment = _locked(comment)
    _check(can_change(by, comment))
    new_body = clean_body(body)
    if new_body == comment.body:
        return comment
    people = mentioned_users(rich_text_to_plain(new_body), comment=comment)
    already = set(comment.mentions.values_list("pk", flat=True))
    CommentRevision.objects.create(
        comment=comment, action=RevisionAction.EDITED, body=comment.body, by=by
    )
    comment.body = new_body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment.mentions.set(people)
    new = [user for user in people if user.pk not in already]
    if new:
        _tell_mentioned(comment, new, target=_target_of(comment), by=by)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> Comment:
    """The author withdraws their comment within the edit window: the thread shows
    « commentaire supprimé », its text stays in the history."""
    comment = _locked(comment)
    _check(can_change(by, comment))
    CommentRevision.objects.create(
        comment=comment, action=RevisionAction.DELETED, body=comment.body, by=by
    )
    comment.body = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body", "deleted_at"])
    return comment


@transaction.atomic
def thread_resolve(*, thread: Comment, by) -> Comment:
    thread = _locked(thread)
    _check(can_resolve(by, thread))
    if thread.resolved_at is not None:
        raise ValidationError(_("Ce fil est déjà résolu."))
    thread.resolved_at, thread.resolved_by = timezone.now(), by
    thread.save(update_fields=["resolved_at", "resolved_by"])
    CommentRevision.objects.create(comment=thread, action=RevisionAction.RESOLVED, by=by)
    return thread


@transaction.atomic
def thread_reopen(*, thread: Comment, by) -> Comment:
    thread = _locked(thread)
    _check(can_resolve(by, thread))
    if thread.resolved_at is None:
        raise ValidationError(_("Ce fil est déjà ouvert."))
    thread.resolved_at, thread.resolved_by = None, None
    thread.save(update_fields=["resolved_at", "resolved_by"])
    CommentRevision.objects.create(comment=thread, action=RevisionAction.REOPENED, by=by)
    return thread
