"""The API's writes sent at the same moment: two systems declaring a line's actual figures
from the same version — one is stored, the other is told (409) and writes nothing; two
payments pushed at once are both stored, each once. The API calls the pages' services, which
lock the contract and the line: these prove the views keep those guarantees."""

import json
from decimal import Decimal

import pytest

from financing.models import BudgetLine, BudgetLineVersion, FunderPayment
from tests.api.financing_helpers import BASE, line_url, token_client
from tests.concurrency.sessions import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, url, data):
    return lambda: client.post(url, json.dumps(data), content_type="application/json")


def test_two_declarations_from_the_same_version_store_one(demo_contract, demo_user):
    line = BudgetLine.objects.get(contract=demo_contract, year=2016, post__code="communication")
    finance, admin = token_client(demo_user("finance")), token_client(demo_user("admin"))
    url = line_url(line, "actual/")
    first, second = at_once(
        post(
            finance,
            url,
            {"version": line.version, "actual_expenses": "1000", "actual_receipts": "0"},
        ),
        post(
            admin, url, {"version": line.version, "actual_expenses": "2000", "actual_receipts": "0"}
        ),
    )
    statuses = sorted(s.result.status_code for s in (first, second))
    assert statuses == [200, 409], (first.error, second.error)
    stored = BudgetLine.objects.get(pk=line.pk)
    assert stored.version == line.version + 1
    assert BudgetLineVersion.objects.filter(line=line, number=stored.version).count() == 1


def test_two_payments_pushed_at_once_are_both_stored(demo_contract, demo_user):
    caf = token_client(demo_user("partner-caf"))
    data = {"funder": "caf42", "year": 2017, "kind": "advance", "received_on": "2017-07-01"}
    first, second = at_once(
        post(caf, f"{BASE}payments/", {**data, "amount": "10.00", "reference": "API-A"}),
        post(caf, f"{BASE}payments/", {**data, "amount": "20.00", "reference": "API-B"}),
    )
    assert [s.result.status_code for s in (first, second)] == [201, 201]
    stored = FunderPayment.objects.filter(contract=demo_contract, reference__startswith="API-")
    assert sorted(stored.values_list("reference", "amount")) == [
        ("API-A", Decimal("10.00")),
        ("API-B", Decimal("20.00")),
    ]
