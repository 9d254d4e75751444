"""Hostile input to the financing API's writes: a line's actual figures and a payment
received, every field attacked — odd numbers and amounts (floats' artefacts, exponents,
NaN, huge, negative), scripts, null bytes, lone surrogates, overlong text, JSON values of
the wrong type (lists, objects, booleans, null) —, sent as JSON and form-encoded.

Whatever is sent: never a server error; a refusal is JSON, says why in French naming the
field (`errors`), and writes nothing; what is accepted is stored as the services store it
and read back as JSON text, never as markup."""

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.models import BudgetLine
from tests.api.financing_helpers import money_state
from tests.hostile.checks import assert_french, isolated_example, tally
from tests.hostile.sizing import examples
from tests.hostile.strategies import acceptable_text, amount_text, hostile_text
from tests.hostile.test_forms import attacked, odd_value, post, text_value

pytestmark = pytest.mark.django_db

BASE = "/api/v1/contracts/cej-loire-2014-2017/"
# What a program may send where JSON expects a string or a number.
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    hostile_text,
)
amount_value = st.one_of(amount_text, st.floats(allow_nan=False, allow_infinity=False))


@pytest.fixture
def caf(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    return client


def send(client, url, fields: dict, as_json: bool):
    if as_json:
        body = json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return client.post(url, body, content_type="application/json")
    return post(client, url, {k: "" if v is None else str(v) for k, v in fields.items()})


def check_refusal(response, state, before) -> None:
    """Refused: JSON naming the field in French (or the reason, for 403 and 409), nothing
    written."""
    assert response.status_code in (400, 403, 409), response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert state() == before
    if response.status_code == 400 and "errors" in body:
        messages = [m for errors in body["errors"].values() for m in errors]
        assert_french(messages)
        tally(f"refused: {next(iter(body['errors']))}")
    else:
        assert_french([body["detail"]])
        tally(f"refused: {response.status_code}")


@st.composite
def actual_fields(draw):
    fields = {
        "version": "current",
        "actual_expenses": draw(st.sampled_from(["36000.00", "0", "125000.5", 36000])),
        "actual_receipts": draw(st.sampled_from(["0", "2000.00", 0])),
    }
    return attacked(
        draw,
        fields,
        {
            "version": st.one_of(odd_value, json_value),
            "actual_expenses": st.one_of(amount_value, json_value),
            "actual_receipts": st.one_of(amount_value, json_value),
        },
    )


@examples(25)
@given(fields=actual_fields(), as_json=st.booleans())
def test_hostile_actual_figures_are_refused_in_french_or_stored(
    finance, demo_contract, fields, as_json
):
    line = BudgetLine.objects.get(contract=demo_contract, year=2016, post__code="communication")
    url = f"{BASE}budget-lines/{line.pk}/actual/"
    if fields["version"] == "current":
        fields["version"] = line.version
    if not as_json:
        fields = {k: v for k, v in fields.items() if not isinstance(v, list | dict)}
    with isolated_example():
        before = money_state(demo_contract)
        response = send(finance, url, fields, as_json)
        if response.status_code != 200:
            check_refusal(response, lambda: money_state(demo_contract), before)
            return
        line.refresh_from_db()
        shown = finance.get(f"{BASE}budget-lines/{line.pk}/").json()
        assert shown["actual_expenses"] == (
            None if line.actual_expenses is None else f"{line.actual_expenses:.2f}"
        )
        assert line.actual_receipts is None or line.actual_receipts <= line.actual_expenses
        tally("accepted")


@st.composite
def payment_fields(draw):
    fields = {
        "funder": "caf42",
        "year": draw(st.sampled_from([2014, 2015, "2016"])),
        "kind": draw(st.sampled_from(["advance", "balance", "refund"])),
        "amount": draw(st.sampled_from(["10.00", "1", "61267.50"])),
        "received_on": "2016-07-15",
        "reference": draw(acceptable_text.map(lambda t: t[:100])),
        "note": draw(st.one_of(st.just(""), acceptable_text)),
    }
    return attacked(
        draw,
        fields,
        {
            "funder": st.one_of(odd_value, json_value, st.sampled_from(["msa-adl", "cg42"])),
            "year": st.one_of(odd_value, json_value),
            "kind": st.one_of(odd_value, json_value),
            "amount": st.one_of(amount_value, json_value),
            "received_on": st.one_of(
                odd_value, json_value, st.sampled_from(["2016-02-30", "15/07/2016", "9999-12-31"])
            ),
            "reference": st.one_of(text_value, json_value),
            "note": st.one_of(text_value, json_value),
        },
    )


@examples(25)
@given(fields=payment_fields(), as_json=st.booleans())
def test_a_hostile_payment_is_refused_in_french_or_stored_inert(
    caf, demo_contract, fields, as_json
):
    url = f"{BASE}payments/"
    if not as_json:
        fields = {k: v for k, v in fields.items() if not isinstance(v, list | dict)}
    with isolated_example():
        before = money_state(demo_contract)
        response = send(caf, url, fields, as_json)
        if response.status_code != 201:
            check_refusal(response, lambda: money_state(demo_contract), before)
            return
        shown = response.json()
        stored = demo_contract.funder_payments.get(pk=shown["id"])
        assert (shown["reference"], shown["note"]) == (stored.reference, stored.note)
        assert "\x00" not in stored.reference + stored.note
        assert shown["amount"] == f"{stored.amount:.2f}"
        listed = caf.get(f"{url}?funder=caf42")
        assert listed["Content-Type"].startswith("application/json")
        tally("accepted")


def indicator_state(contract):
    from fiches.models import Indicator, IndicatorYear

    return sorted(
        IndicatorYear.objects.filter(indicator__contract=contract).values_list(
            "indicator", "year", "actual", "comment"
        )
    ), sorted(Indicator.objects.filter(contract=contract).values_list("pk", "version"))


@st.composite
def indicator_fields(draw):
    fields = {
        "version": "current",
        "year": draw(st.sampled_from([2015, 2017, "2016"])),
        "actual": draw(st.sampled_from(["12", "12.5", 3, None, ""])),
        "comment": draw(st.one_of(st.just(""), hostile_text)),
    }
    return attacked(
        draw,
        fields,
        {
            "version": st.one_of(odd_value, json_value),
            "year": st.one_of(odd_value, json_value),
            "actual": st.one_of(amount_value, json_value),
            "comment": st.one_of(text_value, json_value),
        },
    )


@examples(20)
@given(fields=indicator_fields(), as_json=st.booleans())
def test_a_hostile_indicator_actual_is_refused_in_french_or_stored_inert(
    cdaje, demo_contract, fields, as_json
):
    from fiches.models import Indicator, IndicatorYear

    indicator = Indicator.objects.get(contract=demo_contract, fiche__number=3, number=1)
    url = f"{BASE}fiches/3/indicators/1/actual/"
    if fields["version"] == "current":
        fields["version"] = indicator.version
    if not as_json:
        fields = {k: v for k, v in fields.items() if not isinstance(v, list | dict)}
    with isolated_example():
        before = indicator_state(demo_contract)
        response = send(cdaje, url, fields, as_json)
        if response.status_code != 200:
            check_refusal(response, lambda: indicator_state(demo_contract), before)
            return
        shown = response.json()
        row = IndicatorYear.objects.get(indicator=indicator, year=shown["year"])
        assert shown["comment"] == row.comment and "\x00" not in row.comment
        assert shown["actual"] == (None if row.actual is None else f"{row.actual:.2f}")
        tally("accepted")


numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(["2**63", "9" * 5000, "1e3", "١٢", "²", " 1", "0x10", "-0"]),
)
parameters = st.dictionaries(
    st.sampled_from(["year", "post", "fiche", "part", "funder", "page", "page_size"]),
    st.one_of(numbers, odd_value),
    min_size=1,
    max_size=3,
)


@examples(30)
@given(
    path=st.sampled_from(["budget-lines/", "financing-plan/", "payments/", "budget-lines/{pk}/"]),
    pk=st.one_of(st.integers(min_value=0, max_value=2**64), st.just(None)),
    params=parameters,
)
def test_hostile_addresses_and_filters_answer_in_french(finance, demo_contract, path, pk, params):
    if pk is None:
        pk = BudgetLine.objects.filter(contract=demo_contract).values_list("pk", flat=True)[0]
    address = BASE + path.format(pk=quote(str(pk), safe=""))
    query = urlencode(params, errors="surrogatepass")
    response = finance.get(f"{address}?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if response.status_code == 400:
        # The parameter is named; its message quotes the value back (api.filters' words,
        # too short for the French heuristic of `assert_french`).
        assert set(body["errors"]) <= set(params), body
        assert body["detail"].startswith("Données refusées : « ")
    elif response.status_code == 404 and body["detail"] != "Page non valide.":  # DRF's words
        assert_french([body["detail"]])
    tally(f"HTTP {response.status_code}")
