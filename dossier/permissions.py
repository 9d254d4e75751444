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


def can_download_dossier(user, contract) -> tuple[bool, str]:
    if not can_see_contract(user, contract):
        return False, _("Ce contrat n'est pas dans votre périmètre.")
    if user.is_superuser:
        return True, ""
    if user.has_perm(COORDINATION_PERMISSION) and works_on_contract(user, contract):
        return True, ""
    partner_ids = member_partner_ids(user)
    if partner_ids and contract.parties.filter(partner_id__in=partner_ids).exists():
        return True, ""
    return False, _(
        "Le dossier de contrôle est réservé aux administrateurs, à la coordination CDAJE du "
        "territoire et aux utilisateurs des partenaires du contrat."
    )
