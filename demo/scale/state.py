"""The state the generator's parts share: what every territory reuses (`Shared`), what one
territory's parts hand on to the next (`TerritoryState`), and each contract's plan."""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from cej import roles
from cej.models import AnnexConvention, Contract, Territory
from demo.fiches_data import AIMS
from demo.loire import POSTS
from demo.scale.core import ScaleResult
from demo.scale.departements import Departement
from fiches.models import Aim
from financing.models import BudgetPost
from partners.models import Partner


@dataclass
class Shared:
    """What every territory reuses: role groups, CDAJE aims, budget posts (all global, created
    the way the Loire demo creates them when missing), and the password hash."""

    groups: dict
    aims: dict
    posts: dict
    password_hash: str | None

    @classmethod
    def load(cls, password: str | None) -> "Shared":
        groups = roles.sync_groups()
        aims = {
            number: Aim.objects.get_or_create(
                number=number, defaults={"label": label, "description": text}
            )[0]
            for number, label, text in AIMS
        }
        posts = {
            code: BudgetPost.objects.get_or_create(
                code=code,
                defaults={
                    "label": label,
                    "instrument": instrument,
                    "order": order,
                    "description": description,
                },
            )[0]
            for code, label, instrument, order, description in POSTS
        }
        # PBKDF2 takes a good fraction of a second: once for all, never per account.
        password_hash = make_password(password) if password else None
        return cls(groups=groups, aims=aims, posts=posts, password_hash=password_hash)


@dataclass
class TerritoryState:
    """One département being generated. Its parts run in order (people, contracts, fiches,
    budget, documents), each drawing from the same `rng` in a fixed sequence (so a seed
    always gives the same data) and filling in what the later ones need."""

    shared: Shared
    dep: Departement
    index: int  # in DEPARTEMENTS
    rng: random.Random
    # The shared MSA caisse's people are drawn from the caisse's own generator, so they are
    # the same whichever of its départements creates them.
    msa_rng: random.Random
    contract_count: int
    counts: ScaleResult = field(default_factory=lambda: ScaleResult(territories=1))
    # Written to storage: deleted if the territory's transaction rolls back.
    stored_files: list[str] = field(default_factory=list)
    # The last commitment reference number given in the territory.
    reference: int = 0
    # Set by people.create_partners:
    territory: Territory | None = None
    cd: Partner | None = None
    caf: Partner | None = None
    msa: Partner | None = None
    partners: dict = field(default_factory=dict)  # "cg", "caf", "msa" → Partner
    signatories: list = field(default_factory=list)  # in signing order
    # Set by people.create_accounts:
    users: dict = field(default_factory=dict)  # role → User
    partner_users: list = field(default_factory=list)


@dataclass
class ContractPlan:
    contract: Contract
    plenary: datetime.date  # the CDAJE plenary that validated the fiches
    prepared_from: datetime.date  # when the CDAJE started writing them
    executed: bool  # signed (or expired): its past years have commitments and payments
    annex: AnnexConvention | None = None
    objectives: dict = field(default_factory=dict)  # number → Objective
    statuses: dict = field(default_factory=dict)  # fiche number → FicheStatus
    funding: dict = field(default_factory=dict)  # post code → [(fiche number, weight)]
    lines: list = field(default_factory=list)  # (year, post code, fiche number, cents)
    notes: dict = field(default_factory=dict)  # fiche number → budget note
    fiches: dict = field(default_factory=dict)  # number → Fiche
    # Set by cycle.create_terms: the funders' terms (financing.terms.ContractTerms), the
    # payment schedule's days and its advances as (percent, day, month).
    terms: object = None
    schedule: object = None
    advances: list = field(default_factory=list)
