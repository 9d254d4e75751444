"""Who may take a contract's auditor's dossier. It holds every scan, every history and every
log of the contract: more than any single page shows, so fewer people than those who see
the contract — the administrators, the CDAJE coordination of its territory (who answer for
the contract before the funders' auditors) and the users of its partners (each party keeps
its own proof)."""

from django.utils.translation import gettext as _

from cej.permissions import can_see_contract, member_partner_ids, works_on_contract

# The permission that only the CDAJE coordination holds (cej.roles): adopting the annual
# reviews. Asked as a permission rather than a group name, as every predicate of the house,
# and read with the user's other permissions (no query of its own).
COORDINATION_PERMISSION = "reviews.adopt_annualreview"


def can_download_dossier(user, contract, *, seen: bool = False) -> tuple[bool, str]:
    """`seen`: the caller has established that the user sees the contract (a page reached
    through `scoped_contract`); the answer then costs no query for the usual viewers — one
    who sees it without working on its territory can only be a member of one of its parties."""
    if not user.is_authenticated or not user.is_active:
        return False, _out_of_scope()
    if user.is_superuser:
        return True, ""
    staff = works_on_contract(user, contract)
    if staff and user.has_perm(COORDINATION_PERMISSION):
        return True, ""
    if not staff:
        if seen or can_see_contract(user, contract):
            return True, ""  # through a partner party to the contract (cej.permissions)
        return False, _out_of_scope()
    partner_ids = member_partner_ids(user)  # staff of the territory, and a partner's user?
    if partner_ids and contract.parties.filter(partner_id__in=partner_ids).exists():
        return True, ""
    return False, _(
        "Le dossier de contrôle est réservé aux administrateurs, à la coordination CDAJE du "
        "territoire et aux utilisateurs des partenaires du contrat."
    )


def _out_of_scope() -> str:
    return _("Ce contrat n'est pas dans votre périmètre.")
