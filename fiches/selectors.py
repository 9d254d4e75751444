"""Reads of objectives and fiches that pages, PDFs and the API share: plain data (dataclasses,
model instances loaded with what is shown), never a form. The fiche list's filters arrive
as cleaned values; views build and validate the filter form themselves."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fiches.diff import FieldChange, Names, diff_snapshots
from fiches.models import Aim, Fiche, FicheStatus, FicheVersion, Objective, short_status_label
from fiches.services import CONTENT_FIELDS
from partners.models import Partner

RECENT_VERSIONS = 5
# The fiche list's search looks into everything a fiche says.
SEARCHED_FIELDS = CONTENT_FIELDS


@dataclass
class FicheFilters:
    """The fiche list's filters, as the filter form cleans them (empty: not applied)."""

    q: str = ""
    objective: Objective | None = None
    status: str = ""
    aim: object = None
    lead: object = None

    def __bool__(self) -> bool:
        return any((self.q, self.objective, self.status, self.aim, self.lead))


@dataclass
class FicheRow:
    """A fiche as the list shows it: plain values, read without a model instance."""

    pk: int
    number: int
    title: str
    status: str
    status_label: str  # its short form, as the badges show it (models.short_status_label)
    lead: str  # the lead partner's short name, "" while none is named
    validated_on: datetime.date | None
    updated_at: datetime.datetime | None  # when and by whom it was saved last (list only;
    updated_by: str  # "" for the initial import)
    aims: list[str] = field(default_factory=list)  # the CDAJE aims it serves (list only)
    # The number of the predecessor's fiche it continues (dashboard only, None for none).
    continues: int | None = None


@dataclass
class FicheList:
    """The fiches of a contract under their objectives (*objectifs*), in number order, and
    what the list can be filtered by (the contract's objectives, the CDAJE aims, the partners
    who may lead a fiche)."""

    objectives: list[tuple[Objective, list[FicheRow]]]
    count: int
    filtered: bool
    aims: list[Aim]
    leads: list[Partner]


@dataclass
class FicheLine:
    """A budget line that funds the fiche, as its page and PDF show it."""

    year: int
    post_label: str
    label: str
    amount: Decimal


@dataclass
class VersionRow:
    """A saved version of a fiche as a list of changes shows it (no snapshot read)."""

    number: int
    action: str
    author: str  # full name or username, "" for the initial import
    created_at: datetime.datetime


@dataclass
class FichePage:
    """One fiche with what its page and its PDF show: objective and lead partner (on the
    fiche), associated partners, the CDAJE aims it serves, the budget lines that fund it (by
    year and poste) and its latest versions."""

    fiche: Fiche
    associated_partners: list[Partner]
    aims: list[Aim]
    lines: list[FicheLine]
    versions: list[VersionRow] = field(default_factory=list)


@dataclass
class FicheHistory:
    """Every version of a fiche, newest first, and the differences between the two compared
    (`before`, `after`; by default the last change). `errors`: the versions asked for that do
    not exist, in French."""

    fiche: Fiche
    versions: list[FicheVersion]
    before: FicheVersion | None
    after: FicheVersion | None
    changes: list[FieldChange]
    errors: list[str]


def fiche_list(contract, *, filters: FicheFilters | None = None) -> FicheList:
    """Five plain queries whatever the number of fiches: the objectives, the aims, the
    partners, the fiches (filtered), which aims each serves."""
    filters = filters or FicheFilters()
    # Sorted here, not in SQL: see cej/selectors.py.
    objectives = sorted(
        Objective.objects.filter(contract=contract).order_by(), key=attrgetter("number")
    )
    aims = sorted(Aim.objects.order_by(), key=attrgetter("number"))
    leads = sorted(
        Partner.objects.filter(contract_parties__contract=contract).order_by(),
        key=attrgetter("name"),
    )
    fiches = Fiche.objects.filter(contract=contract)
    if filters.q:
        search = Q()
        for name in SEARCHED_FIELDS:
            search |= Q(**{f"{name}__icontains": filters.q})
        fiches = fiches.filter(search)
    if filters.objective:
        fiches = fiches.filter(objective=filters.objective)
    if filters.status:
        fiches = fiches.filter(status=filters.status)
    if filters.aim:
        fiches = fiches.filter(aims=filters.aim)
    if filters.lead:
        fiches = fiches.filter(lead_partner=filters.lead)
    by_objective = _rows_by_objective(fiches)
    rows = [row for fiche_rows in by_objective.values() for row in fiche_rows]
    # The aims of these fiches by their ids, not by a join on the fiches of the contract:
    # PostgreSQL would rather scan the aims of every fiche of the database.
    aim_labels = {aim.pk: aim.label for aim in aims}
    aim_order = {aim.pk: position for position, aim in enumerate(aims)}
    aims_of = defaultdict(list)
    for fiche_id, aim_id in sorted(
        Fiche.aims.through.objects.filter(fiche_id__in=[row.pk for row in rows]).values_list(
            "fiche_id", "aim_id"
        ),
        key=lambda pair: aim_order.get(pair[1], 0),
    ):
        aims_of[fiche_id].append(aim_labels[aim_id])
    for row in rows:
        row.aims = aims_of[row.pk]
    return FicheList(
        objectives=[(objective, by_objective[objective.pk]) for objective in objectives],
        count=sum(len(rows) for rows in by_objective.values()),
        filtered=bool(filters),
        aims=aims,
        leads=leads,
    )


def fiches_by_objective(contract) -> list[tuple[Objective, list[FicheRow]]]:
    """The contract's objectives in order, each with its fiches as rows (the dashboard's
    orientations): one query, the objectives joined to their fiches (an objective without
    fiche comes once, with none) and to the fiches these continue."""
    objectives: dict[int, tuple[Objective, list[FicheRow]]] = {}
    rows = (
        Objective.objects.filter(contract=contract)
        .order_by()
        .values_list(
            "pk",
            "number",
            "title",
            *(f"fiches__{name}" for name in OVERVIEW_FIELDS),
            "fiches__continues__number",
        )
    )
    # By objective, then by fiche number (sorted here: see cej/selectors.py).
    for objective_id, objective_number, objective_title, *fiche, continues in sorted(
        rows, key=lambda row: (row[1], row[4] or 0)
    ):
        if objective_id not in objectives:
            objective = Objective(
                pk=objective_id, contract=contract, number=objective_number, title=objective_title
            )
            objectives[objective_id] = (objective, [])
        if fiche[0] is not None:
            row = _fiche_row(*fiche)
            row.continues = continues
            objectives[objective_id][1].append(row)
    return list(objectives.values())


# What a FicheRow is read from, in the order `_fiche_row` takes it.
ROW_FIELDS = [
    "pk",
    "number",
    "title",
    "status",
    "lead_partner__short_name",
    "validated_on",
    "updated_at",
    "updated_by__first_name",
    "updated_by__last_name",
    "updated_by__username",
]
# What the dashboard shows of a fiche: not who saved it last.
OVERVIEW_FIELDS = ROW_FIELDS[:6]


def _rows_by_objective(fiches) -> dict[int, list[FicheRow]]:
    """The fiches of the queryset as rows, in number order, by objective id: one query
    joining the lead partner and the last author, no model instance."""
    by_objective = defaultdict(list)
    rows = fiches.order_by().values_list("objective_id", *ROW_FIELDS)
    for objective_id, *fiche in sorted(rows, key=lambda row: row[2]):  # by number
        by_objective[objective_id].append(_fiche_row(*fiche))
    return by_objective


def _fiche_row(
    pk,
    number,
    title,
    status,
    lead,
    validated_on,
    updated_at=None,
    first_name=None,
    last_name=None,
    username=None,
) -> FicheRow:
    return FicheRow(
        pk=pk,
        number=number,
        title=title,
        status=status,
        status_label=short_status_label(status),
        lead=lead or "",
        validated_on=validated_on,
        updated_at=updated_at,
        # As User.get_full_name(), or the username.
        updated_by=f"{first_name or ''} {last_name or ''}".strip() or username or "",
    )


def objectives_with_fiches(
    contract, *, withdrawn: bool = True, printed: bool = False
) -> list[Objective]:
    """The contract's objectives in order, each with its fiches (`objective.fiches.all()`,
    in number order, lead partner loaded). `withdrawn=False` leaves the withdrawn fiches
    out; `printed` also loads what a printed fiche names (associated partners, aims)."""
    fiches = Fiche.objects.order_by("number").select_related("lead_partner")
    if not withdrawn:
        fiches = fiches.exclude(status=FicheStatus.WITHDRAWN)
    if printed:
        fiches = fiches.prefetch_related("associated_partners", "aims")
    return list(
        contract.objectives.order_by("number").prefetch_related(Prefetch("fiches", queryset=fiches))
    )


def fiche_page(contract, number: int, *, versions: int = RECENT_VERSIONS) -> FichePage:
    """The fiche numbered `number` of the contract (404 if none) for its page and its PDF;
    `versions`: how many of the latest versions to include (none for the PDF). A plain query
    for each list, rather than prefetching: one fiche has nothing to batch."""
    fiche = get_object_or_404(
        Fiche.objects.filter(contract=contract).select_related("objective", "lead_partner"),
        number=number,
    )
    fiche.contract = contract
    # The lines funding the fiche, through the relation financing declares (financing is a
    # layer above fiches: no import of it here). Ordered by year and poste.
    lines = (
        Fiche._meta.get_field("budget_lines")
        .related_model.objects.filter(fiche=fiche)
        .order_by()
        .values_list("year", "post__order", "post__label", "label", "amount")
    )
    # Sorted here, not in SQL: see cej/selectors.py.
    return FichePage(
        fiche=fiche,
        associated_partners=sorted(fiche.associated_partners.order_by(), key=attrgetter("name")),
        aims=sorted(fiche.aims.order_by(), key=attrgetter("number")),
        lines=[
            FicheLine(year, post_label, label, amount)
            for year, _order, post_label, label, amount in sorted(lines, key=lambda line: line[:2])
        ],
        versions=_version_rows(fiche.versions.order_by("-number")[:versions]) if versions else [],
    )


def _version_rows(versions) -> list[VersionRow]:
    return [
        VersionRow(
            number=number,
            action=action,
            # As User.get_full_name(), or the username.
            author=f"{first_name or ''} {last_name or ''}".strip() or username or "",
            created_at=created_at,
        )
        for number, action, created_at, first_name, last_name, username in versions.values_list(
            "number",
            "action",
            "created_at",
            "author__first_name",
            "author__last_name",
            "author__username",
        )
    ]


def fiche_history(contract, fiche: Fiche, *, compared: dict) -> FicheHistory:
    """`compared`: the version numbers asked for, as typed (`from`, `to`); a number that is
    not a version of the fiche is reported and the default taken instead."""
    versions = sorted(
        fiche.versions.select_related("author").order_by(),
        key=attrgetter("number"),
        reverse=True,
    )
    by_number = {v.number: v for v in versions}
    errors = []

    def pick(param, default):
        raw = compared.get(param)
        if raw is None:
            return default
        try:
            return by_number[int(raw)]
        except (ValueError, KeyError):
            errors.append(
                _("La version « %(value)s » n'existe pas pour cette fiche (versions 1 à %(last)s).")
                % {"value": raw, "last": versions[0].number if versions else 0}
            )
            return default

    newest = versions[0] if versions else None
    before = pick("from", versions[1] if len(versions) > 1 else newest)
    after = pick("to", newest)
    if before and after and before.number > after.number:
        before, after = after, before
    changes = (
        diff_snapshots(before.snapshot, after.snapshot, Names.for_contract(contract))
        if before and after
        else []
    )
    return FicheHistory(
        fiche=fiche,
        versions=versions,
        before=before,
        after=after,
        changes=changes,
        errors=errors,
    )
