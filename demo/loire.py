"""The Loire demo: the contract signed on 1 October 2014 for 2014–2017, as the seed article
describes it. Facts from the article are marked (seed); everything else is illustrative and
listed as such in the README."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cej import roles
from cej.models import (
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    PartyRole,
    Signature,
    Territory,
)
from cej.page_cache import one_mark_per_contract
from demo.fiches_data import AIMS, FICHES, OBJECTIVES
from demo.loire_agenda import load_agenda
from demo.loire_amendments import (
    load_amendments,
    record_contract_decisions,
    rename_conseil_general,
)
from demo.loire_comments import load_loire_comments
from demo.loire_cycle import load_money_cycle
from demo.loire_indicators import load_loire_indicators
from demo.loire_money import (
    ANNEX_LINE_2014,
    CEJ_LINES,
    LINE_FORECAST,
    record_execution,
    set_terms,
)
from demo.loire_renewal import load_renewal
from demo.loire_reviews import load_reviews
from fiches.models import Aim, Fiche, FicheStatus, FicheVersion, Objective
from fiches.services import record_version
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Instrument,
)
from financing.services import budget_line_save
from notifications.services import replaying_history
from partners.models import Partner, PartnerKind, Signatory

DEMO_SLUG = "cej-loire-2014-2017"  # stable interface (DESIGN.md §6)
ANNUAL_ENVELOPE = Decimal("198000.00")  # seed: 198 000 € a year, CEJ and annex convention
SIGNED_ON = datetime.date(2014, 10, 1)  # seed: signed on 1 October (2014)
SIGNING_PLACE = "Saint-Étienne"  # illustrative: the Conseil général's seat
PLENARY_DATE = datetime.date(2014, 2, 11)  # illustrative: "presented early in the year"
DEMO_PASSWORD = "demo"

PARTNERS = {
    # key: (name, short name, slug, kind)
    # Named Conseil général until March 2015 (demo.loire_amendments.rename_conseil_general).
    "cg": ("Département de la Loire", "Département", "cg42", PartnerKind.CONSEIL_GENERAL),
    "caf": (
        "Caisse d'allocations familiales de la Loire",
        "CAF",
        "caf42",
        PartnerKind.CAF,
    ),
    "msa": (
        "Caisse de mutualité sociale agricole Ardèche Drôme Loire",
        "MSA",
        "msa-adl",
        PartnerKind.MSA,
    ),
}

# Illustrative SIRETs (valid check digits, not the real institutions' numbers): the open-data
# export identifies each granting partner by its SIRET.
SIRETS = {"cg": "22429900800017", "caf": "77989900400013", "msa": "77999900200016"}

# Fictitious people in their real functions. The CAF and the MSA are each represented by the
# chair of their board and by their director, so they sign twice.
SIGNATORIES = {
    "cg": [("M.", "Bernard", "Vialle", "Président du Conseil général de la Loire")],
    "caf": [
        ("Mme", "Annie", "Courbon", "Présidente du conseil d'administration de la CAF"),
        ("M.", "Olivier", "Ferrand", "Directeur de la CAF"),
    ],
    "msa": [
        ("M.", "Jean-Louis", "Peyron", "Président du conseil d'administration de la MSA"),
        ("Mme", "Catherine", "Morel", "Directrice générale de la MSA"),
    ],
}

POSTS = [
    # code, label, instrument, order, description
    (
        "coordination",
        "Coordination",
        Instrument.CEJ,
        1,
        "Poste institutionnel du CEJ : coordination de la politique petite enfance.",
    ),
    (
        "communication",
        "Communication",
        Instrument.CEJ,
        2,
        "Poste institutionnel du CEJ : information et communication auprès des familles "
        "et des professionnels.",
    ),
    (
        "accueil-enfants-handicapes",
        "Dispositif d'accueil d'enfants handicapés dans les crèches",
        Instrument.ANNEX,
        1,
        "Financé par la convention annexe : actions non couvertes par le CEJ.",
    ),
]

DEMO_ACCOUNTS = [
    # username, first name, last name, groups, territory staff?, partner key, superuser?
    ("admin", "Alice", "Administratrice", [], False, None, True),
    (
        "cdaje",
        "Sophie",
        "Durand",
        [roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR],
        True,
        None,
        False,
    ),
    ("finance", "Marc", "Bernard", [roles.FINANCE_OFFICER], True, None, False),
    ("partner-cg", "Hélène", "Roux", [roles.PARTNER_USER], False, "cg", False),
    (
        "partner-caf",
        "Karim",
        "Benali",
        [roles.PARTNER_USER, roles.FUNDER_FINANCE],
        False,
        "caf",
        False,
    ),
    (
        "partner-msa",
        "Jeanne",
        "Faure",
        [roles.PARTNER_USER, roles.FUNDER_FINANCE],
        False,
        "msa",
        False,
    ),
]

ACCOUNT_ROLES = {
    "admin": "administrateur (tout, /admin/)",
    "cdaje": "équipe et coordination CDAJE (fiches)",
    "finance": "agent financier (budget)",
    "partner-cg": "partenaire : Département (ex-Conseil général)",
    "partner-caf": "partenaire et agent financier : CAF (versements)",
    "partner-msa": "partenaire et agent financier : MSA (versements)",
}


@dataclass
class DemoResult:
    contract: Contract
    created: int
    accounts: list[str]


@transaction.atomic
def load_loire_demo(*, with_accounts: bool, seal_signed_contract=None) -> DemoResult:
    """The Loire demo, written through the apps' services; each contract it writes is marked
    changed once, at the end, not once per row. First the contract as signed in 2014; then
    `seal_signed_contract(contract)`, if given, seals it as it was signed (True if it could);
    then its life since (decisions, the Département's new name, avenants n° 1 and 2, the
    first sealed then too if the contract could be), and the money cycle 2014–2017: actual
    figures, the funders' payments, the supporting documents (`demo.loire_cycle`)."""
    # The contract's life 2014–2017 is history written today: it tells nobody anything now
    # (`replaying_history`); what the demo's people have to read is written after it.
    with one_mark_per_contract(), replaying_history():
        result = _load_loire_demo(with_accounts=with_accounts)
        contract = result.contract
        sealed = seal_signed_contract is not None and seal_signed_contract(contract)
        partners = {
            key: Partner.objects.get(slug=slug) for key, (_n, _s, slug, _k) in PARTNERS.items()
        }
        result.created += rename_conseil_general(partners["cg"])
        result.created += record_contract_decisions(contract, partners)
        result.created += load_amendments(
            contract,
            partners,
            seal=bool(sealed),
            record_execution=record_execution,
        )
        # The money cycle comes after avenant n° 1: its lines 2015–2017 exist only once it
        # is applied, and the funders paid on the contract as amended.
        result.created += load_money_cycle(contract, partners)
        # The indicators' actual values are the execution of the contract as amended (fiche
        # n° 15 exists once avenant n° 1 is applied); avenant n° 2 proposes a new target.
        result.created += load_loire_indicators(contract)
        # The annual reviews after the money cycle (and the indicators): each adopted one
        # prints the year's execution, and is the funders' activity data.
        result.created += load_reviews(contract)
        # Last: the final evaluation in draft and the next contract prepared from it.
        result.created += load_renewal(contract)
        # The calendar: the CDAJE's plenaries and the deadlines added by hand.
        result.created += load_agenda(contract, partners)
    # Today's discussion of the next contract's fiches and of the 2017 review: its mentions
    # and replies are news, told to the people concerned (the header's count when they log in).
    with one_mark_per_contract():
        result.created += load_loire_comments(contract)
    return result


def _load_loire_demo(*, with_accounts: bool) -> DemoResult:
    counter = _Counter()
    groups = roles.sync_groups()
    territory = counter.get_or_create(Territory, code="42", defaults={"name": "Loire"})
    partners = {
        key: counter.get_or_create(
            Partner,
            slug=slug,
            defaults={"name": name, "short_name": short, "kind": kind, "siret": SIRETS[key]},
        )
        for key, (name, short, slug, kind) in PARTNERS.items()
    }
    for key, people in SIGNATORIES.items():
        for order, (civility, first, last, function) in enumerate(people, start=1):
            counter.get_or_create(
                Signatory,
                partner=partners[key],
                function=function,
                defaults={
                    "civility": civility,
                    "first_name": first,
                    "last_name": last,
                    "order": order,
                },
            )

    predecessor = counter.get_or_create(
        Contract,
        slug="cej-loire-2010-2013",
        defaults={
            "territory": territory,
            "title": "Premier contrat enfance jeunesse départemental de la Loire",
            "start_year": 2010,  # illustrative; the seed says only that it ended in late 2013
            "end_year": 2013,
            "annual_envelope": ANNUAL_ENVELOPE,  # illustrative
            "status": ContractStatus.EXPIRED,
        },
    )
    contract = counter.get_or_create(
        Contract,
        slug=DEMO_SLUG,
        defaults={
            "territory": territory,
            "title": "Contrat enfance jeunesse départemental de la Loire 2014–2017",
            "start_year": 2014,
            "end_year": 2017,
            "annual_envelope": ANNUAL_ENVELOPE,
            # Written in preparation, signed once its content is in (below): a signed
            # contract's content changes only through an avenant.
            "status": ContractStatus.DRAFT,
            "predecessor": predecessor,
        },
    )
    for each in (predecessor, contract):
        for order, key in enumerate(("cg", "caf", "msa"), start=1):
            counter.get_or_create(
                ContractParty,
                contract=each,
                partner=partners[key],
                defaults={
                    "order": order,
                    "role": PartyRole.BENEFICIARY if key == "cg" else PartyRole.FUNDER,
                },
            )
    if contract.status == ContractStatus.DRAFT:
        counter.created += set_terms(contract, partners)
    for signatory in Signatory.objects.filter(partner__in=partners.values()):
        counter.get_or_create(
            Signature,
            contract=contract,
            signatory=signatory,
            defaults={"signed_on": SIGNED_ON, "place": SIGNING_PLACE},
        )
    annex = counter.get_or_create(
        AnnexConvention,
        contract=contract,
        start_year=2014,
        defaults={
            "title": "Convention annexe au contrat enfance jeunesse départemental",
            "purpose": (
                "Financement d'actions non couvertes par le CEJ, notamment le dispositif pour "
                "l'accueil d'enfants handicapés dans les crèches. Elle couvre pour l'instant "
                "l'année 2014, dans l'attente de la définition d'actions nouvelles en lien avec "
                "les orientations 2014-2017."
            ),
            "end_year": 2014,
            "signed_on": SIGNED_ON,
        },
    )

    aims = {
        number: counter.get_or_create(
            Aim, number=number, defaults={"label": label, "description": text}
        )
        for number, label, text in AIMS
    }
    objectives = {
        number: counter.get_or_create(
            Objective, contract=contract, number=number, defaults={"title": title}
        )
        for number, title in OBJECTIVES
    }
    fiches = {}
    for data in FICHES:
        fiche, created = Fiche.objects.get_or_create(
            contract=contract,
            number=data["number"],
            defaults={
                "objective": objectives[data["objective"]],
                "title": data["title"],
                "findings": data["findings"],
                "goals": data["goals"],
                "actions": data["actions"],
                "target_public": data["target_public"],
                "calendar": data["calendar"],
                "indicators": data["indicators"],
                "budget_note": data["budget_note"],
                "lead_partner": partners[data["lead"]],
                "status": FicheStatus.VALIDATED,
                "validated_on": PLENARY_DATE,
            },
        )
        if created:
            counter.created += 1
            fiche.associated_partners.set([partners[key] for key in data["associated"]])
            fiche.aims.set([aims[n] for n in data["aims"]])
        if not fiche.versions.exists():
            version = record_version(
                fiche=fiche,
                action="Avis favorable de la CDAJE en plénière (reprise des fiches)",
                by=None,
            )
            # The fiche's last real change is the CDAJE's opinion in plenary, not this load: its
            # history and « dernière modification » carry the plenary's day (no person, no
            # hour: the pages show the day only).
            plenary = timezone.make_aware(datetime.datetime.combine(PLENARY_DATE, datetime.time()))
            FicheVersion.objects.filter(pk=version.pk).update(created_at=plenary)
            Fiche.objects.filter(pk=fiche.pk).update(updated_at=plenary)
            counter.created += 1
        fiches[data["number"]] = fiche

    posts = {
        code: counter.get_or_create(
            BudgetPost,
            code=code,
            defaults={
                "label": label,
                "instrument": instrument,
                "order": order,
                "description": description,
            },
        )
        for code, label, instrument, order, description in POSTS
    }
    planned = [
        (year, code, None, fiche, amount)
        for year in contract.years
        for code, (fiche, amount) in CEJ_LINES.items()
    ]
    annex_code, annex_fiche, annex_amount = ANNEX_LINE_2014
    planned.append((2014, annex_code, annex, annex_fiche, annex_amount))
    for year, code, annex_convention, fiche_number, amount in planned:
        line = BudgetLine.objects.filter(
            contract=contract, year=year, post=posts[code], fiche=fiches[fiche_number]
        ).first()
        if line is None:
            line = budget_line_save(
                line=BudgetLine(
                    contract=contract,
                    year=year,
                    post=posts[code],
                    annex_convention=annex_convention,
                    fiche=fiches[fiche_number],
                    amount=amount,
                    **LINE_FORECAST[code],
                ),
                action="Budget du contrat signé (reprise)",
            )
            # The budget is the one signed on 1 October 2014, not one typed on the day the
            # demo was loaded: its first version says so.
            signed = timezone.make_aware(datetime.datetime.combine(SIGNED_ON, datetime.time()))
            BudgetLineVersion.objects.filter(line=line).update(created_at=signed)
            BudgetLine.objects.filter(pk=line.pk).update(updated_at=signed)
            counter.created += 1
            record_execution(line)
            counter.created += line.entries.count()

    if contract.status == ContractStatus.DRAFT:
        Contract.objects.filter(pk=contract.pk).update(
            status=ContractStatus.SIGNED, signed_on=SIGNED_ON, signing_place=SIGNING_PLACE
        )
        contract.refresh_from_db()
    accounts = []
    if with_accounts:
        accounts = _demo_accounts(counter, groups, territory, partners)
    return DemoResult(contract=contract, created=counter.created, accounts=accounts)


def _demo_accounts(counter, groups, territory, partners) -> list[str]:
    User = get_user_model()
    names = []
    for username, first, last, group_names, staff, partner_key, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.cej-loire.invalid",
                is_staff=superuser,
                is_superuser=superuser,
            )
            # set_password, not the validators: "demo" is for a development machine only.
            user.set_password(DEMO_PASSWORD)
            user.save()
            counter.created += 1
            user.groups.set([groups[name] for name in group_names])
            if staff:
                territory.staff.add(user)
            if partner_key:
                partners[partner_key].members.add(user)
        names.append(username)
    return names


class _Counter:
    """get_or_create that counts what it created, so a second run can prove it did nothing."""

    def __init__(self):
        self.created = 0

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults, **lookup)
        self.created += int(created)
        return obj


def seal_demo_documents(contract: Contract) -> list:
    """The signed contract's sealed PDF, its annex convention's and its signed avenants',
    produced once (a second call finds them and writes nothing)."""
    from cej.models import AmendmentStatus, Document
    from pilotage.signing import amendment_seal, annex_convention_seal, contract_seal

    before = set(Document.objects.filter(contract=contract).values_list("pk", flat=True))
    with transaction.atomic():
        documents = [contract_seal(contract)]
        documents += [
            annex_convention_seal(annex)
            for annex in contract.annex_conventions.exclude(signed_on=None)
        ]
        documents += [
            amendment_seal(amendment)
            for amendment in contract.amendments.filter(status=AmendmentStatus.SIGNED)
        ]
    return [d for d in documents if d.pk not in before]
