"""The comments block of a target's page (a fiche, an avenant, an annual review): its
threads as this viewer may read them, the form to start one, and what the viewer may do on
each comment. Rendered outside the page's cached fragment (`comments/_block.html`): it
depends on who reads."""

from django.utils import timezone

from comments.forms import CommentForm
from comments.models import Visibility
from comments.permissions import can_comment, edit_window, is_cdaje_staff
from comments.selectors import threads_for
from comments.targets import Target, target_for


def comment_block(request, *, kind: str, obj, contract) -> dict:
    """The context of `comments/_block.html` for `obj` of `contract` (which the viewer sees:
    the page checked), read in a fixed number of queries whatever the number of comments:
    the threads, and the sections offered."""
    user = request.user
    # The page found the contract through the viewer's scope (`scoped_contract`): the
    # predicates need not ask again.
    user.__dict__.setdefault("_comments_sees", {})[contract.pk] = True
    target: Target = target_for(kind, obj, contract)
    threads = threads_for(user=user, contract=contract, target_kind=kind, target_id=obj.pk)
    writable, refusal = can_comment(user, contract)
    staff = is_cdaje_staff(user, contract)
    # The predicates of `comments.permissions`, asked once for the page rather than per
    # comment: the same rules, without reading the contract's scope again for each.
    limit = timezone.now() - edit_window()
    for thread in threads:
        thread.can_resolve = (
            writable and not thread.is_deleted and (staff or thread.root.author_id == user.pk)
        )
        thread.can_reply = writable and not thread.is_deleted
        for comment in thread.comments:
            comment.can_change = (
                writable
                and comment.author_id == user.pk
                and comment.deleted_at is None
                and comment.created_at >= limit
            )
    return {
        "comment_target": target,
        "threads": threads,
        "open_count": sum(1 for t in threads if not t.is_resolved and not t.is_deleted),
        "comment_form": CommentForm(target=target, staff=staff) if writable else None,
        "comment_refusal": refusal,
        "comment_staff": staff,
        "staff_visibility": Visibility.STAFF,
    }
