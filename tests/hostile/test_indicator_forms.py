"""Hostile input to the indicators' forms: an indicator defined with scripts, null bytes,
overlong text and odd numbers for its baseline and targets; an actual value with odd
numbers, hostile comments and files that are not what their name says. Never a server
error; a refusal says why in French and writes nothing; what is accepted shows as inert
text on the indicators' page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from cej.models import Document
from fiches.models import Indicator, IndicatorYear
from tests.hostile.checks import assert_no_executable_script, isolated_example, tally
from tests.hostile.sizing import examples
from tests.hostile.strategies import acceptable_text, hostile_text
from tests.hostile.test_forms import (
    attacked,
    check_page,
    check_refusal,
    odd_value,
    post,
    text_value,
)
from tests.pdftools import build_pdf, minimal_pdf

pytestmark = pytest.mark.django_db

SLUG = "cej-loire-2014-2017"
PAGE = f"/contracts/{SLUG}/fiches/3/indicators/"
number_value = st.one_of(
    odd_value,
    st.sampled_from(["12,5", "1 250", "-3", "1e3", "NaN", "Infinity", "0,001", "9" * 20]),
)


def indicator_state(contract):
    return sorted(
        Indicator.objects.filter(contract=contract).values_list(
            "pk", "name", "unit", "source", "version"
        )
    ), sorted(
        IndicatorYear.objects.filter(indicator__contract=contract).values_list(
            "indicator", "year", "target", "actual", "comment"
        )
    )


@st.composite
def indicator_fields(draw):
    fields = {
        "version": "1",
        "name": draw(acceptable_text),
        "unit": draw(acceptable_text.map(lambda t: t[:40])),
        "source": draw(st.one_of(st.just(""), acceptable_text)),
        "direction": draw(st.sampled_from(["up", "down"])),
        "baseline_year": "",
        "baseline_value": "",
        "target_2014": draw(st.sampled_from(["", "3", "12,5"])),
    }
    return attacked(
        draw,
        fields,
        {
            "name": text_value,
            "unit": text_value,
            "source": text_value,
            "direction": odd_value,
            "baseline_year": odd_value,
            "baseline_value": number_value,
            "target_2015": number_value,
            "version": odd_value,
        },
    )


@examples(15)
@given(fields=indicator_fields())
def test_a_hostile_indicator_is_refused_in_french_or_stored_inert(
    cdaje, contract_in_preparation, fields
):
    with isolated_example():
        before = indicator_state(contract_in_preparation)
        response = post(cdaje, f"{PAGE}new/", fields)
        if response.status_code != 302:
            check_refusal(response, lambda: indicator_state(contract_in_preparation), before)
            return
        html = check_page(cdaje, PAGE)
        assert_no_executable_script(html)
        tally("accepted")


EVIDENCE = [
    ("bilan.pdf", minimal_pdf()),
    ("bilan.pdf", b"<script>alert(1)</script>"),
    ("actif.pdf", build_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
    ("chiffres.csv", "année;valeur\n2017;12\n".encode()),
    ("chiffres.csv", b"\x00\x01\x02"),
    ("classeur.xlsx", b"PK\x03\x04 pas vraiment"),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("../../etc/passwd.csv", b"root;x\n"),
]


@st.composite
def actual_fields(draw):
    fields = {
        "actual": draw(st.sampled_from(["", "12", "12,5"])),
        "comment": draw(st.one_of(st.just(""), hostile_text)),
    }
    return attacked(
        draw,
        fields,
        {"actual": number_value, "comment": text_value, "version": odd_value},
    )


@examples(15)
@given(fields=actual_fields(), evidence=st.one_of(st.none(), st.sampled_from(EVIDENCE)))
def test_a_hostile_actual_is_refused_in_french_or_stored_inert(cdaje, demo, fields, evidence):
    contract = demo.contract
    indicator = Indicator.objects.get(contract=contract, fiche__number=3, number=1)
    url = f"{PAGE}1/2017/actual/"
    with isolated_example():
        before = indicator_state(contract), Document.objects.count()
        data = {"version": str(indicator.version), **fields}
        if evidence is None:
            response = post(cdaje, url, data)
        else:
            # Multipart, as a browser sends it: a lone surrogate arrives as the bytes it
            # encodes to, which Django decodes with a replacement character.
            data = {
                k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                for k, v in data.items()
            }
            data["evidence"] = SimpleUploadedFile(*evidence)
            response = cdaje.post(url, data)
        if response.status_code != 302:
            check_refusal(
                response, lambda: (indicator_state(contract), Document.objects.count()), before
            )
            return
        html = check_page(cdaje, PAGE)
        assert_no_executable_script(html)
        tally("accepted")
