"""Who may do what to an annual review. Each predicate answers (allowed, reason); views
refuse with the reason, templates show a control exactly when it is allowed. Reading is a
matter of scope (`AnnualReview.objects.for_user`, `cej.view_helpers.scoped_contract`).

A review is execution, not content: it stays open once the contract is signed (no avenant
needed) and closes when the contract is frozen (`cej.permissions.execution_refusal`). It is
prepared by the CDAJE staff while in draft, submitted to the CDAJE, and adopted on its
opinion by the CDAJE coordination; once adopted it never changes (its PDF is stored)."""

from django.utils.translation import gettext as _

from cej.models import ContractStatus
from cej.permissions import execution_refusal, works_on_contract
from reviews.models import ReviewStatus

Decision = tuple[bool, str]
ALLOWED: Decision = (True, "")


def review_refusal(contract) -> str:
    """Why no review of the contract can be written, or "": a review looks back on a year
    of a signed contract, and a frozen contract changes no more."""
    if refusal := execution_refusal(contract):
        return refusal
    if contract.status != ContractStatus.SIGNED:
        return _(
            "Le contrat n'est pas encore signé : il n'a pas encore d'année à dresser en bilan."
        )
    return ""


def _staff_of(user, contract, permission: str) -> Decision:
    if not user.has_perm(permission):
        return False, _("Seule l'équipe CDAJE prépare les bilans annuels.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := review_refusal(contract):
        return False, refusal
    return ALLOWED


def can_create_review(user, contract, year: int | None = None) -> Decision:
    allowed, reason = _staff_of(user, contract, "reviews.add_annualreview")
    if not allowed:
        return allowed, reason
    if year is not None and year not in contract.years:
        return False, _("L'année %(year)s n'est pas une année du contrat (%(period)s).") % {
            "year": year,
            "period": contract.period_label,
        }
    return ALLOWED


def can_edit_review(user, review) -> Decision:
    """Edit the synthesis, each fiche's state and narrative, the needs and supply: in draft."""
    allowed, reason = _staff_of(user, review.contract, "reviews.change_annualreview")
    if not allowed:
        return allowed, reason
    if review.status == ReviewStatus.ADOPTED:
        return False, _(
            "Le bilan est adopté : son document est conservé tel quel, il ne change plus."
        )
    if review.status == ReviewStatus.SUBMITTED:
        return False, _(
            "Le bilan est soumis à la CDAJE : renvoyez-le en préparation pour le modifier."
        )
    return ALLOWED


def can_submit_review(user, review) -> Decision:
    allowed, reason = _staff_of(user, review.contract, "reviews.change_annualreview")
    if not allowed:
        return allowed, reason
    if review.status != ReviewStatus.DRAFT:
        return False, _("Seul un bilan en préparation peut être soumis à la CDAJE.")
    return ALLOWED


def can_return_review(user, review) -> Decision:
    """Send a submitted review back to preparation (the CDAJE asked for changes)."""
    allowed, reason = _staff_of(user, review.contract, "reviews.change_annualreview")
    if not allowed:
        return allowed, reason
    if review.status != ReviewStatus.SUBMITTED:
        return False, _("Seul un bilan soumis à la CDAJE peut être renvoyé en préparation.")
    return ALLOWED


def can_adopt_review(user, review) -> Decision:
    if not user.has_perm("reviews.adopt_annualreview"):
        return False, _(
            "Enregistrer l'avis de la CDAJE et adopter un bilan relève de la coordination CDAJE."
        )
    if not works_on_contract(user, review.contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if refusal := review_refusal(review.contract):
        return False, refusal
    if review.status == ReviewStatus.ADOPTED:
        return False, _("Le bilan est déjà adopté.")
    if review.status != ReviewStatus.SUBMITTED:
        return False, _("Soumettez d'abord le bilan à la CDAJE : il est adopté sur son avis.")
    return ALLOWED
