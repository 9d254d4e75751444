"""Open-data export of a contract's financing in the national SCDL « subventions » schema
(schema.data.gouv.fr, scdl/subventions 2.1.1: the 16 columns below, in this order).

Who grants whom: each *funder* of the contract (the CAF, the MSA) grants the *prestation de
service enfance jeunesse* (PSEJ) to the *beneficiary*, the contracting body that carries the
actions (the Département). One row per funder and year; a body never subsidises itself, so
the beneficiary has no row of its own (its own share is not a subsidy), and a row whose
granting body would be the beneficiary is never written.

- nomAttribuant, idAttribuant: the funder and its SIRET; nomBeneficiaire, idBeneficiaire:
  the beneficiary and its SIRET. Names are those in force on the convention's date (the
  Conseil général de la Loire became the Département in March 2015).
- montant: the amount decided, the year's forecast PSEJ of the funder (the sum of its
  stored forecast shares, `financing.cycle_selectors`), dot decimal. The amount paid so far
  (received less any sum paid back, rule C4) has no column in the schema: `objet` says it,
  « versé au <date> : <montant> ».
- dateConvention: the signing date of the last act that set the year's amounts — the
  contract, or the signed avenant that changed that year's lines; referenceDecision: the
  funder's deliberations approving those acts (`cej.PartnerDecision`), « n° … du … »,
  separated by « ; ».
- nature « aide en numéraire »; conditionsVersement « échelonné » (advances in the year, the
  balance the next year); datesPeriodeVersement: from 1 January of the year to the day the
  balance is due in N+1 (the funder's payment schedule), an ISO period.
- rnaBeneficiaire, idRAE, dispositifAide: empty (a Département is no association; the
  répertoire des aides aux entreprises does not list the PSEJ). notificationUE « non »;
  pourcentageSubvention « 1.00 » (a single beneficiary gets all of it).

Before signature nothing is granted: the file then has its header only. Comma-separated, dot
decimal, UTF-8 without byte order mark (as the schema's validators expect); text cells are
escaped against formula injection like every export."""

import csv
import io

from django.db.models import prefetch_related_objects
from django.utils import timezone

from cej.dates import format_date_long
from cej.models import AmendmentStatus, PartnerDecision
from cej.money import format_eur, round_money
from financing.cycle_selectors import contract_cycle
from financing.models import BudgetLine, BudgetLineVersion, Instrument
from financing.resources import escape_formula

COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
NATURE = "aide en numéraire"
CONDITIONS = "échelonné"
NOTIFICATION_UE = "non"
PERCENTAGE = "1.00"
# The schema: « moins de 256 caractères ».
OBJECT_MAX_LENGTH = 255


def opendata_filename(contract) -> str:
    return f"subventions-{contract.slug}.csv"


def _acts_by_year(contract) -> dict[int, list]:
    """Per year, the signed avenants that changed its lines, in order (one query)."""
    acts: dict[int, dict] = {}
    for version in (
        BudgetLineVersion.objects.filter(
            contract=contract, amendment__status=AmendmentStatus.SIGNED
        )
        .select_related("amendment")
        .order_by("amendment__number")
    ):
        year = version.snapshot.get("year")
        if year is not None:
            acts.setdefault(int(year), {})[version.amendment_id] = version.amendment
    return {year: list(amendments.values()) for year, amendments in acts.items()}


def _posts_by_year(contract) -> dict[int, list[str]]:
    """The postes each year's lines fund, CEJ ones first, each in its order (one query)."""
    rows = (
        BudgetLine.objects.filter(contract=contract)
        .values_list("year", "post__label", "post__instrument", "post__order")
        .distinct()
    )
    posts: dict[int, list[str]] = {}
    for year, label, _instrument, _order in sorted(
        rows, key=lambda r: (r[0], r[2] != Instrument.CEJ, r[3], r[1])
    ):
        if label not in posts.setdefault(year, []):
            posts[year].append(label)
    return posts


def _subject(contract, year, posts, received, today) -> str:
    """« Prestation de service enfance jeunesse 2015, <title> (<postes>) ; versé au … : … »,
    within the schema's limit: the postes, then the title, are shortened, never the amount
    paid."""
    paid = f" ; versé au {format_date_long(today)} : {format_eur(received)}"
    head = f"Prestation de service enfance jeunesse {year}, {contract.title}"
    listed = f" ({', '.join(posts)})" if posts else ""
    room = OBJECT_MAX_LENGTH - len(paid)
    if len(head) + len(listed) > room:
        listed = f"{listed[: room - len(head) - 2]}…)" if room - len(head) > 6 else ""
    if len(head) + len(listed) > room:
        head = head[: room - 1] + "…"
    return head + listed + paid


def opendata_rows(contract, *, today=None) -> list[dict]:
    """The schema's rows, as dicts of strings (a fixed number of queries)."""
    if contract.signed_on is None:
        return []
    today = today or timezone.localdate()
    cycle = contract_cycle(contract, today=today)
    beneficiary = cycle.beneficiary
    if beneficiary is None:
        return []
    decisions = {
        (d.partner_id, d.amendment_id): d for d in PartnerDecision.objects.filter(contract=contract)
    }
    acts = _acts_by_year(contract)
    posts = _posts_by_year(contract)
    funders = {
        f.pk: f for f in cycle.funders if f.pk != beneficiary.pk and f.siret != beneficiary.siret
    }
    # Their names in force then (one query).
    prefetch_related_objects([beneficiary, *funders.values()], "former_names")
    rows = []
    for funder_year in cycle.positions:
        funder = funders.get(funder_year.funder_id)
        position = funder_year.position
        if funder is None or not (position.forecast_psej or position.received):
            continue
        year = funder_year.year
        amendments = acts.get(year, [])
        convention_on = amendments[-1].signed_on if amendments else contract.signed_on
        references = [
            decision
            for decision in [
                decisions.get((funder.pk, None)),
                *(decisions.get((funder.pk, a.pk)) for a in amendments),
            ]
            if decision is not None
        ]
        rows.append(
            {
                "nomAttribuant": funder.name_on(convention_on),
                "idAttribuant": funder.siret,
                "dateConvention": convention_on.isoformat(),
                "referenceDecision": " ; ".join(
                    f"n° {d.reference} du {d.decided_on.isoformat()}" for d in references
                ),
                "nomBeneficiaire": beneficiary.name_on(convention_on),
                "idBeneficiaire": beneficiary.siret,
                "rnaBeneficiaire": "",
                "objet": _subject(contract, year, posts.get(year, []), position.received, today),
                "montant": str(round_money(position.forecast_psej)),
                "nature": NATURE,
                "conditionsVersement": CONDITIONS,
                "datesPeriodeVersement": f"{year}-01-01/{position.balance_due_on.isoformat()}",
                "idRAE": "",
                "notificationUE": NOTIFICATION_UE,
                "pourcentageSubvention": PERCENTAGE,
                "dispositifAide": "",
            }
        )
    return rows


def build_opendata_csv(contract, *, today=None) -> bytes:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in opendata_rows(contract, today=today):
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    return output.getvalue().encode("utf-8")
