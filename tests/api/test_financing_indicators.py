"""An indicator's actual value pushed through the API, as its page records it: by CDAJE staff
and the fiche's lead partner, on a signed contract, a version of the indicator with its
author; a stale version is a 409; a refusal names the field and writes nothing."""

import json
from decimal import Decimal

import pytest

from cej.models import ContractStatus
from fiches.models import Indicator, IndicatorYear
from tests.api.financing_helpers import BASE, token_client

pytestmark = pytest.mark.django_db

ROUTE = ("/api/v1/contracts/{slug}/fiches/{number}/indicators/{indicator}/actual/", "POST")


def indicator_of(contract, fiche: int) -> Indicator:
    return Indicator.objects.get(contract=contract, fiche__number=fiche, number=1)


def push(client, indicator, *, version=None, form=False, **fields):
    data = {
        "version": indicator.version if version is None else version,
        "year": 2017,
        "actual": "42",
        "comment": "Mesuré par le SI",
        **fields,
    }
    url = f"{BASE}fiches/{indicator.fiche.number}/indicators/{indicator.number}/actual/"
    if form:
        return client.post(url, data)
    return client.post(url, json.dumps(data), content_type="application/json")


def state(contract):
    return sorted(
        IndicatorYear.objects.filter(indicator__contract=contract).values_list(
            "indicator", "year", "actual", "comment"
        )
    ), sorted(Indicator.objects.filter(contract=contract).values_list("pk", "version"))


def test_the_cdaje_pushes_an_actual_value_kept_in_the_history(demo_contract, demo_user):
    indicator = indicator_of(demo_contract, 3)
    before = indicator.version
    response = push(token_client(demo_user("cdaje")), indicator, actual="42.50")
    assert response.status_code == 200, response.content
    shown = response.json()
    assert (shown["year"], shown["actual"], shown["version"]) == (2017, "42.50", before + 1)
    row = IndicatorYear.objects.get(indicator=indicator, year=2017)
    assert (row.actual, row.comment) == (Decimal("42.50"), "Mesuré par le SI")
    version = indicator.versions.get(number=before + 1)
    assert (version.action, version.author) == ("Réalisé 2017 saisi", demo_user("cdaje"))


def test_the_lead_partner_pushes_its_fiches_and_only_them(client, demo_contract, demo_user):
    client.force_login(demo_user("partner-caf"))
    assert push(client, indicator_of(demo_contract, 1), form=True).status_code == 200
    before = state(demo_contract)
    response = push(client, indicator_of(demo_contract, 4))
    assert response.status_code == 403
    assert "partenaire pilote" in response.json()["detail"]
    assert state(demo_contract) == before


def test_a_stale_version_is_a_conflict(demo_contract, demo_user):
    indicator = indicator_of(demo_contract, 3)
    cdaje = token_client(demo_user("cdaje"))
    assert push(cdaje, indicator, actual="10").status_code == 200
    before = state(demo_contract)
    response = push(cdaje, indicator, version=indicator.version, actual="11")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Conflit de version : ")
    assert response.json()["current_version"] == indicator.version + 1
    assert state(demo_contract) == before


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"actual": "-3"}, "actual", "ne peut pas être négative"),
        ({"actual": "12.345"}, "actual", "Deux chiffres après la virgule"),
        ({"actual": "1e3"}, "actual", "Nombre attendu"),
        ({"year": 2020}, "year", "hors de la période du contrat"),
        ({"comment": "a\x00b"}, "comment", ""),
        ({"version": "x"}, "version", ""),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(demo_contract, demo_user, fields, field, says):
    before = state(demo_contract)
    response = push(token_client(demo_user("cdaje")), indicator_of(demo_contract, 3), **fields)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert says in response.json()["errors"][field][0]
    assert state(demo_contract) == before


def test_unknown_fiche_or_indicator_and_unsigned_contract(demo_contract, demo_user):
    cdaje = token_client(demo_user("cdaje"))
    for path in ("fiches/99/indicators/1/actual/", "fiches/3/indicators/99/actual/"):
        response = cdaje.post(f"{BASE}{path}", {"version": 1, "year": 2017, "actual": "1"})
        assert response.status_code == 404
    type(demo_contract).objects.filter(pk=demo_contract.pk).update(status=ContractStatus.DRAFT)
    before = state(demo_contract)
    assert push(cdaje, indicator_of(demo_contract, 3)).status_code == 403
    assert state(demo_contract) == before
    reader = token_client(demo_user("cdaje"), read_only=True)
    assert push(reader, indicator_of(demo_contract, 3)).status_code == 403


def test_the_route_is_listed_as_exercised():
    from tests.api.routes_exercised import WRITE_ROUTES_EXERCISED

    assert ROUTE in WRITE_ROUTES_EXERCISED
