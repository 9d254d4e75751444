"""Reads of the comments, as plain data for the pages and the plenary pack. Each reads the
comments of its targets in one query, whatever their number."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from comments.models import Comment, Visibility
from comments.permissions import visibilities_for


@dataclass
class Thread:
    """A comment that opens a discussion and its replies, oldest first."""

    root: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.root.pk

    @property
    def target_id(self) -> int:
        return self.root.target_id

    @property
    def anchor(self) -> str:
        return self.root.anchor

    @property
    def anchor_label(self) -> str:
        return self.root.anchor_label

    @property
    def is_shared(self) -> bool:
        return self.root.visibility == Visibility.SHARED

    @property
    def is_resolved(self) -> bool:
        return self.root.resolved_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.root.deleted_at is not None

    @property
    def comments(self) -> list[Comment]:
        return [self.root, *self.replies]


def _threads(comments) -> list[Thread]:
    """Threads from comments read oldest first (a reply always comes after its thread)."""
    threads: dict[int, Thread] = {}
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(threads.values())


def threads_for(*, user, contract, target_kind: str, target_id: int) -> list[Thread]:
    """The threads on one target that `user` reads (CDAJE-only ones for the CDAJE staff
    only), with their replies, oldest first. Resolved and deleted threads are included: the
    page folds them. The caller has checked that `user` sees `contract`."""
    comments = (
        Comment.objects.filter(
            contract=contract,
            target_kind=target_kind,
            target_id=target_id,
            visibility__in=visibilities_for(user, contract),
        )
        .select_related("author", "resolved_by")
        .annotate(revision_count=Count("revisions"))
        .order_by("created_at", "pk")
    )
    return _threads(comments)


def open_shared_threads(*, contract, target_kind: str, target_ids) -> dict[int, list[Thread]]:
    """For each of `target_ids`, its open threads shared with the partners (unresolved, not
    deleted) with their replies that are not deleted: what the plenary pack prints. Never a
    CDAJE-only comment. Targets without an open thread are absent."""
    comments = (
        Comment.objects.filter(
            contract=contract,
            target_kind=target_kind,
            target_id__in=list(target_ids),
            visibility=Visibility.SHARED,
            deleted_at__isnull=True,
        )
        .select_related("author")
        .order_by("created_at", "pk")
    )
    found: dict[int, list[Thread]] = defaultdict(list)
    for thread in _threads(comments):
        if not thread.is_resolved:
            found[thread.target_id].append(thread)
    return dict(found)


def open_counts(*, user, contract, target_kind: str) -> dict[int, int]:
    """For each target of `target_kind` in the contract, the number of its open threads that
    `user` reads (a partner never counts a CDAJE-only one), in one query. Targets without
    an open thread are absent."""
    rows = (
        Comment.objects.open()
        .filter(
            contract=contract,
            target_kind=target_kind,
            visibility__in=visibilities_for(user, contract),
        )
        .order_by()
        .values("target_id")
        .annotate(count=Count("pk"))
        .values_list("target_id", "count")
    )
    return dict(rows)


def open_counts_by_target(*, user, contract) -> dict[tuple[str, int], int]:
    """The open threads `user` reads on the contract, per (target kind, target id), in one
    query (the dashboard)."""
    rows = (
        Comment.objects.open()
        .filter(contract=contract, visibility__in=visibilities_for(user, contract))
        .order_by()
        .values("target_kind", "target_id")
        .annotate(count=Count("pk"))
        .values_list("target_kind", "target_id", "count")
    )
    return {(kind, target_id): count for kind, target_id, count in rows}
