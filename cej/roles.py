"""Roles are Django groups; what each may do is the permissions listed here. Scope (which
contracts) is data: territory staff and partner membership, see `cej.querysets`."""

from django.utils.translation import gettext_lazy as _

CDAJE_STAFF = "Équipe CDAJE"
CDAJE_COORDINATOR = "Coordination CDAJE"
FINANCE_OFFICER = "Agents financiers"
PARTNER_USER = "Partenaires signataires"
FUNDER_FINANCE = "Agents financiers des financeurs"

_READ_CONTRACT = [
    "cej.view_contract",
    "cej.view_contractparty",
    "cej.view_signature",
    "cej.view_annexconvention",
    "cej.view_amendment",
    "cej.view_amendmentsignature",
    "cej.view_partnerdecision",
    "partners.view_partnername",
    "cej.view_document",
    "partners.view_partner",
    "partners.view_signatory",
    "fiches.view_aim",
    "fiches.view_objective",
    "fiches.view_fiche",
    "financing.view_budgetpost",
    "financing.view_budgetline",
    "financing.view_contribution",
    "financing.view_executionentry",
    "financing.view_fundingterms",
    "financing.view_paymentschedule",
    "financing.view_advance",
    "financing.view_funderpayment",
    "financing.view_supportingdocument",
    "fiches.view_indicator",
    "fiches.view_indicatoryear",
    "reviews.view_annualreview",
    "reviews.view_reviewfiche",
    "reviews.view_needsarea",
    "reviews.view_needsplaces",
    "reviews.view_finalevaluation",
    "reviews.view_evaluationfiche",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    CDAJE_STAFF: [
        *_READ_CONTRACT,
        "fiches.add_fiche",
        "fiches.change_fiche",
        # Preparing the contract for signature: recording signatures, depositing scans.
        "cej.add_signature",
        "cej.delete_signature",
        "cej.add_document",
        # Avenants: opening one, proposing its changes, recording the partners' decisions
        # and the representatives' signatures.
        "cej.add_amendment",
        "cej.change_amendment",
        "cej.add_partnerdecision",
        "cej.add_amendmentsignature",
        # Indicators: their definition and targets (content), their actual values
        # (execution); the annual reviews and the final evaluation, prepared and submitted.
        "fiches.add_indicator",
        "fiches.change_indicator",
        "fiches.delete_indicator",
        "fiches.change_indicatoryear",
        "reviews.add_annualreview",
        "reviews.change_annualreview",
        "reviews.add_finalevaluation",
        "reviews.change_finalevaluation",
    ],
    CDAJE_COORDINATOR: [
        "fiches.validate_fiche",
        # The CDAJE's opinion in plenary adopts a review, an evaluation; the coordination
        # then prepares the next contract.
        "reviews.adopt_annualreview",
        "cej.add_contract",
    ],
    FINANCE_OFFICER: [
        *_READ_CONTRACT,
        "financing.add_budgetline",
        "financing.change_budgetline",
        "financing.delete_budgetline",
        "financing.add_executionentry",
        "financing.change_executionentry",
        # The beneficiary's side of the money cycle: the actual figures (on the budget line,
        # with the execution permission above) and the supporting documents sent.
        "financing.add_supportingdocument",
        "financing.delete_supportingdocument",
    ],
    # A partner's users enter the actual values of the indicators of the fiches their
    # organisation leads (the predicate `fiches.permissions.can_enter_indicator_actual`
    # checks the lead).
    PARTNER_USER: [*_READ_CONTRACT, "fiches.change_indicatoryear"],
    # A funder's finance officers (members of the CAF or the MSA with this role): the
    # payments their organisation made, the sums paid back, the documents it received.
    FUNDER_FINANCE: [
        *_READ_CONTRACT,
        "financing.add_funderpayment",
        "financing.delete_funderpayment",
        "financing.add_supportingdocument",
        "financing.delete_supportingdocument",
    ],
}

GROUP_DESCRIPTIONS = {
    CDAJE_STAFF: _(
        "Rédige et révise les fiches actions des contrats de son territoire, prépare la "
        "signature et dépose les documents signés."
    ),
    CDAJE_COORDINATOR: _(
        "Enregistre les avis rendus par la CDAJE en plénière, rouvre les fiches pour "
        "révision, adopte les bilans annuels et l'évaluation finale, prépare le contrat suivant."
    ),
    FINANCE_OFFICER: _("Prévoit et suit le budget, saisit engagements et paiements."),
    PARTNER_USER: _(
        "Consulte les contrats de son organisme, télécharge les documents signés et saisit le "
        "réalisé des indicateurs des fiches que son organisme pilote."
    ),
    FUNDER_FINANCE: _(
        "Saisit les versements de son organisme (acomptes, soldes), les reversements reçus et "
        "les justificatifs reçus du bénéficiaire."
    ),
}


def sync_groups():
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    groups = {}
    for name, codes in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = set()
        for code in codes:
            app_label, codename = code.split(".")
            wanted.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename).pk
            )
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)
        groups[name] = group
    return groups
