"""Who may read and write comments. Predicates answer (allowed, reason); views refuse with
the reason, templates show a control exactly when it is allowed.

Reading follows the contract's scope (`cej.view_helpers.scoped_contract`), narrowed by each
thread's visibility: a CDAJE-only thread is read by the CDAJE staff of the territory (and
administrators) only. Writing is open to whoever sees the contract while it lives; an
expired or terminated contract is frozen, its comments read-only."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.models import FROZEN_STATUSES
from cej.permissions import can_see_contract, frozen_refusal, works_on_contract
from comments.models import Visibility

Decision = tuple[bool, str]
ALLOWED: Decision = (True, "")

# The roles' own permissions say who is CDAJE staff without reading the groups: the staff
# write fiches, the coordination gives the plenary's opinion (`cej.roles`). Finance officers
# work on the territory too, but are not the CDAJE.
CDAJE_PERMISSIONS = ("fiches.change_fiche", "fiches.validate_fiche")


def is_cdaje_staff(user, contract) -> bool:
    """CDAJE staff (or coordination) of the contract's territory, or an administrator."""
    if not works_on_contract(user, contract):
        return False
    return user.is_superuser or any(user.has_perm(perm) for perm in CDAJE_PERMISSIONS)


def sees_contract(user, contract) -> bool:
    """`cej.permissions.can_see_contract`, asked once per user and contract: a page asks it
    for every comment it shows (a partner's answer costs a query)."""
    seen = user.__dict__.setdefault("_comments_sees", {})
    if contract.pk not in seen:
        seen[contract.pk] = can_see_contract(user, contract)
    return seen[contract.pk]


def may_read(user, comment, contract=None) -> bool:
    """May `user` read `comment` (a thread or a reply: replies share the thread's
    visibility)? Used for pages and, as `may_see`, for every notification."""
    contract = contract or comment.contract
    if not sees_contract(user, contract):
        return False
    if comment.visibility == Visibility.STAFF:
        return is_cdaje_staff(user, contract)
    return True


def visibilities_for(user, contract) -> list[str]:
    """The visibilities of the threads `user` reads on this contract (already in scope)."""
    if is_cdaje_staff(user, contract):
        return [Visibility.STAFF, Visibility.SHARED]
    return [Visibility.SHARED]


def comment_refusal(contract) -> str:
    """Why nobody can comment on the contract any more, or "": a frozen contract is
    read-only, its discussion included."""
    if contract.status in FROZEN_STATUSES:
        return frozen_refusal(contract) + " " + _("Ses commentaires restent lisibles.")
    return ""


def can_comment(user, contract) -> Decision:
    """Start a thread or reply: whoever sees the contract, while it is not frozen."""
    if not sees_contract(user, contract):
        return False, _("Vous ne voyez pas ce contrat.")
    if refusal := comment_refusal(contract):
        return False, refusal
    return ALLOWED


def can_choose_staff_only(user, contract) -> Decision:
    if not is_cdaje_staff(user, contract):
        return False, _("Seule l'équipe CDAJE écrit des commentaires réservés à la CDAJE.")
    return ALLOWED


def can_reply(user, thread) -> Decision:
    allowed, reason = can_comment(user, thread.contract)
    if not allowed:
        return allowed, reason
    if not may_read(user, thread):
        return False, _("Vous ne voyez pas ce commentaire.")
    if thread.deleted_at is not None:
        return False, _("Ce commentaire a été supprimé : on n'y répond plus.")
    return ALLOWED


def edit_window() -> timedelta:
    return timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def can_change(user, comment, *, now=None) -> Decision:
    """Edit or delete: the author, within the edit window, while the contract lives."""
    allowed, reason = can_comment(user, comment.contract)
    if not allowed:
        return allowed, reason
    if comment.author_id != user.pk:
        return False, _("Seul son auteur modifie ou supprime un commentaire.")
    if comment.deleted_at is not None:
        return False, _("Ce commentaire est déjà supprimé.")
    if (now or timezone.now()) - comment.created_at > edit_window():
        return False, _(
            "Un commentaire ne se modifie ou ne se supprime que dans les %(minutes)s minutes "
            "qui suivent sa publication : répondez-y pour le compléter."
        ) % {"minutes": settings.COMMENT_EDIT_MINUTES}
    return ALLOWED


def can_resolve(user, thread) -> Decision:
    """Resolve or reopen a thread: its author or the CDAJE staff of the territory."""
    allowed, reason = can_comment(user, thread.contract)
    if not allowed:
        return allowed, reason
    if thread.parent_id is not None:
        return False, _("Seul un fil entier se résout, pas une réponse.")
    if not may_read(user, thread):
        return False, _("Vous ne voyez pas ce commentaire.")
    if thread.deleted_at is not None:
        return False, _("Ce commentaire a été supprimé.")
    if thread.author_id != user.pk and not is_cdaje_staff(user, thread.contract):
        return False, _("Seuls l'auteur du fil et l'équipe CDAJE le résolvent ou le rouvrent.")
    return ALLOWED
