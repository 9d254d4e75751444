"""Hostile form input: fiches (created and edited, rich text sanitized), budget lines,
commitments and payments, signatures, deposits. Very long text, scripts, script URLs,
event handlers, null bytes, odd Unicode (lone surrogates included, sent as the raw bytes a
browser could send), numbers out of range, choices that do not exist.

Whatever is posted: no server error; a refusal says why in French next to the field and
writes nothing; what is accepted shows in the page — and in the fiche's PDF — as inert
text, never as a script."""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cej.models import ContractStatus, Signature
from fiches.models import Aim, Fiche, FicheStatus, Objective
from fiches.services import RICH_TEXT_FIELDS
from financing.models import BudgetLine, BudgetPost
from partners.models import Partner
from tests.hostile.checks import (
    assert_exports_are_inert,
    assert_french,
    assert_french_refusal_page,
    assert_inert_pdf,
    assert_no_executable_script,
    budget_state,
    documents_state,
    fiche_state,
    form_messages,
    isolated_example,
    tally,
)
from tests.hostile.sizing import examples
from tests.hostile.strategies import (
    DROPPED,
    acceptable_text,
    amount_text,
    hostile_text,
    long_text,
    nul_text,
    rich_text,
)
from tests.pdftools import build_pdf, minimal_pdf, pdf_text

pytestmark = pytest.mark.django_db

SLUG = "cej-loire-2014-2017"
# What a browser may send where a choice, a number or a date belongs.
ODD_VALUES = [
    "",
    "0",
    "-1",
    "1.5",
    "1e3",
    "abc",
    "1\x00",
    "\x00",
    "١",
    "²",
    "9" * 30,
    str(2**63),
    str(2**64 + 1),
    "<script>alert(1)</script>",
    "\ud800",
]
odd_value = st.one_of(st.sampled_from(ODD_VALUES), hostile_text)
text_value = st.one_of(hostile_text, hostile_text, nul_text, long_text)
# The hidden version of an edit: mostly the current one.
version_value = st.one_of(st.just("current"), st.just("current"), st.just("current"), odd_value)


def post(client, url, fields: dict):
    """POST urlencoded as a browser would, lone surrogates included (as the bytes they
    encode to, which Django decodes with a replacement character)."""
    body = urlencode(
        [(name, value) for name, values in fields.items() for value in _as_list(values)],
        encoding="utf-8",
        errors="surrogatepass",
    )
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def check_refusal(response, state, before) -> None:
    """Refused: the form again (200, or 400/409 for the pages that say so), in French,
    and nothing written."""
    assert response.status_code in (200, 400, 409), response.status_code
    assert state() == before
    assert_no_executable_script(response.content.decode())
    if response.status_code == 409 and response.context.get("conflict"):
        # A version that is not the current one (a forged one too): the edit conflict page.
        tally("refused: edit conflict")
        return
    form = response.context.get("form") or _any_form(response)
    assert form is not None and form.errors, "a refusal without a form error"
    messages = form_messages(form)
    assert_french(messages)
    tally(f"refused: {messages[0][:50]}")


def _any_form(response):
    for name in ("signature_form", "deposit_form"):
        form = response.context.get(name)
        if form is not None and form.errors:
            return form
    return None


def check_page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert_no_executable_script(html)
    assert DROPPED not in html
    return html


# Fiches -----------------------------------------------------------------------------------


@pytest.fixture
def reopened(contract_with_room):
    """Fiche 3 of the demo, reopened so that it can be edited."""
    Fiche.objects.filter(contract=contract_with_room, number=3).update(
        status=FicheStatus.REOPENED, validated_on=None
    )
    return Fiche.objects.get(contract=contract_with_room, number=3)


@pytest.fixture
def choices(contract_with_room):
    """Valid values of the fiche form's choices."""
    return {
        "objective": [
            str(pk)
            for pk in Objective.objects.filter(contract=contract_with_room).values_list(
                "pk", flat=True
            )
        ],
        "partners": [
            str(pk)
            for pk in Partner.objects.filter(
                contract_parties__contract=contract_with_room
            ).values_list("pk", flat=True)
        ],
        "aims": [str(pk) for pk in Aim.objects.values_list("pk", flat=True)],
    }


def attacked(draw, fields: dict, attacks: dict) -> dict:
    """Half the examples are acceptable throughout (hostile but inert text); the others
    attack one field with what its form must refuse."""
    target = draw(st.one_of(st.none(), st.sampled_from(sorted(attacks))))
    if target is not None:
        fields[target] = draw(attacks[target])
        tally(f"attack on {target}")
    return fields


@st.composite
def fiche_fields(draw, choices):
    partners = draw(st.permutations(choices["partners"]))
    fields = {
        "objective": draw(st.sampled_from(choices["objective"])),
        "title": draw(acceptable_text),
        "lead_partner": draw(st.sampled_from(["", partners[0]])),
        "associated_partners": partners[1 : draw(st.integers(1, len(partners)))],
        "aims": draw(st.lists(st.sampled_from(choices["aims"]), max_size=2, unique=True)),
        "budget_note": draw(st.one_of(st.just(""), acceptable_text)),
    }
    for field in RICH_TEXT_FIELDS:
        fields[field] = draw(st.one_of(st.just(""), rich_text))
    return attacked(
        draw,
        fields,
        {
            "objective": odd_value,
            "title": text_value,
            "lead_partner": odd_value,
            "associated_partners": st.lists(odd_value, min_size=1, max_size=2),
            "aims": st.lists(odd_value, min_size=1, max_size=2),
            "budget_note": st.one_of(nul_text, hostile_text),
            "findings": st.one_of(nul_text, long_text.map(lambda t: t * 20)),
        },
    )


def check_accepted_fiche(client, fiche) -> None:
    """Stored sanitized; the page and the PDF hold no script."""
    for field in RICH_TEXT_FIELDS:
        stored = getattr(fiche, field)
        assert_no_executable_script(stored, page=False)
        assert DROPPED not in stored
        assert "\x00" not in stored
    base = f"/contracts/{SLUG}/fiches/{fiche.number}/"
    check_page(client, base)
    check_page(client, base + "history/")
    pdf = client.get(base + "fiche.pdf")
    assert pdf.status_code == 200
    assert_inert_pdf(pdf.content)
    text = pdf_text(pdf.content)
    assert DROPPED not in text
    assert f"{fiche.number}" in text
    tally("accepted")


@examples(15)
@given(data=st.data())
def test_a_hostile_new_fiche_is_refused_in_french_or_stored_inert(
    cdaje, contract_with_room, choices, data
):
    fields = data.draw(fiche_fields(choices))
    with isolated_example():
        before = fiche_state(contract_with_room)
        response = post(cdaje, f"/contracts/{SLUG}/fiches/new/", {**fields, "version": "1"})
        if response.status_code != 302:
            check_refusal(response, lambda: fiche_state(contract_with_room), before)
            return
        fiche = Fiche.objects.get(
            contract=contract_with_room, number=response["Location"].split("/")[-2]
        )
        check_accepted_fiche(cdaje, fiche)


@examples(15)
@given(data=st.data(), version=version_value)
def test_a_hostile_fiche_edit_is_refused_in_french_or_stored_inert(
    cdaje, contract_with_room, reopened, choices, data, version
):
    fields = data.draw(fiche_fields(choices))
    with isolated_example():
        before = fiche_state(contract_with_room)
        fields["version"] = str(reopened.version) if version == "current" else version
        response = post(cdaje, f"/contracts/{SLUG}/fiches/3/edit/", fields)
        if response.status_code != 302:
            check_refusal(response, lambda: fiche_state(contract_with_room), before)
            return
        check_accepted_fiche(cdaje, Fiche.objects.get(pk=reopened.pk))


# Budget lines -------------------------------------------------------------------------------


@pytest.fixture
def line_choices(contract_with_room):
    return {
        "posts": [str(pk) for pk in BudgetPost.objects.values_list("pk", flat=True)],
        "fiches": [
            str(pk)
            for pk in Fiche.objects.filter(contract=contract_with_room).values_list("pk", flat=True)
        ],
    }


@pytest.fixture
def fresh_line(contract_with_room):
    """A 2016 line of 20 000 € (communication, fiche 1) with nothing committed yet: edits,
    entries and its deletion are all possible."""
    from financing.services import budget_line_save

    line = BudgetLine(
        contract=contract_with_room,
        year=2016,
        post=BudgetPost.objects.get(code="communication"),
        fiche=Fiche.objects.get(contract=contract_with_room, number=1),
        amount=Decimal("20000.00"),
    )
    return budget_line_save(line=line)


small_amount = st.one_of(
    st.integers(0, 30_000).map(lambda n: f"{n:,},00".replace(",", "\u202f", 1)),
    st.decimals(min_value=0, max_value=30_000, places=2).map(str),
)
money_value = st.one_of(small_amount, small_amount, amount_text)


@st.composite
def line_fields(draw, choices):
    amount = draw(small_amount)
    fields = {
        "year": draw(st.sampled_from(["2015", "2016", "2017"])),
        "post": draw(st.sampled_from(choices["posts"])),
        "fiche": draw(st.sampled_from(["", *choices["fiches"]])),
        "label": draw(st.one_of(st.just(""), acceptable_text)),
        "amount": amount,
        "other_receipts": draw(st.sampled_from(["", "0", "1 000,00"])),
        "continued": draw(st.sampled_from(["", "on"])),
    }
    return attacked(
        draw,
        fields,
        {
            "year": odd_value,
            "post": odd_value,
            "fiche": odd_value,
            "label": text_value,
            "amount": money_value,
            "other_receipts": money_value,
            "continued": odd_value,
        },
    )


@examples(20)
@given(data=st.data())
def test_a_hostile_budget_line_is_refused_in_french_or_stored_inert(
    finance, contract_with_room, line_choices, data
):
    fields = data.draw(line_fields(line_choices))
    with isolated_example():
        before = budget_state(contract_with_room)
        response = post(finance, f"/contracts/{SLUG}/budget/lines/new/", fields)
        if response.status_code != 302:
            check_refusal(response, lambda: budget_state(contract_with_room), before)
            return
        line = BudgetLine.objects.filter(contract=contract_with_room).order_by("-pk").first()
        assert "\x00" not in line.label
        check_page(finance, f"/contracts/{SLUG}/budget/")
        check_page(finance, f"/contracts/{SLUG}/budget/lines/{line.pk}/history/")
        assert_exports_are_inert(finance)
        tally("accepted")


@examples(15)
@given(data=st.data(), version=version_value)
def test_a_hostile_budget_line_edit_is_refused_in_french_or_stored_inert(
    finance, contract_with_room, line_choices, fresh_line, data, version
):
    line = fresh_line
    fields = data.draw(line_fields(line_choices))
    with isolated_example():
        before = budget_state(contract_with_room)
        fields["version"] = str(line.version) if version == "current" else version
        response = post(finance, f"/contracts/{SLUG}/budget/lines/{line.pk}/edit/", fields)
        if response.status_code != 302:
            check_refusal(response, lambda: budget_state(contract_with_room), before)
            return
        check_page(finance, f"/contracts/{SLUG}/budget/lines/{line.pk}/history/")
        assert_exports_are_inert(finance)
        tally("accepted")


@examples(6)
@given(version=odd_value)
def test_a_hostile_delete_confirmation_is_a_page_not_an_error(finance, fresh_line, version):
    line = fresh_line
    with isolated_example():
        response = post(
            finance, f"/contracts/{SLUG}/budget/lines/{line.pk}/delete/", {"version": version}
        )
        assert response.status_code in (302, 409), response.status_code
        if response.status_code == 409:
            assert_french([response.context["error"]])


# Commitments and payments ---------------------------------------------------------------

date_value = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(
        [
            "2015-02-30",
            "0000-00-00",
            "9999-12-31",
            "99999-01-01",
            "2015-13-01",
            "１５/０３/２０１５",
            "15/03/2015\x00",
            "2015-03-15T00:00",
            "-2015-03-15",
            "",
        ]
    ),
    odd_value,
)


@st.composite
def entry_fields(draw):
    fields = {
        "kind": draw(st.sampled_from(["commitment", "payment"])),
        "date": draw(st.dates(datetime.date(2015, 1, 1), datetime.date(2015, 12, 31))).isoformat(),
        "amount": draw(st.integers(0, 1000).map(str)),
        "reference": draw(st.one_of(st.just(""), acceptable_text)),
        "note": draw(st.one_of(st.just(""), acceptable_text)),
    }
    return attacked(
        draw,
        fields,
        {
            "kind": odd_value,
            "date": date_value,
            "amount": money_value,
            "reference": text_value,
            "note": st.one_of(nul_text, hostile_text),
        },
    )


@examples(15)
@given(fields=entry_fields())
def test_a_hostile_commitment_or_payment_is_refused_in_french_or_stored_inert(
    finance, contract_with_room, fresh_line, fields
):
    line = fresh_line
    with isolated_example():
        before = budget_state(contract_with_room)
        response = post(
            finance,
            f"/contracts/{SLUG}/budget/lines/{line.pk}/entries/new/",
            fields,
        )
        if response.status_code != 302:
            check_refusal(response, lambda: budget_state(contract_with_room), before)
            return
        check_page(finance, f"/contracts/{SLUG}/budget/")
        tally("accepted")


# Signatures and deposits ----------------------------------------------------------------


@pytest.fixture
def unsigned(demo_contract):
    """The Loire contract before anybody signed (fiches validated)."""
    Signature.objects.filter(contract=demo_contract).delete()
    demo_contract.status = ContractStatus.DRAFT
    demo_contract.signed_on = None
    demo_contract.save()
    return demo_contract


@st.composite
def signature_fields(draw):
    fields = {
        "signatory": "first",
        "signed_on": draw(
            st.dates(datetime.date(2014, 1, 1), datetime.date(2016, 12, 31))
        ).isoformat(),
        "place": draw(acceptable_text),
    }
    return attacked(
        draw,
        fields,
        {"signatory": odd_value, "signed_on": date_value, "place": text_value},
    )


@examples(15)
@given(fields=signature_fields())
def test_a_hostile_signature_is_refused_in_french_or_stored_inert(cdaje, unsigned, fields):
    from cej.selectors import missing_signatories

    first = missing_signatories(unsigned)[0]
    with isolated_example():
        before = documents_state(unsigned)
        response = post(
            cdaje,
            reverse("signature_record", kwargs={"slug": SLUG}),
            {
                **fields,
                "signatory": str(first.pk)
                if fields["signatory"] == "first"
                else fields["signatory"],
            },
        )
        if response.status_code != 302:
            check_refusal(response, lambda: documents_state(unsigned), before)
            return
        check_page(cdaje, f"/contracts/{SLUG}/documents/")
        check_page(cdaje, f"/contracts/{SLUG}/")
        tally("accepted")


MINIMAL_PDF = minimal_pdf()
# A PDF that would run a script when opened.
SCRIPTED_PDF = build_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")
file_names = st.one_of(
    st.sampled_from(
        [
            "original.pdf",
            "Contrat signé.PDF",
            "../../etc/passwd.pdf",
            "a" * 300 + ".pdf",
            "x." + "p" * 250,
            ".pdf",
            "sans extension",
            "<script>alert(1)</script>.pdf",
            "\u202efdp.exe",
            "nul\x00.pdf",
            "😀.pdf",
        ]
    ),
    hostile_text.map(lambda t: t + ".pdf"),
)


def _multipart(value: str) -> str:
    """The test client encodes multipart fields strictly: no lone surrogate there."""
    return value.encode("utf-8", "replace").decode()


@st.composite
def deposit_fields(draw):
    fields = {
        "kind": "scanned_original",
        "title": draw(acceptable_text),
        "dated": draw(st.one_of(st.just(""), st.just("2014-10-01"))),
        "amendment": "",
        "content": MINIMAL_PDF,
        "name": draw(st.one_of(st.just("original.pdf"), file_names)),
    }
    return attacked(
        draw,
        fields,
        {
            "kind": odd_value.map(_multipart),
            "title": text_value,
            "dated": date_value.map(_multipart),
            "amendment": odd_value.map(_multipart),
            "content": st.one_of(
                st.binary(max_size=200), st.sampled_from([b"%PDF-1.7\n", SCRIPTED_PDF])
            ),
        },
    )


@examples(15)
@given(fields=deposit_fields())
def test_a_hostile_deposit_is_refused_in_french_or_stored_inert(cdaje, demo_contract, fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with isolated_example():
        before = documents_state(demo_contract)
        response = cdaje.post(
            reverse("document_deposit", kwargs={"slug": SLUG}),
            {
                **{k: v for k, v in fields.items() if k not in ("content", "name")},
                "file": SimpleUploadedFile(
                    fields["name"], fields["content"], content_type="application/pdf"
                ),
            },
        )
        if response.status_code != 302:
            check_refusal(response, lambda: documents_state(demo_contract), before)
            return
        check_page(cdaje, f"/contracts/{SLUG}/documents/")
        tally("accepted")


# The bugs these properties found, kept as plain examples -------------------------------


@pytest.mark.parametrize("field", ["aims", "associated_partners"])
@pytest.mark.parametrize("value", ["9" * 30, str(2**63), str(-(2**63) - 1)])
def test_a_forged_id_beyond_64_bits_in_checkboxes_is_an_invalid_choice(
    cdaje, contract_with_room, reopened, field, value
):
    """Was a server error: `pk__in` sent it to the database (SQLite: OverflowError)."""
    before = fiche_state(contract_with_room)
    response = post(
        cdaje,
        f"/contracts/{SLUG}/fiches/3/edit/",
        {
            "objective": reopened.objective_id,
            "title": "Titre",
            "version": reopened.version,
            field: value,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith("Sélectionnez un choix valide.")
    assert fiche_state(contract_with_room) == before


@pytest.mark.parametrize(
    ("field", "value"), [("title", "Ti\x0btre"), ("budget_note", "\x1b[31m"), ("title", "\uffff")]
)
def test_an_invisible_character_in_a_fiche_is_refused_in_french(
    cdaje, contract_with_room, reopened, field, value
):
    """No workbook can hold it: the fiche's title went to the budget export, which failed."""
    fields = {"objective": reopened.objective_id, "title": "Titre", "version": reopened.version}
    response = post(cdaje, f"/contracts/{SLUG}/fiches/3/edit/", {**fields, field: value})
    assert response.status_code == 200
    code = next(f"U+{ord(c):04X}" for c in value if c in "\x0b\x1b\uffff")
    assert response.context["form"].errors[field] == [
        f"Ce texte contient un caractère invisible interdit ({code}), "
        "qu'aucun document ne peut porter : retirez-le."
    ]


@pytest.mark.parametrize("name", ["a" * 300 + ".pdf", "x." + "p" * 250, "scan.<script>"])
def test_a_long_or_odd_upload_name_is_stored_within_the_file_column(cdaje, demo_contract, name):
    """Was a server error on PostgreSQL (the stored name overflowed its column) or on
    any disk (an extension of 250 characters makes a file name too long)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cej.models import Document

    response = cdaje.post(
        reverse("document_deposit", kwargs={"slug": SLUG}),
        {
            "kind": "scanned_original",
            "title": "Original",
            "file": SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(contract=demo_contract, title="Original")
    assert len(document.file.name) <= Document._meta.get_field("file").max_length
    assert document.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    "fields",
    [
        {f"champ{i}": "x" for i in range(1500)},  # beyond DATA_UPLOAD_MAX_NUMBER_FIELDS
        {"title": "x" * 3_000_000},  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE
    ],
    ids=["too-many-fields", "too-big"],
)
def test_an_oversized_form_is_a_french_400(cdaje, contract_with_room, reopened, fields):
    before = fiche_state(contract_with_room)
    response = post(cdaje, f"/contracts/{SLUG}/fiches/3/edit/", fields)
    assert response.status_code == 400
    assert_french_refusal_page(response)
    assert fiche_state(contract_with_room) == before


@pytest.mark.parametrize("depth", [200, 1000])
def test_deeply_nested_lists_print(cdaje, contract_with_room, reopened, depth):
    """Was a server error on the fiche's PDF (and the contract's): 200 nested lists took the
    renderer past Python's recursion limit."""
    fields = {"objective": reopened.objective_id, "title": "Titre", "version": reopened.version}
    nested = "<ul><li>" * depth + "profond" + "</li></ul>" * depth
    response = post(cdaje, f"/contracts/{SLUG}/fiches/3/edit/", {**fields, "findings": nested})
    assert response.status_code == 302
    reopened.refresh_from_db()
    assert reopened.findings.count("<ul>") == 6  # 12 elements deep at most
    pdf = cdaje.get(f"/contracts/{SLUG}/fiches/3/fiche.pdf")
    assert pdf.status_code == 200
    assert "profond" in pdf_text(pdf.content)


def test_hostile_text_is_inert_in_the_contract_and_the_budget_report(
    client, demo_user, contract_with_room, reopened
):
    """The two longer PDFs that print what the forms accepted: the contract (its fiches)
    and the budget report (its lines)."""
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>=HYPERLINK("x")'
    nested = "<ul><li>" * 300 + "profond" + "</li></ul>" * 300
    cdaje = client
    cdaje.force_login(demo_user("cdaje"))
    response = post(
        cdaje,
        f"/contracts/{SLUG}/fiches/3/edit/",
        {
            "objective": reopened.objective_id,
            "title": hostile,
            "version": reopened.version,
            "findings": f"<p>Constat</p><script>{DROPPED}</script>{nested}",
            "goals": f'<a href="javascript:alert(1)">lien</a><style>{DROPPED}</style>',
        },
    )
    assert response.status_code == 302
    pdf = cdaje.get(f"/contracts/{SLUG}/contract.pdf")
    assert pdf.status_code == 200
    assert_inert_pdf(pdf.content)
    text = pdf_text(pdf.content)
    assert DROPPED not in text and "profond" in text
    assert "<script>" in text  # the title, as inert text

    line = BudgetLine.objects.filter(contract=contract_with_room, year=2015).first()
    BudgetLine.objects.filter(pk=line.pk).update(label=hostile)
    report = client.get(f"/contracts/{SLUG}/budget/report.pdf", {"year": "2015"})
    assert report.status_code == 200
    assert_inert_pdf(report.content)
    assert "HYPERLINK" in pdf_text(report.content)
