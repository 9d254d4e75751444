"""The open-data export against the SCDL « subventions » schema: columns, types, ISO dates,
dot decimals, SIRETs, one row per granting partner and year adding up to the database."""

import csv
import io
import re
from decimal import Decimal

import pytest

from financing.models import Contribution
from financing.opendata import COLUMNS, build_opendata_csv
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

URL = "/contracts/cej-loire-2014-2017/budget/opendata.csv"
# The schema's columns, in its order (scdl/subventions 2.0).
SCHEMA_COLUMNS = [
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


@pytest.fixture
def rows(client, demo_user, demo):
    client.force_login(demo_user("partner-caf"))
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="subventions-cej-loire-2014-2017.csv"'
    )
    raw = response.content
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, as the schema's validators read it
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == ",".join(SCHEMA_COLUMNS)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_columns_are_the_schema_s_in_its_order():
    assert COLUMNS == SCHEMA_COLUMNS


def test_one_row_per_granting_partner_and_year_summing_its_contributions(rows, demo_contract):
    assert len(rows) == 3 * 4
    expected = {}
    for partner_name, year, amount in Contribution.objects.filter(
        line__contract=demo_contract
    ).values_list("partner__name", "line__year", "amount"):
        expected[partner_name, year] = expected.get((partner_name, year), Decimal("0")) + amount
    found = {
        (row["nomAttribuant"], int(row["datesPeriodeVersement"][:4])): Decimal(row["montant"])
        for row in rows
    }
    assert found == expected
    # The CAF's half of each year's 198 000 € (2015–2017: 12 500 + 7 500 on the annex lines).
    caf = "Caisse d'allocations familiales de la Loire"
    assert [found[caf, year] for year in range(2014, 2018)] == [Decimal("99000.00")] * 4
    assert sum(found.values()) == Decimal("792000.00")


def test_types_and_formats_follow_the_schema(rows, demo_contract):
    sirets = {p.partner.name: p.partner.siret for p in demo_contract.parties.all()}
    lead = demo_contract.parties.order_by("order").first().partner
    for row in rows:
        assert list(row) == SCHEMA_COLUMNS
        assert re.fullmatch(r"\d{14}", row["idAttribuant"])
        assert row["idAttribuant"] == sirets[row["nomAttribuant"]]
        assert row["dateConvention"] == "2014-10-01"
        assert row["referenceDecision"] == "cej-loire-2014-2017"
        assert row["nomBeneficiaire"] == (
            "Contrat enfance jeunesse départemental de la Loire 2014–2017 "
            "(géré par Département de la Loire)"
        )
        assert row["idBeneficiaire"] == lead.siret
        assert re.fullmatch(r"\d+\.\d{2}", row["montant"])  # dot decimal, no grouping
        assert row["nature"] == "aide en numéraire"
        assert row["conditionsVersement"] == "échelonné"
        year = row["datesPeriodeVersement"][:4]
        assert row["datesPeriodeVersement"] == f"{year}-01-01/{year}-12-31"
        assert row["idRAE"] == ""
        assert row["notificationUE"] == "non"
        assert row["pourcentageSubvention"] == "1.00"
        assert 0 < len(row["objet"]) <= 256
    by_year = {row["datesPeriodeVersement"][:4]: row["objet"] for row in rows}
    assert "participation 2014 (Coordination, Communication, Dispositif" in by_year["2014"]
    annex = "Dispositif d'accueil d'enfants handicapés dans les crèches"
    assert by_year["2015"].endswith(f"participation 2015 (Coordination, Communication, {annex})")


def test_an_unsigned_contract_grants_nothing_yet(db):
    contract = ContractFactory()
    text = build_opendata_csv(contract).decode("utf-8")
    assert text.strip() == ",".join(SCHEMA_COLUMNS)
