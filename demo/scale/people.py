"""The territory, its partners and their signatories, and its accounts: territory staff and
one account per partner. Names are fictitious, drawn by the seed; functions are real."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from cej import roles
from cej.models import Territory
from demo.scale.core import msa_group, username_for
from demo.scale.departements import DEPARTEMENTS
from demo.scale.state import TerritoryState
from partners.models import Partner, PartnerKind, Signatory

# Fictitious people (signatories, agents): common French names, drawn by the seed. Written
# space-separated, then split: as list literals they would take one line per name.
FIRST_NAMES = {
    "Mme": (  # noqa: SIM905
        "Anne Camille Catherine Claire Élodie Émilie Françoise Hélène Isabelle Julie "
        "Laure Léa Marie Martine Nathalie Pauline Sandrine Sophie Sylvie Valérie"
    ).split(),
    "M.": (  # noqa: SIM905
        "Alain Antoine Bruno Christophe Damien David Éric François Guillaume Jean "
        "Julien Laurent Marc Mathieu Nicolas Olivier Patrick Philippe Pierre Thierry"
    ).split(),
}
LAST_NAMES = (  # noqa: SIM905
    "Arnaud Barbier Bertrand Blanc Bonnet Boyer Brun Chevalier Clément Colin Dubois Dumas "
    "Durand Fabre Faure Fontaine Fournier Gaillard Garnier Gauthier Girard Guérin Henry "
    "Joly Lambert Laurent Lefebvre Legrand Leroy Marchand Martin Masson Mercier Meunier "
    "Michel Morel Moulin Nicolas Perrin Petit Picard Renard Robin Roche Rousseau Roussel "
    "Roux Simon Vidal Vincent"
).split()

SIGNATORY_FUNCTIONS = {
    # (masculine, feminine); {of} is the département with its preposition
    "cd": [("Président du Conseil départemental {of}", "Présidente du Conseil départemental {of}")],
    "caf": [
        (
            "Président du conseil d'administration de la CAF",
            "Présidente du conseil d'administration de la CAF",
        ),
        ("Directeur de la CAF", "Directrice de la CAF"),
    ],
    "msa": [
        (
            "Président du conseil d'administration de la MSA",
            "Présidente du conseil d'administration de la MSA",
        ),
        ("Directeur général de la MSA", "Directrice générale de la MSA"),
    ],
}


def draw_person(rng: random.Random) -> tuple[str, str, str]:
    civility = rng.choice(["Mme", "M."])
    return civility, rng.choice(FIRST_NAMES[civility]), rng.choice(LAST_NAMES)


def gendered(civility: str, masculine: str, feminine: str) -> str:
    return feminine if civility == "Mme" else masculine


def _luhn_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check, as SIREN and SIRET do."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def illustrative_siret(prefix: str, number: int) -> str:
    """A SIRET with valid check digits (SIREN and SIRET), not a real institution's."""
    siren = f"{prefix}{number:03d}999"[:8]
    siren += _luhn_digit(siren)
    body = f"{siren}0001"
    return body + _luhn_digit(body)


def create_partners(state: TerritoryState) -> None:
    """The territory, its Conseil départemental and CAF, the MSA caisse it shares with two
    neighbours (created by the first of them generated), and their signatories."""
    dep, rng = state.dep, state.rng
    state.territory = Territory.objects.create(code=dep.code, name=dep.name)
    group = msa_group(state.index)
    state.msa = Partner.objects.filter(slug=f"scale-msa-{group}").first()
    new = []
    if state.msa is None:
        members = DEPARTEMENTS[(group - 1) * 3 : group * 3]
        state.msa = Partner(
            name="Caisse de mutualité sociale agricole " + " ".join(d.name for d in members),
            short_name="MSA",
            slug=f"scale-msa-{group}",
            kind=PartnerKind.MSA,
            siret=illustrative_siret("78", group),
            address=f"Siège de la caisse — {members[0].seat}",
        )
        new.append(("msa", state.msa))
    state.cd = Partner(
        name=f"Conseil départemental {dep.of}",
        short_name="Conseil départemental",
        slug=f"scale-cd-{dep.code.lower()}",
        kind=PartnerKind.CONSEIL_GENERAL,
        siret=illustrative_siret("22", state.index + 1),
        address=f"Hôtel du Département — {dep.seat}",
    )
    state.caf = Partner(
        name=f"Caisse d'allocations familiales {dep.of}",
        short_name="CAF",
        slug=f"scale-caf-{dep.code.lower()}",
        kind=PartnerKind.CAF,
        siret=illustrative_siret("77", state.index + 1),
        address=f"Siège de la CAF — {dep.seat}",
    )
    new += [("cd", state.cd), ("caf", state.caf)]
    Partner.objects.bulk_create([p for _key, p in new])
    state.counts.partners += len(new)
    state.partners = {"cg": state.cd, "caf": state.caf, "msa": state.msa}

    signatories = []
    for key, partner in new:
        person_rng = state.msa_rng if key == "msa" else rng
        for order, (masculine, feminine) in enumerate(SIGNATORY_FUNCTIONS[key], start=1):
            civility, first, last = draw_person(person_rng)
            signatories.append(
                Signatory(
                    partner=partner,
                    civility=civility,
                    first_name=first,
                    last_name=last,
                    function=gendered(civility, masculine, feminine).format(of=dep.of),
                    order=order,
                )
            )
    Signatory.objects.bulk_create(signatories)
    rank = {partner.pk: n for n, partner in enumerate(state.partners.values())}
    state.signatories = sorted(
        Signatory.objects.filter(partner__in=state.partners.values(), is_active=True),
        key=lambda s: (rank[s.partner_id], s.order, s.pk),
    )


def create_accounts(state: TerritoryState) -> None:
    """Territory staff (two CDAJE agents, one coordinating; a finance officer) and one
    account per partner. A shared MSA's account exists once, made with its caisse."""
    groups, code = state.shared.groups, state.dep.code
    wanted = [
        ("cdaje", [roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR], None),
        ("cdaje2", [roles.CDAJE_STAFF], None),
        ("finance", [roles.FINANCE_OFFICER], None),
        ("cg", [roles.PARTNER_USER], state.cd),
        ("caf", [roles.PARTNER_USER, roles.FUNDER_FINANCE], state.caf),
    ]
    usernames = {role: username_for(code, role) for role, _g, _p in wanted}
    msa_username = f"scale-msa-{msa_group(state.index)}"
    User = get_user_model()
    if not User.objects.filter(username=msa_username).exists():
        wanted.append(("msa", [roles.PARTNER_USER, roles.FUNDER_FINANCE], state.msa))
        usernames["msa"] = msa_username
    users = {}
    for role, _groups, _partner in wanted:
        person_rng = state.msa_rng if role == "msa" else state.rng
        _civility, first, last = draw_person(person_rng)
        username = usernames[role]
        users[role] = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@scale.cej-loire.invalid",
            password=state.shared.password_hash or make_password(None),
        )
    User.objects.bulk_create(users.values())
    state.counts.users += len(users)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=users[role].pk, group_id=groups[name].pk)
        for role, names, _partner in wanted
        for name in names
    )
    Territory.staff.through.objects.bulk_create(
        Territory.staff.through(territory_id=state.territory.pk, user_id=users[role].pk)
        for role in ("cdaje", "cdaje2", "finance")
    )
    Partner.members.through.objects.bulk_create(
        Partner.members.through(partner_id=partner.pk, user_id=users[role].pk)
        for role, _names, partner in wanted
        if partner is not None
    )
    state.users = users
    state.partner_users = [users["cg"], users["caf"]] + (
        [users["msa"]] if "msa" in users else list(state.msa.members.all()[:1])
    )
