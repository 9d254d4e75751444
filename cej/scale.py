"""Scale data: a national set of contracts for benchmarks and load tests.

One generated territory per French département (all 101 but the Loire, kept for the demo),
each with its partners (Conseil départemental, CAF, an MSA caisse shared by three
consecutive départements), their signatories, staff and partner accounts, and a chain of
successive four-year contracts with their objectives, 14 fiches and their version history,
budget lines split into partner contributions, commitments and payments, and a scanned
signed original. Texts come from the Loire demo; names, amounts and dates are illustrative
and drawn from a seeded generator, so two runs with the same seed produce the same data.

The rows are written with bulk inserts, one transaction per territory, and satisfy the same
rules as the services that write them one by one (envelope per year, contributions adding
up, paid ≤ committed ≤ planned, annex lines within an annex convention…). A territory whose
code already exists is never touched, and the Loire demo's "42" is never generated.

Stable interface (load tests depend on it): contract slugs `scale-<code>-<start>-<end>`,
usernames `scale-<code>-cdaje`, `scale-<code>-cdaje2`, `scale-<code>-finance`,
`scale-<code>-cg`, `scale-<code>-caf` and `scale-msa-<n>`, codes in lowercase ("2a").
"""

import datetime
import hashlib
import random
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cej import roles
from cej.dates import format_date_long
from cej.demo.fiches_data import AIMS, FICHES, OBJECTIVES
from cej.demo.loire import POSTS
from cej.html import sanitize_rich_text
from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    Document,
    DocumentDownload,
    DocumentKind,
    Signature,
    Territory,
)
from cej.money import format_eur, format_number
from fiches.models import Aim, Fiche, FicheStatus, FicheVersion, Objective
from fiches.services import CONTENT_FIELDS
from fiches.workflow import TRANSITIONS
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    VersionKind,
)
from financing.services import line_label, line_snapshot
from partners.models import Partner, PartnerKind, Signatory

DEFAULT_SEED = 20140101
MAX_TERRITORIES = 101
MAX_CONTRACTS = 6
BATCH = 500
# The generated history stops here, whatever the day of the run, so that a seed always gives
# the same data: years before are executed, the current one partly, later ones only planned.
AS_OF = datetime.date(2026, 9, 1)
YEARS_PER_CONTRACT = 4
# The Loire demo's territory (cej.demo.loire). Never generated, even before the demo is
# loaded: load_demo would otherwise put its 2014–2017 contract beside generated ones of the
# same years, in the same territory.
DEMO_TERRITORY_CODE = "42"


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    of: str  # the name after « de », with its article: « de l'Ain », « du Nord »
    seat: str  # the prefecture, where the contracts are signed


DEPARTEMENTS = [
    Departement(*row)
    for row in [
        ("01", "Ain", "de l'Ain", "Bourg-en-Bresse"),
        ("02", "Aisne", "de l'Aisne", "Laon"),
        ("03", "Allier", "de l'Allier", "Moulins"),
        ("04", "Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence", "Digne-les-Bains"),
        ("05", "Hautes-Alpes", "des Hautes-Alpes", "Gap"),
        ("06", "Alpes-Maritimes", "des Alpes-Maritimes", "Nice"),
        ("07", "Ardèche", "de l'Ardèche", "Privas"),
        ("08", "Ardennes", "des Ardennes", "Charleville-Mézières"),
        ("09", "Ariège", "de l'Ariège", "Foix"),
        ("10", "Aube", "de l'Aube", "Troyes"),
        ("11", "Aude", "de l'Aude", "Carcassonne"),
        ("12", "Aveyron", "de l'Aveyron", "Rodez"),
        ("13", "Bouches-du-Rhône", "des Bouches-du-Rhône", "Marseille"),
        ("14", "Calvados", "du Calvados", "Caen"),
        ("15", "Cantal", "du Cantal", "Aurillac"),
        ("16", "Charente", "de la Charente", "Angoulême"),
        ("17", "Charente-Maritime", "de la Charente-Maritime", "La Rochelle"),
        ("18", "Cher", "du Cher", "Bourges"),
        ("19", "Corrèze", "de la Corrèze", "Tulle"),
        ("2A", "Corse-du-Sud", "de la Corse-du-Sud", "Ajaccio"),
        ("2B", "Haute-Corse", "de la Haute-Corse", "Bastia"),
        ("21", "Côte-d'Or", "de la Côte-d'Or", "Dijon"),
        ("22", "Côtes-d'Armor", "des Côtes-d'Armor", "Saint-Brieuc"),
        ("23", "Creuse", "de la Creuse", "Guéret"),
        ("24", "Dordogne", "de la Dordogne", "Périgueux"),
        ("25", "Doubs", "du Doubs", "Besançon"),
        ("26", "Drôme", "de la Drôme", "Valence"),
        ("27", "Eure", "de l'Eure", "Évreux"),
        ("28", "Eure-et-Loir", "d'Eure-et-Loir", "Chartres"),
        ("29", "Finistère", "du Finistère", "Quimper"),
        ("30", "Gard", "du Gard", "Nîmes"),
        ("31", "Haute-Garonne", "de la Haute-Garonne", "Toulouse"),
        ("32", "Gers", "du Gers", "Auch"),
        ("33", "Gironde", "de la Gironde", "Bordeaux"),
        ("34", "Hérault", "de l'Hérault", "Montpellier"),
        ("35", "Ille-et-Vilaine", "d'Ille-et-Vilaine", "Rennes"),
        ("36", "Indre", "de l'Indre", "Châteauroux"),
        ("37", "Indre-et-Loire", "d'Indre-et-Loire", "Tours"),
        ("38", "Isère", "de l'Isère", "Grenoble"),
        ("39", "Jura", "du Jura", "Lons-le-Saunier"),
        ("40", "Landes", "des Landes", "Mont-de-Marsan"),
        ("41", "Loir-et-Cher", "de Loir-et-Cher", "Blois"),
        ("42", "Loire", "de la Loire", "Saint-Étienne"),
        ("43", "Haute-Loire", "de la Haute-Loire", "Le Puy-en-Velay"),
        ("44", "Loire-Atlantique", "de la Loire-Atlantique", "Nantes"),
        ("45", "Loiret", "du Loiret", "Orléans"),
        ("46", "Lot", "du Lot", "Cahors"),
        ("47", "Lot-et-Garonne", "de Lot-et-Garonne", "Agen"),
        ("48", "Lozère", "de la Lozère", "Mende"),
        ("49", "Maine-et-Loire", "de Maine-et-Loire", "Angers"),
        ("50", "Manche", "de la Manche", "Saint-Lô"),
        ("51", "Marne", "de la Marne", "Châlons-en-Champagne"),
        ("52", "Haute-Marne", "de la Haute-Marne", "Chaumont"),
        ("53", "Mayenne", "de la Mayenne", "Laval"),
        ("54", "Meurthe-et-Moselle", "de Meurthe-et-Moselle", "Nancy"),
        ("55", "Meuse", "de la Meuse", "Bar-le-Duc"),
        ("56", "Morbihan", "du Morbihan", "Vannes"),
        ("57", "Moselle", "de la Moselle", "Metz"),
        ("58", "Nièvre", "de la Nièvre", "Nevers"),
        ("59", "Nord", "du Nord", "Lille"),
        ("60", "Oise", "de l'Oise", "Beauvais"),
        ("61", "Orne", "de l'Orne", "Alençon"),
        ("62", "Pas-de-Calais", "du Pas-de-Calais", "Arras"),
        ("63", "Puy-de-Dôme", "du Puy-de-Dôme", "Clermont-Ferrand"),
        ("64", "Pyrénées-Atlantiques", "des Pyrénées-Atlantiques", "Pau"),
        ("65", "Hautes-Pyrénées", "des Hautes-Pyrénées", "Tarbes"),
        ("66", "Pyrénées-Orientales", "des Pyrénées-Orientales", "Perpignan"),
        ("67", "Bas-Rhin", "du Bas-Rhin", "Strasbourg"),
        ("68", "Haut-Rhin", "du Haut-Rhin", "Colmar"),
        ("69", "Rhône", "du Rhône", "Lyon"),
        ("70", "Haute-Saône", "de la Haute-Saône", "Vesoul"),
        ("71", "Saône-et-Loire", "de Saône-et-Loire", "Mâcon"),
        ("72", "Sarthe", "de la Sarthe", "Le Mans"),
        ("73", "Savoie", "de la Savoie", "Chambéry"),
        ("74", "Haute-Savoie", "de la Haute-Savoie", "Annecy"),
        ("75", "Paris", "de Paris", "Paris"),
        ("76", "Seine-Maritime", "de la Seine-Maritime", "Rouen"),
        ("77", "Seine-et-Marne", "de Seine-et-Marne", "Melun"),
        ("78", "Yvelines", "des Yvelines", "Versailles"),
        ("79", "Deux-Sèvres", "des Deux-Sèvres", "Niort"),
        ("80", "Somme", "de la Somme", "Amiens"),
        ("81", "Tarn", "du Tarn", "Albi"),
        ("82", "Tarn-et-Garonne", "de Tarn-et-Garonne", "Montauban"),
        ("83", "Var", "du Var", "Toulon"),
        ("84", "Vaucluse", "de Vaucluse", "Avignon"),
        ("85", "Vendée", "de la Vendée", "La Roche-sur-Yon"),
        ("86", "Vienne", "de la Vienne", "Poitiers"),
        ("87", "Haute-Vienne", "de la Haute-Vienne", "Limoges"),
        ("88", "Vosges", "des Vosges", "Épinal"),
        ("89", "Yonne", "de l'Yonne", "Auxerre"),
        ("90", "Territoire de Belfort", "du Territoire de Belfort", "Belfort"),
        ("91", "Essonne", "de l'Essonne", "Évry-Courcouronnes"),
        ("92", "Hauts-de-Seine", "des Hauts-de-Seine", "Nanterre"),
        ("93", "Seine-Saint-Denis", "de la Seine-Saint-Denis", "Bobigny"),
        ("94", "Val-de-Marne", "du Val-de-Marne", "Créteil"),
        ("95", "Val-d'Oise", "du Val-d'Oise", "Cergy"),
        ("971", "Guadeloupe", "de la Guadeloupe", "Basse-Terre"),
        ("972", "Martinique", "de la Martinique", "Fort-de-France"),
        ("973", "Guyane", "de la Guyane", "Cayenne"),
        ("974", "La Réunion", "de La Réunion", "Saint-Denis"),
        ("976", "Mayotte", "de Mayotte", "Mamoudzou"),
    ]
]

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

# Which fiches (numbers of cej.demo.fiches_data) the budget funds, by post: the CEJ finances
# only coordination and communication, the annex convention the disabled-children scheme.
ALWAYS_FUNDED = {"coordination": 12, "communication": 14, "accueil-enfants-handicapes": 4}
SOMETIMES_FUNDED = {
    "coordination": ([1, 2, 5, 6, 7, 8, 11], (3, 5)),
    "communication": ([3, 9, 10, 13], (2, 3)),
    "accueil-enfants-handicapes": ([5], (0, 1)),
}
GENERAL_LINE_LABELS = {
    "coordination": "Coordination départementale : fonctionnement",
    "communication": "Supports d'information des familles",
    "accueil-enfants-handicapes": "Dispositif départemental d'accueil (hors fiche)",
}


@dataclass
class ScaleResult:
    """What a run created, and which territories it left alone and why."""

    territories: int = 0
    contracts: int = 0
    fiches: int = 0
    fiche_versions: int = 0
    budget_lines: int = 0
    contributions: int = 0
    execution_entries: int = 0
    line_versions: int = 0
    users: int = 0
    partners: int = 0
    signatures: int = 0
    documents: int = 0
    downloads: int = 0
    # « 42 Loire » for each territory found already there, not generated by this command.
    skipped_existing: list[str] = field(default_factory=list)
    # Territories a previous run generated: nothing is added to them.
    skipped_generated: list[str] = field(default_factory=list)
    # Not there yet, but kept for the Loire demo (DEMO_TERRITORY_CODE).
    skipped_reserved: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def budget_rows(self) -> int:
        return self.budget_lines + self.contributions + self.execution_entries

    @property
    def versions(self) -> int:
        return self.fiche_versions + self.line_versions

    def add(self, other: "ScaleResult") -> None:
        for counter in fields(self):
            if counter.type is int:
                setattr(
                    self, counter.name, getattr(self, counter.name) + getattr(other, counter.name)
                )


def slug_for(code: str, start_year: int) -> str:
    return f"scale-{code.lower()}-{start_year}-{start_year + YEARS_PER_CONTRACT - 1}"


def username_for(code: str, role: str) -> str:
    """`role` is cdaje, cdaje2, finance, cg or caf."""
    return f"scale-{code.lower()}-{role}"


def msa_group(index: int) -> int:
    """The MSA caisse (1, 2, …) of the département at `index` in DEPARTEMENTS: one caisse for
    three consecutive départements, as real caisses cover several neighbouring ones."""
    return index // 3 + 1


def check_arguments(territories: int, contracts_per_territory: int) -> None:
    if not 1 <= territories <= MAX_TERRITORIES:
        raise ValueError(
            f"Le nombre de territoires doit être compris entre 1 et {MAX_TERRITORIES} "
            f"(reçu : {territories})."
        )
    if not 1 <= contracts_per_territory <= MAX_CONTRACTS:
        raise ValueError(
            f"Le nombre de contrats par territoire doit être compris entre 1 et {MAX_CONTRACTS} "
            f"(reçu : {contracts_per_territory})."
        )


def generate_scale_data(
    *,
    territories: int = MAX_TERRITORIES,
    contracts_per_territory: int = 3,
    password: str | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Generate the first `territories` départements (in code order) with
    `contracts_per_territory` successive contracts each. Accounts get `password` (hashed once
    for all of them) or, without one, an unusable password. Returns the counts."""
    check_arguments(territories, contracts_per_territory)
    log = log or (lambda message: None)
    started = time.monotonic()
    result = ScaleResult()
    with transaction.atomic():
        shared = _Shared.load(password)
    existing = {t.code: t for t in Territory.objects.all()}
    existing_names = {t.name for t in existing.values()}
    selected = list(enumerate(DEPARTEMENTS))[:territories]
    for position, (index, dep) in enumerate(selected, start=1):
        label = f"{dep.code} {dep.name}"
        if dep.code == DEMO_TERRITORY_CODE and dep.code not in existing:
            result.skipped_reserved.append(label)
            log(f"[{position}/{len(selected)}] {label} : réservé à la démonstration, laissé vide.")
            continue
        if dep.code in existing or dep.name in existing_names:
            territory = existing.get(dep.code)
            generated = territory and territory.contracts.filter(
                slug__startswith=f"scale-{dep.code.lower()}-"
            )
            if generated and generated.exists():
                result.skipped_generated.append(label)
                log(f"[{position}/{len(selected)}] {label} : déjà généré, rien à ajouter.")
            else:
                result.skipped_existing.append(label)
                log(f"[{position}/{len(selected)}] {label} : territoire existant, laissé intact.")
            continue
        territory_started = time.monotonic()
        builder = _TerritoryBuilder(
            shared=shared,
            dep=dep,
            index=index,
            rng=random.Random(f"{seed}-{dep.code}"),
            msa_rng=random.Random(f"{seed}-msa-{msa_group(index)}"),
            contracts=contracts_per_territory,
        )
        counts = builder.run()
        result.add(counts)
        log(
            f"[{position}/{len(selected)}] {label} : {counts.contracts} contrats, "
            f"{counts.fiches} fiches, {counts.budget_rows} lignes, contributions et écritures "
            f"({format_number(time.monotonic() - territory_started, decimals=1)} s)"
        )
    result.elapsed = time.monotonic() - started
    return result


@dataclass
class _Shared:
    """What every territory reuses: role groups, CDAJE aims, budget posts (all global, created
    the way the Loire demo creates them when missing), and the password hash."""

    groups: dict
    aims: dict
    posts: dict
    password_hash: str | None

    @classmethod
    def load(cls, password: str | None) -> "_Shared":
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


@contextmanager
def _historical_timestamps():
    """Let bulk inserts keep the dates we give them. auto_now/auto_now_add would stamp every
    generated row with the time of the run, flattening years of history (version lists,
    downloads, entries) into one instant. The flags are restored afterwards; the command is
    single-threaded, so no other write sees them off."""
    fields = [
        model._meta.get_field(name)
        for model, names in [
            (Contract, ["created_at", "updated_at"]),
            (Signature, ["recorded_at"]),
            (Fiche, ["created_at", "updated_at"]),
            (FicheVersion, ["created_at"]),
            (BudgetLine, ["created_at", "updated_at"]),
            (BudgetLineVersion, ["created_at"]),
            (ExecutionEntry, ["created_at"]),
            (Document, ["created_at"]),
            (DocumentDownload, ["downloaded_at"]),
        ]
        for name in names
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _eur(cents: int) -> Decimal:
    """Integer cents (exact arithmetic while splitting) to a 2-decimal Decimal."""
    return Decimal(cents).scaleb(-2)


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


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours instant of `day`, in the project's time zone."""
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _spread(rng, count: int, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """`count` sorted days between `first` and `last` (the same day if the range is empty)."""
    span = max((last - first).days, 0)
    return sorted(first + datetime.timedelta(days=rng.randint(0, span)) for _ in range(count))


def _person(rng: random.Random) -> tuple[str, str, str]:
    civility = rng.choice(["Mme", "M."])
    return civility, rng.choice(FIRST_NAMES[civility]), rng.choice(LAST_NAMES)


def _gendered(civility: str, masculine: str, feminine: str) -> str:
    return feminine if civility == "Mme" else masculine


_YEAR = re.compile(r"\b(201[4-7])\b")


def _fiche_texts(data: dict, start_year: int) -> dict:
    """The demo fiche's texts, its calendar moved to the contract's years, sanitized the way
    Fiche.clean() would (so a later full_clean() changes nothing)."""
    shift = start_year - 2014
    texts = {}
    for name in CONTENT_FIELDS:
        value = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), data[name])
        texts[name] = value if name in ("title", "budget_note") else sanitize_rich_text(value)
    return texts


@dataclass
class _ContractPlan:
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


class _TerritoryBuilder:
    """Builds one département's rows in memory, then inserts them model by model (parents
    first, so that children get their ids), all in one transaction."""

    def __init__(self, *, shared, dep, index, rng, msa_rng, contracts):
        self.shared, self.dep, self.index = shared, dep, index
        self.rng, self.msa_rng, self.contract_count = rng, msa_rng, contracts
        self.counts = ScaleResult(territories=1)
        self.stored_files: list[str] = []
        self.reference = 0

    def run(self) -> ScaleResult:
        try:
            with transaction.atomic(), _historical_timestamps():
                self._territory_and_partners()
                self._accounts()
                plans = self._contracts()
                self._fiches(plans)
                self._budget(plans)
                self._documents(plans)
        except BaseException:
            # The rows are rolled back; the files written for them must go too.
            for name in self.stored_files:
                default_storage.delete(name)
            raise
        return self.counts

    # -- territory, partners, accounts ------------------------------------------------------

    def _territory_and_partners(self):
        dep, rng = self.dep, self.rng
        self.territory = Territory.objects.create(code=dep.code, name=dep.name)
        group = msa_group(self.index)
        self.msa = Partner.objects.filter(slug=f"scale-msa-{group}").first()
        new = []
        if self.msa is None:
            members = DEPARTEMENTS[(group - 1) * 3 : group * 3]
            self.msa = Partner(
                name="Caisse de mutualité sociale agricole " + " ".join(d.name for d in members),
                short_name="MSA",
                slug=f"scale-msa-{group}",
                kind=PartnerKind.MSA,
                siret=illustrative_siret("78", group),
                address=f"Siège de la caisse — {members[0].seat}",
            )
            new.append(("msa", self.msa))
        self.cd = Partner(
            name=f"Conseil départemental {dep.of}",
            short_name="Conseil départemental",
            slug=f"scale-cd-{dep.code.lower()}",
            kind=PartnerKind.CONSEIL_GENERAL,
            siret=illustrative_siret("22", self.index + 1),
            address=f"Hôtel du Département — {dep.seat}",
        )
        self.caf = Partner(
            name=f"Caisse d'allocations familiales {dep.of}",
            short_name="CAF",
            slug=f"scale-caf-{dep.code.lower()}",
            kind=PartnerKind.CAF,
            siret=illustrative_siret("77", self.index + 1),
            address=f"Siège de la CAF — {dep.seat}",
        )
        new += [("cd", self.cd), ("caf", self.caf)]
        Partner.objects.bulk_create([p for _key, p in new])
        self.counts.partners += len(new)
        self.partners = {"cg": self.cd, "caf": self.caf, "msa": self.msa}

        signatories = []
        for key, partner in new:
            person_rng = self.msa_rng if key == "msa" else rng
            for order, (masculine, feminine) in enumerate(_SIGNATORY_FUNCTIONS[key], start=1):
                civility, first, last = _person(person_rng)
                signatories.append(
                    Signatory(
                        partner=partner,
                        civility=civility,
                        first_name=first,
                        last_name=last,
                        function=_gendered(civility, masculine, feminine).format(of=dep.of),
                        order=order,
                    )
                )
        Signatory.objects.bulk_create(signatories)
        rank = {partner.pk: n for n, partner in enumerate(self.partners.values())}
        self.signatories = sorted(
            Signatory.objects.filter(partner__in=self.partners.values(), is_active=True),
            key=lambda s: (rank[s.partner_id], s.order, s.pk),
        )

    def _accounts(self):
        """Territory staff (two CDAJE agents, one coordinating; a finance officer) and one
        account per partner. A shared MSA's account exists once, made with its caisse."""
        groups, code = self.shared.groups, self.dep.code
        wanted = [
            ("cdaje", [roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR], None),
            ("cdaje2", [roles.CDAJE_STAFF], None),
            ("finance", [roles.FINANCE_OFFICER], None),
            ("cg", [roles.PARTNER_USER], self.cd),
            ("caf", [roles.PARTNER_USER], self.caf),
        ]
        usernames = {role: username_for(code, role) for role, _g, _p in wanted}
        msa_username = f"scale-msa-{msa_group(self.index)}"
        User = get_user_model()
        if not User.objects.filter(username=msa_username).exists():
            wanted.append(("msa", [roles.PARTNER_USER], self.msa))
            usernames["msa"] = msa_username
        users = {}
        for role, _groups, _partner in wanted:
            person_rng = self.msa_rng if role == "msa" else self.rng
            _civility, first, last = _person(person_rng)
            username = usernames[role]
            users[role] = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@scale.cej-loire.invalid",
                password=self.shared.password_hash or make_password(None),
            )
        User.objects.bulk_create(users.values())
        self.counts.users += len(users)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=users[role].pk, group_id=groups[name].pk)
            for role, names, _partner in wanted
            for name in names
        )
        Territory.staff.through.objects.bulk_create(
            Territory.staff.through(territory_id=self.territory.pk, user_id=users[role].pk)
            for role in ("cdaje", "cdaje2", "finance")
        )
        Partner.members.through.objects.bulk_create(
            Partner.members.through(partner_id=partner.pk, user_id=users[role].pk)
            for role, _names, partner in wanted
            if partner is not None
        )
        self.users = users
        self.partner_users = [users["cg"], users["caf"]] + (
            [users["msa"]] if "msa" in users else list(self.msa.members.all()[:1])
        )

    # -- contracts --------------------------------------------------------------------------

    def _contracts(self) -> list[_ContractPlan]:
        """A chain of four-year contracts ending with the current one: older ones expired (or
        still running), the newest signed, in signature or in preparation."""
        rng, dep = self.rng, self.dep
        newest = rng.choices(["signed", "in_signature", "draft"], weights=[55, 15, 30])[0]
        newest_start = {
            "draft": AS_OF.year + 1,
            "in_signature": AS_OF.year,
            "signed": rng.randint(AS_OF.year - 3, AS_OF.year),
        }[newest]
        count = self.contract_count
        starts = [newest_start - YEARS_PER_CONTRACT * (count - 1 - i) for i in range(count)]
        envelope = rng.randrange(800, 3601) * 10000  # cents: 80 000 € to 360 000 €
        plans, predecessor = [], None
        for position, start in enumerate(starts):
            end = start + YEARS_PER_CONTRACT - 1
            kind = ("expired" if end < AS_OF.year else "signed") if position < count - 1 else newest
            if kind == "draft":
                prepared_from = datetime.date(AS_OF.year, 1, 10) + _days(rng, 0, 40)
                plenary = datetime.date(AS_OF.year, 6, 8) + _days(rng, 0, 20)
            else:
                prepared_from = datetime.date(start - 1, 3, 1) + _days(rng, 0, 90)
                plenary = datetime.date(start - 1, 11, 20) + _days(rng, 0, 60)
            status = {
                "expired": ContractStatus.EXPIRED,
                "signed": ContractStatus.SIGNED,
                "in_signature": ContractStatus.IN_SIGNATURE,
                "draft": ContractStatus.DRAFT,
            }[kind]
            signed_on = None
            if kind in ("expired", "signed"):
                signed_on = min(
                    plenary + _days(rng, 45, 240),
                    datetime.date(start, 12, 15),
                    AS_OF - datetime.timedelta(days=7),
                )
            contract = Contract(
                territory=self.territory,
                slug=slug_for(dep.code, start),
                title=f"Contrat enfance jeunesse départemental {dep.of} {start}–{end}",
                start_year=start,
                end_year=end,
                annual_envelope=_eur(envelope),
                status=status,
                signed_on=signed_on,
                signing_place=dep.seat if signed_on else "",
                predecessor=predecessor,
                created_at=_moment(prepared_from, rng),
                updated_at=_moment(signed_on or plenary, rng),
            )
            # One by one: each contract names the one before it, whose id it needs.
            contract.save()
            plans.append(
                _ContractPlan(
                    contract=contract,
                    plenary=plenary,
                    prepared_from=prepared_from,
                    executed=kind in ("expired", "signed"),
                )
            )
            predecessor = contract
            # Envelopes follow each other: mostly growing, sometimes cut back.
            envelope = min(int(round(envelope * rng.uniform(0.97, 1.08), -4)), 40_000_000)
        self.counts.contracts += len(plans)
        self._parties_signatures_annexes(plans)
        return plans

    def _parties_signatures_annexes(self, plans):
        rng = self.rng
        parties, signatures, annexes, amendments = [], [], [], []
        for plan in plans:
            contract = plan.contract
            for order, key in enumerate(("cg", "caf", "msa"), start=1):
                parties.append(
                    ContractParty(contract=contract, partner=self.partners[key], order=order)
                )
            signers = self.signatories
            if contract.status == ContractStatus.IN_SIGNATURE:
                signers = signers[: rng.randint(1, len(signers) - 1)]
                days = _spread(rng, len(signers), plan.plenary, AS_OF - datetime.timedelta(1))
            elif contract.signed_on:
                # Usually a signing ceremony; sometimes each institution signs in turn.
                if rng.random() < 0.6:
                    days = [contract.signed_on] * len(signers)
                else:
                    days = [
                        *_spread(
                            rng,
                            len(signers) - 1,
                            contract.signed_on - _days(rng, 10, 40),
                            contract.signed_on,
                        ),
                        contract.signed_on,
                    ]
            else:
                signers, days = [], []
            for signatory, day in zip(signers, days, strict=True):
                signatures.append(
                    Signature(
                        contract=contract,
                        signatory=signatory,
                        signed_on=day,
                        place=self.dep.seat,
                        recorded_by=self.users["cdaje"],
                        recorded_at=_moment(day, rng),
                    )
                )
            if rng.random() < 0.35:
                end = contract.start_year + rng.choice([0, 0, 1, 2, 3])
                plan.annex = AnnexConvention(
                    contract=contract,
                    title="Convention annexe au contrat enfance jeunesse départemental",
                    purpose=(
                        "Financement d'actions non couvertes par le CEJ, notamment le dispositif "
                        "pour l'accueil d'enfants handicapés dans les crèches."
                    ),
                    start_year=contract.start_year,
                    end_year=end,
                    signed_on=contract.signed_on,
                )
                annexes.append(plan.annex)
        ContractParty.objects.bulk_create(parties)
        Signature.objects.bulk_create(signatures)
        AnnexConvention.objects.bulk_create(annexes)
        self.counts.signatures += len(signatures)
        for plan in plans:
            annex, contract = plan.annex, plan.contract
            # A convention first signed for one year, extended by amendment (avenant).
            if annex and annex.end_year > annex.start_year and contract.signed_on:
                signed_on = max(
                    datetime.date(annex.start_year, 11, 2) + _days(rng, 0, 50),
                    contract.signed_on + _days(rng, 30, 60),
                )
                if signed_on < AS_OF:
                    amendments.append(
                        Amendment(
                            contract=contract,
                            annex_convention=annex,
                            number=1,
                            title="Prolongation de la convention annexe",
                            summary=(
                                f"La convention annexe est prolongée jusqu'en {annex.end_year} "
                                "pour poursuivre le dispositif d'accueil d'enfants handicapés."
                            ),
                            new_end_year=annex.end_year,
                            signed_on=signed_on,
                        )
                    )
        Amendment.objects.bulk_create(amendments)

    # -- objectives, fiches and their history ---------------------------------------------

    def _fiches(self, plans):
        rng = self.rng
        objectives = []
        for plan in plans:
            for number, title in OBJECTIVES:
                plan.objectives[number] = Objective(
                    contract=plan.contract, number=number, title=title
                )
                objectives.append(plan.objectives[number])
        Objective.objects.bulk_create(objectives)

        for plan in plans:
            contract = plan.contract
            if contract.status == ContractStatus.DRAFT:
                statuses = {
                    data["number"]: rng.choices(
                        [S.DRAFT, S.SUBMITTED, S.VALIDATED, S.REOPENED, S.WITHDRAWN],
                        weights=[25, 25, 35, 7, 8 if data["number"] not in _ANCHORS else 0],
                    )[0]
                    for data in FICHES
                }
            else:
                # A contract goes to signature once the plenary has validated its fiches.
                statuses = {data["number"]: S.VALIDATED for data in FICHES}
            plan.statuses = statuses
            plan.funding = self._funding(plan)
        # Budget notes state what the generated budget gives each fiche, so plan it first.
        self._plan_lines(plans)

        fiches, histories = [], []
        for plan in plans:
            for data in FICHES:
                fiche, history = self._fiche(plan, data)
                plan.fiches[data["number"]] = fiche
                fiches.append(fiche)
                histories.append((fiche, history))
        Fiche.objects.bulk_create(fiches, batch_size=BATCH)
        self.counts.fiches += len(fiches)

        aims, associated, versions = [], [], []
        for fiche, history in histories:
            final = history[-1][0]
            aims += [Fiche.aims.through(fiche_id=fiche.pk, aim_id=pk) for pk in final["aim_ids"]]
            associated += [
                Fiche.associated_partners.through(fiche_id=fiche.pk, partner_id=pk)
                for pk in final["associated_partner_ids"]
            ]
            for number, (snapshot, action, author, moment) in enumerate(history, start=1):
                versions.append(
                    FicheVersion(
                        fiche=fiche,
                        number=number,
                        snapshot=snapshot,
                        action=action,
                        author=author,
                        created_at=moment,
                    )
                )
        Fiche.aims.through.objects.bulk_create(aims, batch_size=BATCH)
        Fiche.associated_partners.through.objects.bulk_create(associated, batch_size=BATCH)
        FicheVersion.objects.bulk_create(versions, batch_size=BATCH)
        self.counts.fiche_versions += len(versions)

    def _fiche(self, plan, data):
        """The fiche as it stands now and its history: one snapshot per saved change, in the
        shape fiches.services.snapshot_of gives them (the history page diffs them)."""
        rng, contract = self.rng, plan.contract
        status = plan.statuses[data["number"]]
        texts = _fiche_texts(data, contract.start_year)
        texts["budget_note"] = plan.notes.get(data["number"], texts["budget_note"])
        edits = rng.randint(0, 2)
        steps = {
            S.VALIDATED: ["create"] + ["modify"] * edits + ["submit", "validate"],
            S.SUBMITTED: ["create"] + ["modify"] * edits + ["submit"],
            S.DRAFT: rng.choice(
                [["create"] + ["modify"] * max(edits, 1), ["create", "submit", "return_to_draft"]]
            ),
            S.REOPENED: ["create", "submit", "validate", "reopen"] + ["revise"] * rng.randint(0, 1),
            S.WITHDRAWN: ["create"] + ["modify"] * min(edits, 1) + ["withdraw"],
        }[status]
        if steps[-1] == "return_to_draft":
            steps.append("modify")
        moments = self._step_moments(plan, steps)
        content_steps = sum(step in ("create", "modify") for step in steps)
        partners = self.partners
        full = {
            **texts,
            "objective_id": plan.objectives[data["objective"]].pk,
            "lead_partner_id": partners[data["lead"]].pk,
            "associated_partner_ids": sorted(partners[key].pk for key in data["associated"]),
            "aim_ids": sorted(self.shared.aims[n].pk for n in data["aims"]),
        }
        state = {
            **dict.fromkeys(CONTENT_FIELDS, ""),
            "objective_id": full["objective_id"],
            "lead_partner_id": full["lead_partner_id"],
            "associated_partner_ids": [],
            "aim_ids": [],
            "status": S.DRAFT.value,
            "validated_on": None,
        }
        history, stage = [], 0
        agent, coordinator = self.users["cdaje2"], self.users["cdaje"]
        for step, moment in zip(steps, moments, strict=True):
            author = rng.choice([agent, coordinator])
            if step in ("create", "modify"):
                stage += 1
                # Written in stages: the findings and goals first, the rest as it is agreed.
                for name in _REVEALED[: 3 - content_steps + stage]:
                    for key in _GROUPS[name]:
                        state[key] = full[key]
                action = _("Création") if step == "create" else _("Modification")
            elif step == "revise":
                state["calendar"] += (
                    f"<p><strong>Révision {moment.year}</strong> : calendrier ajusté après le "
                    "bilan présenté en plénière.</p>"
                )
                action = _("Modification")
            else:
                transition = TRANSITIONS[step]
                state["status"] = transition.target.value
                if transition.needs_plenary_date:
                    state["validated_on"] = plan.plenary.isoformat()
                    author = coordinator
                elif transition.target != S.VALIDATED:
                    state["validated_on"] = None
                if step == "reopen":
                    author = coordinator
                action = str(transition.label)
            history.append(({**state}, action, author, moment))
        final, _action, last_author, last_moment = history[-1]
        fiche = Fiche(
            contract=contract,
            objective=plan.objectives[data["objective"]],
            number=data["number"],
            lead_partner_id=final["lead_partner_id"],
            status=final["status"],
            validated_on=plan.plenary if final["validated_on"] else None,
            version=len(history),
            created_at=history[0][3],
            updated_at=last_moment,
            updated_by=last_author,
            **{name: final[name] for name in CONTENT_FIELDS},
        )
        return fiche, history

    def _step_moments(self, plan, steps) -> list[datetime.datetime]:
        """Before the plenary, drafting; the validation on the plenary's day; a reopening and
        its revisions afterwards (never after AS_OF)."""
        rng = self.rng
        first = plan.prepared_from + _days(rng, 0, 30)
        last_day = AS_OF - datetime.timedelta(days=1)
        if "validate" not in steps:
            days = _spread(rng, len(steps), first, last_day)
        else:
            at = steps.index("validate")
            days = [
                *_spread(rng, at, first, plan.plenary - datetime.timedelta(days=3)),
                plan.plenary,
                *_spread(rng, len(steps) - at - 1, plan.plenary + datetime.timedelta(10), last_day),
            ]
        return [_moment(day, rng) for day in days]

    # -- budget -----------------------------------------------------------------------------

    def _funding(self, plan) -> dict:
        """Which fiches each post funds in this contract (the same every year, as a CEJ
        funds the same actions throughout), with their weight in the year's budget."""
        rng = self.rng
        usable = {n for n, s in plan.statuses.items() if s != S.WITHDRAWN}
        funding = {}
        for code, (pool, (low, high)) in SOMETIMES_FUNDED.items():
            if code == "accueil-enfants-handicapes" and plan.annex is None:
                continue
            chosen = [ALWAYS_FUNDED[code], *rng.sample(pool, rng.randint(low, high))]
            items = [(n, rng.uniform(4, 12)) for n in chosen if n in usable]
            items[0] = (items[0][0], rng.uniform(25, 40) if code == "coordination" else 12)
            if rng.random() < {"coordination": 0.6, "communication": 0.4}.get(code, 0.5):
                items.append((None, rng.uniform(3, 8)))
            funding[code] = items
        return funding

    def _plan_lines(self, plans):
        """Per contract and year, the lines and their amounts in cents: the year's total stays
        within the envelope (fully used some years, a remainder shown others), the annex
        convention takes its share only in the years it covers."""
        rng = self.rng
        for plan in plans:
            contract = plan.contract
            envelope = int(contract.annual_envelope * 100)
            plan.lines = []
            for year in contract.years:
                annexed = plan.annex is not None and plan.annex.covers_year(year)
                if contract.status == ContractStatus.DRAFT and year > contract.start_year:
                    used = rng.uniform(0.55, 0.9)  # later years of a draft are still open
                elif rng.random() < 0.4:
                    used = 1.0
                else:
                    used = rng.uniform(0.85, 0.99)
                if not annexed:
                    used *= rng.uniform(0.78, 0.92)  # the annex share stays unallocated
                total = int(envelope * used) // 10000 * 10000  # whole hundreds of euros
                items = [
                    (code, number, weight * rng.uniform(0.9, 1.1))
                    for code, entries in plan.funding.items()
                    if code != "accueil-enfants-handicapes" or annexed
                    for number, weight in entries
                ]
                weights = sum(w for _c, _n, w in items)
                amounts = [int(total * w / weights) // 1000 * 1000 for _c, _n, w in items]
                amounts[0] += total - sum(amounts)  # the rounding goes to the main line
                plan.lines += [
                    (year, code, number, cents)
                    for (code, number, _w), cents in zip(items, amounts, strict=True)
                ]
            plan.notes = self._budget_notes(plan)

    def _budget_notes(self, plan) -> dict:
        """What each funded fiche's *budget indicatif* says: « Financé par le CEJ, poste
        « Coordination » : 42 300,00 € par an en moyenne sur 4 ans. »"""
        posts, notes, by_fiche = self.shared.posts, {}, {}
        for _year, code, number, cents in plan.lines:
            if number is not None:
                by_fiche.setdefault(number, {}).setdefault(code, []).append(cents)
        for number, per_post in by_fiche.items():
            parts = []
            for code, amounts in per_post.items():
                average = _eur(sum(amounts) // len(amounts))
                annex = code == "accueil-enfants-handicapes"
                instrument = "la convention annexe" if annex else "le CEJ"
                years = len(amounts)
                parts.append(
                    f"Financé par {instrument}, poste « {posts[code].label} » : "
                    f"{format_eur(average)} par an en moyenne sur {years} "
                    f"{'an' if years == 1 else 'ans'}."
                )
            notes[number] = " ".join(parts)
        for number in _ANCHORS:
            # The demo's note quotes the Loire's own amounts: not true of this contract.
            notes.setdefault(number, "Pas de financement CEJ pour ce contrat : crédits propres.")
        return notes

    def _budget(self, plans):
        rng, posts = self.rng, self.shared.posts
        finance = self.users["finance"]
        caf_share = rng.uniform(0.45, 0.60)
        # At least 7 % left for the MSA when it takes part.
        cd_share = rng.uniform(0.30, 0.93 - caf_share)
        lines, splits = [], []
        for plan in plans:
            contract = plan.contract
            for year, code, number, cents in plan.lines:
                line_created = _moment(
                    min(plan.plenary - _days(rng, 5, 40), AS_OF - datetime.timedelta(1)), rng
                )
                line = BudgetLine(
                    contract=contract,
                    year=year,
                    post=posts[code],
                    annex_convention=plan.annex if code == "accueil-enfants-handicapes" else None,
                    fiche=plan.fiches[number] if number else None,
                    label="" if number else GENERAL_LINE_LABELS[code],
                    amount=_eur(cents),
                    created_at=line_created,
                    updated_at=line_created,
                    updated_by=finance,
                )
                # Most lines split three ways; the MSA stays out of some.
                with_msa = rng.random() < 0.85
                split = self._split(cents, caf_share, cd_share, with_msa)
                earlier = None
                if rng.random() < 0.12:
                    # First planned lower, raised once the partners agreed: a second version.
                    earlier_cents = int(cents * rng.uniform(0.8, 0.97)) // 1000 * 1000
                    earlier = (
                        earlier_cents,
                        self._split(earlier_cents, caf_share, cd_share, with_msa),
                    )
                    line.version = 2
                    line.updated_at = min(line_created + _days(rng, 20, 120), _moment(AS_OF, rng))
                lines.append(line)
                splits.append((plan, line, split, earlier))
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        self.counts.budget_lines += len(lines)

        contributions, versions, entries = [], [], []
        for plan, line, split, earlier in splits:
            contributions += [
                Contribution(line=line, partner=partner, amount=_eur(cents))
                for partner, cents in split.items()
            ]
            history = [(earlier, VersionKind.CREATED, line.created_at)] if earlier else []
            history.append(
                (
                    (int(line.amount * 100), split),
                    VersionKind.CHANGED if earlier else VersionKind.CREATED,
                    line.updated_at,
                )
            )
            for number, ((cents, parts), kind, moment) in enumerate(history, start=1):
                planned = BudgetLine(
                    pk=line.pk,
                    contract=line.contract,
                    year=line.year,
                    post=line.post,
                    annex_convention=line.annex_convention,
                    fiche=line.fiche,
                    label=line.label,
                    amount=_eur(cents),
                )
                versions.append(
                    BudgetLineVersion(
                        line=line,
                        line_ref=line.pk,
                        contract=line.contract,
                        label=line_label(planned),
                        number=number,
                        snapshot=line_snapshot(planned, {p: _eur(c) for p, c in parts.items()}),
                        kind=kind,
                        action=str(VersionKind(kind).label),
                        author=self.users["finance"],
                        created_at=moment,
                    )
                )
            if plan.executed:
                entries += self._execution(plan, line)
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        BudgetLineVersion.objects.bulk_create(versions, batch_size=BATCH)
        ExecutionEntry.objects.bulk_create(entries, batch_size=BATCH)
        self.counts.contributions += len(contributions)
        self.counts.line_versions += len(versions)
        self.counts.execution_entries += len(entries)

    def _split(self, cents, caf_share, cd_share, with_msa) -> dict:
        """Contributions in cents that add up exactly to `cents`: CAF and département by
        their shares (rounded to the cent), the MSA the remainder — or, without the MSA, the
        département takes what the CAF does not."""
        caf = round(cents * caf_share)
        if not with_msa:
            return {self.caf: caf, self.cd: cents - caf}
        cd = round(cents * cd_share)
        return {self.caf: caf, self.cd: cd, self.msa: cents - caf - cd}

    def _execution(self, plan, line) -> list[ExecutionEntry]:
        """Commitments then payments of a year, as far as AS_OF: committed once the year's
        budget is voted (after the signature in the first year), a 70 % advance in the
        summer, the balance the next spring; some lines end below plan, some are committed
        in two steps, some balances are not paid in full."""
        rng, contract = self.rng, plan.contract
        planned = int(line.amount * 100)
        year = line.year
        commit_on = max(
            datetime.date(year, 2, 10) + _days(rng, 0, 35),
            contract.signed_on + _days(rng, 10, 25),
        )
        if planned == 0 or commit_on > AS_OF:
            return []
        committed = planned if rng.random() < 0.8 else int(planned * rng.uniform(0.85, 0.99))
        parts = [(commit_on, committed)]
        if rng.random() < 0.25:
            first = committed * 6 // 10
            second_on = datetime.date(year, 9, 10) + _days(rng, 0, 40)
            if second_on <= AS_OF and second_on > commit_on:
                parts = [(commit_on, first), (second_on, committed - first)]
            else:
                parts = [(commit_on, first)]
        committed = sum(amount for _day, amount in parts)
        self.reference += 1
        ref = f"{self.dep.code}-{year}-{self.reference:05d}"
        entries = [
            self._entry(line, ExecutionKind.COMMITMENT, day, amount, f"ENG-{ref}-{n}")
            for n, (day, amount) in enumerate(parts, start=1)
        ]
        advance_on = max(
            datetime.date(year, 7, 1) + _days(rng, 0, 30), commit_on + _days(rng, 20, 40)
        )
        if advance_on > AS_OF:
            return entries
        advance = parts[0][1] * 7 // 10
        if advance == 0:
            return entries
        entries.append(
            self._entry(line, ExecutionKind.PAYMENT, advance_on, advance, f"MAN-{ref}-A")
        )
        balance_on = datetime.date(year + 1, 5, 15) + _days(rng, 0, 45)
        if balance_on > AS_OF:
            return entries
        balance = committed - advance
        note = ""
        if rng.random() < 0.1:
            balance = int(balance * rng.uniform(0.6, 0.95))
            note = "Solde réduit : dépenses réalisées inférieures à l'engagement."
        entries.append(
            self._entry(line, ExecutionKind.PAYMENT, balance_on, balance, f"MAN-{ref}-S", note)
        )
        return entries

    def _entry(self, line, kind, day, cents, reference, note="") -> ExecutionEntry:
        return ExecutionEntry(
            line=line,
            kind=kind,
            date=day,
            amount=_eur(cents),
            reference=reference,
            note=note,
            created_by=self.users["finance"],
            created_at=_moment(min(day + _days(self.rng, 0, 5), AS_OF), self.rng),
        )

    # -- documents --------------------------------------------------------------------------

    def _documents(self, plans):
        """Each contract signed on paper gets its scanned original, stored as document_store
        stores files (private storage, name carrying the hash, SHA-256 and size recorded) —
        without its per-document validation and log line, which would dominate here."""
        rng = self.rng
        documents = []
        for plan in plans:
            contract = plan.contract
            if not contract.signed_on:
                continue
            content = scanned_original_pdf(
                contract=contract, dep=self.dep, signatories=self.signatories
            )
            digest = hashlib.sha256(content).hexdigest()
            deposited = min(contract.signed_on + _days(rng, 7, 45), AS_OF)
            stem = f"{contract.slug}-original-signe"
            name = default_storage.save(
                f"documents/{contract.slug}/{deposited:%Y}/{stem}-{digest[:12]}.pdf",
                ContentFile(content),
            )
            self.stored_files.append(name)
            documents.append(
                Document(
                    contract=contract,
                    kind=DocumentKind.SCANNED_ORIGINAL,
                    title=f"{contract.title} — original signé numérisé",
                    dated=contract.signed_on,
                    file=name,
                    original_filename=f"{stem}.pdf",
                    sha256=digest,
                    size=len(content),
                    created_by=self.users["cdaje"],
                    created_at=_moment(deposited, rng),
                )
            )
        Document.objects.bulk_create(documents)
        self.counts.documents += len(documents)
        downloads = []
        for document in documents:
            readers = rng.sample(self.partner_users, rng.randint(0, len(self.partner_users)))
            for user, day in zip(
                readers,
                _spread(rng, len(readers), document.created_at.date(), AS_OF),
                strict=True,
            ):
                moment = max(_moment(day, rng), document.created_at + datetime.timedelta(hours=1))
                downloads.append(
                    DocumentDownload(
                        document=document, user=user, username=user.username, downloaded_at=moment
                    )
                )
        DocumentDownload.objects.bulk_create(downloads)
        self.counts.downloads += len(downloads)


S = FicheStatus
# Fiches whose demo budget note quotes the Loire's amounts; never withdrawn, always funded
# when their post is.
_ANCHORS = set(ALWAYS_FUNDED.values())
_GROUPS = {
    "first": ["title", "findings", "goals"],
    "agreed": ["actions", "target_public", "associated_partner_ids", "aim_ids"],
    "last": ["calendar", "indicators", "budget_note"],
}
_REVEALED = list(_GROUPS)
_SIGNATORY_FUNCTIONS = {
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


# -- a one-page PDF, written by hand --------------------------------------------------------


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (the French accents of Helvetica)."""
    raw = value.replace("\u202f", " ").replace("\u00a0", " ").encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_info_text(value: str) -> bytes:
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def scanned_original_pdf(*, contract, dep, signatories) -> bytes:
    """A small, valid one-page PDF standing for the scan of a signed original: the contract's
    title, parties, signatories and signature, so each contract's file (and hash) is its own.
    Written by hand: rendering hundreds of contracts with WeasyPrint would take minutes."""
    lines = [
        "Copie numérisée de l'original signé — données illustratives",
        "",
        f"Territoire : {dep.name} ({dep.code})",
        f"Période : {contract.period_label}",
        f"Signé à {contract.signing_place} le {format_date_long(contract.signed_on)}",
        "",
        "Signataires :",
        *[f"    {s.full_name}, {s.function}" for s in signatories],
        "",
        f"Référence : {contract.slug}",
        "Généré par generate_scale_data pour les essais de charge.",
    ]
    stream = b"BT /F1 15 Tf 56 780 Td " + _pdf_text(contract.title) + b" Tj ET\n"
    stream += b"BT /F1 10 Tf 14 TL 56 750 Td"
    for line in lines:
        stream += b" " + _pdf_text(line) + b" Tj T*"
    stream += b" ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Title "
        + _pdf_info_text(contract.title)
        + b" /Producer "
        + _pdf_info_text("CEJ Loire — generate_scale_data")
        + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().encode()
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R /ID [<%s> <%s>] >>\n"
        % (len(objects) + 1, file_id, file_id)
        + b"startxref\n%d\n%%%%EOF\n" % xref
    )
    return bytes(out)
