"""The life of the Loire contract after its signature: the parties' deliberations, the
Conseil général renamed Département (March 2015), avenant n° 1 (signed in 2015: the annex
convention extended to 2015–2017 with new actions, so that 198 000,00 € are allocated in each
year, as the seed article says) and avenant n° 2 (open, in preparation). Dates, decision
numbers and the new action are illustrative and listed as such in the README."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cej.models import (
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    Contract,
    PartnerDecision,
)
from fiches.models import Aim, Fiche, FicheVersion
from fiches.services import snapshot_of
from financing.models import BudgetLine, BudgetLineVersion, BudgetPost
from partners.models import Partner, PartnerName, Signatory
from pilotage.models import AmendmentFicheChange, AmendmentLineChange, ChangeKind

# The Conseil général became the Département at the departmental elections of March 2015
# (loi du 17 mai 2013): its last day under the former name.
CG_RENAMED_AFTER = datetime.date(2015, 3, 28)
CG_NAME, CG_SHORT = "Département de la Loire", "Département"
CG_FORMER_NAME, CG_FORMER_SHORT = "Conseil général de la Loire", "Conseil général"

# The boards' deliberations approving the contract (illustrative numbers and dates).
CONTRACT_DECISIONS = {
    "cg": ("Commission permanente du Conseil général", "CP-2014-09-0412", (2014, 9, 15)),
    "caf": ("Conseil d'administration de la CAF", "2014-051", (2014, 9, 9)),
    "msa": ("Conseil d'administration de la MSA", "CA-2014-33", (2014, 9, 18)),
}

AVENANT_1 = {
    "title": "Prolongation de la convention annexe 2015–2017 et actions nouvelles",
    "summary": (
        "La convention annexe couvrait l'année 2014, dans l'attente de la définition "
        "d'actions nouvelles en lien avec les orientations 2014-2017. Le présent avenant la "
        "prolonge jusqu'en 2017, reconduit le dispositif d'accueil d'enfants handicapés dans "
        "les crèches (fiche n° 4) et crée un pôle ressource handicap petite enfance "
        "(fiche n° 15), de sorte que 198 000 € soient alloués chaque année du contrat."
    ),
    "opened": (2015, 1, 12),
    "opinion": (2015, 3, 10),
    "decisions": {
        "cg": ("Commission permanente du Département", "CP-2015-04-0217", (2015, 4, 20)),
        "caf": ("Conseil d'administration de la CAF", "2015-027", (2015, 4, 14)),
        "msa": ("Conseil d'administration de la MSA", "CA-2015-19", (2015, 4, 23)),
    },
    "signed": (2015, 5, 26),
    "place": "Saint-Étienne",
}

FICHE_4_CALENDAR = (
    "<p>Dispositif reconduit chaque année de <strong>2014 à 2017</strong> dans le cadre de la "
    "convention annexe, prolongée par l'avenant n° 1.</p>"
)

FICHE_15 = {
    "objective": 1,
    "title": "Créer un pôle ressource handicap petite enfance",
    "findings": (
        "<p>Le dispositif d'aide aux crèches (fiche n° 4) a montré en 2014 que les familles "
        "d'enfants en situation de handicap peinent à trouver l'information et que les "
        "assistants maternels, peu soutenus, accueillent rarement ces enfants.</p>"
    ),
    "goals": (
        "<ul><li>Offrir aux familles un interlocuteur unique pour l'accueil de leur "
        "enfant.</li><li>Accompagner les professionnels de l'accueil individuel et "
        "collectif.</li></ul>"
    ),
    "actions": (
        "<ul><li>Un pôle ressource départemental : accueil et orientation des familles, "
        "appui aux EAJE et aux relais assistants maternels.</li><li>Un fonds d'appui à "
        "l'accueil individuel (matériel adapté, temps de concertation).</li></ul>"
    ),
    "target_public": (
        "<p>Familles d'enfants de moins de 6 ans en situation de handicap, assistants "
        "maternels, équipes des EAJE et des RAM.</p>"
    ),
    "calendar": "<p>Préfiguration en 2015, fonctionnement en 2016 et 2017.</p>",
    "indicators": (
        "<ul><li>Nombre de familles accompagnées par le pôle.</li><li>Nombre d'enfants en "
        "situation de handicap accueillis chez un assistant maternel.</li></ul>"
    ),
    "budget_note": "15 000 € par an de 2015 à 2017 sur la convention annexe.",
    "lead": "cg",
    "associated": ["caf", "msa"],
    "aims": [2, 4],
}

ANNEX_POST = "accueil-enfants-handicapes"
# Per year 2015–2017 on the annex convention: the fiche funded and its forecast expenses (the
# funders' shares follow from their terms: demo.loire_money).
AVENANT_1_LINES = [(4, Decimal("25000.00")), (15, Decimal("15000.00"))]

AVENANT_2 = {
    "title": "Actualisation de l'information des familles (2016–2017)",
    "summary": (
        "Le portail d'information des familles ouvert en 2015 appelle une mise à jour des "
        "actions de communication pour 2016 et 2017."
    ),
    "opened": (2016, 9, 19),
}
FICHE_14_EXTRA_ACTION = (
    "<li>Mise à jour du portail d'information des familles et diffusion d'une lettre "
    "semestrielle aux assistants maternels.</li>"
)


def _date(parts) -> datetime.date:
    return datetime.date(*parts)


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def rename_conseil_general(partner: Partner) -> int:
    """The Département's current name, and the one it bore until March 2015."""
    created = 0
    if partner.name == CG_FORMER_NAME:
        partner.name, partner.short_name = CG_NAME, CG_SHORT
        partner.save(update_fields=["name", "short_name"])
    _former, made = PartnerName.objects.get_or_create(
        partner=partner,
        valid_until=CG_RENAMED_AFTER,
        defaults={"name": CG_FORMER_NAME, "short_name": CG_FORMER_SHORT},
    )
    return created + int(made)


def record_contract_decisions(contract: Contract, partners: dict) -> int:
    created = 0
    for key, (body, reference, day) in CONTRACT_DECISIONS.items():
        _decision, made = PartnerDecision.objects.get_or_create(
            contract=contract,
            amendment=None,
            partner=partners[key],
            defaults={"body": body, "reference": reference, "decided_on": _date(day)},
        )
        created += int(made)
    return created


def load_amendments(contract: Contract, partners: dict, *, seal: bool, record_execution) -> int:
    """Avenant n° 1 signed and applied (sealed now when `seal`, else by
    `seal_demo_documents`), avenant n° 2 open. Idempotent."""
    created = 0
    if not contract.amendments.filter(number=1).exists():
        created += _avenant_1(contract, partners, seal=seal, record_execution=record_execution)
    if not contract.amendments.filter(number=2).exists():
        created += _avenant_2(contract)
    return created


def _avenant_1(contract, partners, *, seal: bool, record_execution) -> int:
    from pilotage.amendment_apply import amendment_finalise

    data = AVENANT_1
    annex = contract.annex_conventions.order_by("start_year").first()
    amendment = Amendment.objects.create(
        contract=contract,
        number=1,
        title=data["title"],
        summary=data["summary"],
        annex_convention=annex,
        new_end_year=contract.end_year,
        status=AmendmentStatus.APPROVAL,
        opinion_on=_date(data["opinion"]),
        opened_at=_at(_date(data["opened"])),
    )
    fiche_4 = Fiche.objects.get(contract=contract, number=4)
    AmendmentFicheChange.objects.create(
        amendment=amendment,
        kind=ChangeKind.REVISE,
        fiche=fiche_4,
        number=4,
        proposed={**snapshot_of(fiche_4), "calendar": FICHE_4_CALENDAR},
    )
    objective = contract.objectives.get(number=FICHE_15["objective"])
    AmendmentFicheChange.objects.create(
        amendment=amendment,
        kind=ChangeKind.ADD,
        number=15,
        proposed={
            **{k: FICHE_15[k] for k in ("title", "findings", "goals", "actions")},
            **{k: FICHE_15[k] for k in ("target_public", "calendar", "indicators")},
            "budget_note": FICHE_15["budget_note"],
            "objective_id": objective.pk,
            "lead_partner_id": partners[FICHE_15["lead"]].pk,
            "associated_partner_ids": sorted(partners[k].pk for k in FICHE_15["associated"]),
            "aim_ids": sorted(
                Aim.objects.filter(number__in=FICHE_15["aims"]).values_list("pk", flat=True)
            ),
        },
    )
    post = BudgetPost.objects.get(code=ANNEX_POST)
    for year in range(2015, contract.end_year + 1):
        for fiche_number, amount in AVENANT_1_LINES:
            AmendmentLineChange.objects.create(
                amendment=amendment,
                kind=ChangeKind.ADD,
                proposed={
                    "year": year,
                    "post_id": post.pk,
                    "fiche_number": fiche_number,
                    "label": "",
                    "amount": str(amount),
                    "other_receipts": "0.00",
                    "continued": False,
                },
            )
    for key, (body, reference, day) in data["decisions"].items():
        PartnerDecision.objects.create(
            contract=contract,
            amendment=amendment,
            partner=partners[key],
            body=body,
            reference=reference,
            decided_on=_date(day),
        )
    signed_on = _date(data["signed"])
    for signatory in Signatory.objects.filter(
        partner__in=partners.values(), is_active=True
    ).order_by("pk"):
        AmendmentSignature.objects.create(
            amendment=amendment, signatory=signatory, signed_on=signed_on, place=data["place"]
        )
    amendment_finalise(amendment, seal=seal)
    # Its changes date from its signature, not from the day the demo was loaded.
    FicheVersion.objects.filter(amendment=amendment).update(created_at=_at(signed_on))
    BudgetLineVersion.objects.filter(amendment=amendment).update(created_at=_at(signed_on))
    Fiche.objects.filter(contract=contract, number__in=[4, 15]).update(updated_at=_at(signed_on))
    new_lines = BudgetLine.objects.filter(contract=contract, year__gte=2015, post=post)
    new_lines.update(updated_at=_at(signed_on))
    for line in new_lines:
        record_execution(line)
    return 1 + 2 + 3 * len(AVENANT_1_LINES) + 3 + 5


def _avenant_2(contract) -> int:
    data = AVENANT_2
    amendment = Amendment.objects.create(
        contract=contract,
        number=2,
        title=data["title"],
        summary=data["summary"],
        status=AmendmentStatus.DRAFT,
        opened_at=_at(_date(data["opened"])),
    )
    fiche_14 = Fiche.objects.get(contract=contract, number=14)
    proposed = snapshot_of(fiche_14)
    actions = proposed["actions"]
    proposed["actions"] = (
        actions.replace("</ul>", FICHE_14_EXTRA_ACTION + "</ul>", 1)
        if "</ul>" in actions
        else actions + f"<ul>{FICHE_14_EXTRA_ACTION}</ul>"
    )
    AmendmentFicheChange.objects.create(
        amendment=amendment, kind=ChangeKind.REVISE, fiche=fiche_14, number=14, proposed=proposed
    )
    return 2
