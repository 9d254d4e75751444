"""Open-data export of a contract's financing in the national SCDL « subventions » schema
(schema.data.gouv.fr, scdl/subventions 2.0: the 14 columns below, in this order).

One row per granting partner and per year, for the years where the partner contributes:

- nomAttribuant, idAttribuant: the partner (a party to the contract) and its SIRET.
- dateConvention: the contract's signing date, ISO 8601. The annex convention is part of the
  contract's financing and is reported with it (one row per partner and year, not per
  instrument). Before signature nothing is granted: the file then has its header only.
- referenceDecision: the contract's identifier (its slug), the same on every row.
- nomBeneficiaire, idBeneficiaire: the CEJ's money is not handed to a third party chosen by
  the partners; it funds the programme's own actions (coordination, communication, the
  disabled-children scheme), run by the contract's lead party — the first party in signing
  order, in the demo the Conseil général, which manages the departmental programme. The
  beneficiary is therefore the programme, named by the contract's title and « géré par » its
  lead party, and identified by the lead party's SIRET: the legal entity that receives and
  spends the funds. Naming the département alone would read as the Conseil général
  subsidising itself, with no programme to show; its own row is its share of the programme.
- objet: « <title> : participation <year> (<postes>) », at most 256 characters.
- montant: the sum of the partner's contributions to the year's lines, dot decimal.
- nature « aide en numéraire »; conditionsVersement « échelonné » and datesPeriodeVersement
  the budget year as an ISO period (`2015-01-01/2015-12-31`): contributions are paid in
  instalments over the year. The schema's values are lower case (« échelonné », « non »).
- idRAE: empty (the *répertoire des aides aux entreprises* does not list CEJ funding).
- notificationUE « non »: not a *de minimis* aid notified to the European Commission.
- pourcentageSubvention « 1.00 »: the schema wants a fraction between 0.01 and 1 of the
  amount going to this beneficiary — a single beneficiary gets all of it (1.00, not 100).

Comma-separated, dot decimal, UTF-8 without byte order mark (as the schema's validators
expect); text cells are escaped against formula injection like every export."""

import csv
import io

from cej.money import round_money
from financing.models import Contribution, Instrument
from financing.querysets import money_sum
from financing.resources import escape_formula

COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
]
NATURE = "aide en numéraire"
CONDITIONS = "échelonné"
NOTIFICATION_UE = "non"
PERCENTAGE = "1.00"
OBJECT_MAX_LENGTH = 256


def opendata_filename(contract) -> str:
    return f"subventions-{contract.slug}.csv"


def opendata_rows(contract) -> list[dict]:
    """The schema's rows, as dicts of strings (three queries)."""
    if contract.signed_on is None:
        return []
    parties = [p.partner for p in contract.parties.select_related("partner").order_by("order")]
    if not parties:
        return []
    lead = parties[0]
    contributions = Contribution.objects.filter(line__contract=contract, amount__gt=0).order_by()
    totals = {
        (row["partner_id"], row["line__year"]): row["total"]
        for row in contributions.values("partner_id", "line__year").annotate(
            total=money_sum("amount")
        )
    }
    posts: dict[tuple, list[str]] = {}
    # CEJ postes before the annex convention's, each in its order.
    for row in sorted(
        contributions.values(
            "partner_id",
            "line__year",
            "line__post__label",
            "line__post__instrument",
            "line__post__order",
        ).distinct(),
        key=lambda r: (
            r["line__post__instrument"] != Instrument.CEJ,
            r["line__post__order"],
            r["line__post__label"],
        ),
    ):
        key = (row["partner_id"], row["line__year"])
        posts.setdefault(key, []).append(row["line__post__label"])

    beneficiary = f"{contract.title} (géré par {lead.name})"
    rows = []
    for partner in parties:
        for year in contract.years:
            total = totals.get((partner.pk, year))
            if not total:
                continue
            subject = (
                f"{contract.title} : participation {year} ({', '.join(posts[partner.pk, year])})"
            )
            if len(subject) > OBJECT_MAX_LENGTH:
                subject = subject[: OBJECT_MAX_LENGTH - 2] + "…)"
            rows.append(
                {
                    "nomAttribuant": partner.name,
                    "idAttribuant": partner.siret,
                    "dateConvention": contract.signed_on.isoformat(),
                    "referenceDecision": contract.slug,
                    "nomBeneficiaire": beneficiary,
                    "idBeneficiaire": lead.siret,
                    "objet": subject,
                    "montant": str(round_money(total)),
                    "nature": NATURE,
                    "conditionsVersement": CONDITIONS,
                    "datesPeriodeVersement": f"{year}-01-01/{year}-12-31",
                    "idRAE": "",
                    "notificationUE": NOTIFICATION_UE,
                    "pourcentageSubvention": PERCENTAGE,
                }
            )
    return rows


def build_opendata_csv(contract) -> bytes:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in opendata_rows(contract):
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    return output.getvalue().encode("utf-8")
