"""The money cycle's pages on the Loire demo: each funder's payments and supporting documents
per year (`funder_payments`), the forms that record them, the deletion of a payment recorded
by mistake, and the « situation financière » PDF per funder and year. The demo's terms: CAF
90 % / MSA 10 % of each action's net cost, CEJ rates 55 % new / 60 % continued; one advance
of 70 % by 30 June, documents by 30 April N+1, balance by 30 September N+1. The payments,
actual figures and documents are this file's own, recorded through the services."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from financing import cycle_services
from financing.cycle_selectors import contract_cycle
from financing.models import BudgetLine, FunderPayment, SupportingDocument
from partners.models import Partner
from tests.pdftools import pdf_info, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 1, 15)  # after every due date of the demo's years


def text_of(response) -> str:
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&nbsp;", " ")
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture(autouse=True)
def _blank_cycle(request):
    """These tests write the money cycle themselves and check the figures it gives: they
    start from the demo with none of its own payments, documents or actual figures."""
    if "demo" in request.fixturenames:
        request.getfixturevalue("blank_cycle")


@pytest.fixture
def caf(demo):
    return Partner.objects.get(slug="caf42")


@pytest.fixture
def msa(demo):
    return Partner.objects.get(slug="msa-adl")


def url(name, contract, **kwargs):
    return reverse(name, kwargs={"slug": contract.slug, **kwargs})


def pay(contract, funder, user, *, year=2014, kind="advance", amount, on=None, reference="M1"):
    return cycle_services.funder_payment_record(
        payment=FunderPayment(
            contract=contract,
            funder=funder,
            year=year,
            kind=kind,
            amount=D(amount),
            received_on=on or datetime.date(year, 7, 10),
            reference=reference,
        ),
        by=user,
    )


def declare_actuals(contract, year, user, *, ratio):
    """Every line of `year` declared: its forecast expenses and receipts times `ratio`."""
    for line in BudgetLine.objects.filter(contract=contract, year=year):
        cycle_services.line_actuals_save(
            line=line,
            actual_expenses=(line.amount * ratio).quantize(D("0.01")),
            actual_receipts=line.other_receipts,
            by=user,
        )


# --- figures after payments ----------------------------------------------------------------


def test_the_caf_advance_of_2014_is_70_percent_of_its_forecast_psej(demo, caf):
    position = contract_cycle(demo.contract, today=TODAY).position(caf.pk, 2014).position
    assert position.forecast_psej == D("87525.00")
    assert [(a.percent, a.amount, a.due_on) for a in position.advances] == [
        (D("70.00"), D("61267.50"), datetime.date(2014, 6, 30))
    ]
    assert position.owed == D("61267.50") and position.outstanding == D("61267.50")
    assert position.advances[0].late  # nothing received, and 30 June 2014 is past


def test_after_the_advance_and_the_actuals_the_balance_is_due(demo, caf, demo_user):
    contract, finance = demo.contract, demo_user("finance")
    pay(contract, caf, demo_user("partner-caf"), amount="61267.50")
    position = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position
    assert position.received == D("61267.50") and position.outstanding == D("0.00")
    assert not position.late
    declare_actuals(contract, 2014, finance, ratio=D("0.9"))
    position = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position
    assert position.actual_psej is not None and position.actual_psej < D("87525.00")
    assert position.balance == position.actual_psej - D("61267.50")
    assert position.owed == position.actual_psej
    assert position.outstanding == position.balance
    assert position.balance_late  # 30 September 2015 is past


def test_an_overpayment_shows_to_recover(client, demo, caf, demo_user):
    contract = demo.contract
    caf_officer = demo_user("partner-caf")
    pay(contract, caf, caf_officer, amount="61267.50")
    declare_actuals(contract, 2014, demo_user("finance"), ratio=D("0.9"))
    actual = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position.actual_psej
    balance = actual - D("61267.50")
    pay(contract, caf, caf_officer, kind="balance", amount=balance + D("100"), reference="S1")
    position = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position
    assert position.to_recover == D("100.00") and position.outstanding == D("0.00")
    client.force_login(caf_officer)
    text = text_of(client.get(url("funder_payments", contract)))
    assert "à reverser" in text and "100,00 €" in text
    # The reversement brings it back to settled.
    pay(contract, caf, caf_officer, kind="refund", amount="100", reference="OR-1")
    position = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position
    assert position.settled and position.refunded == D("100.00")


# --- the payments page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "can_pay", "can_document"),
    [
        ("admin", True, True),
        ("cdaje", False, False),
        ("finance", False, True),
        ("partner-caf", True, True),
        ("partner-msa", True, True),
        ("partner-cg", False, False),
    ],
)
def test_the_payments_page_offers_what_each_role_may_do(
    client, demo, demo_user, role, can_pay, can_document
):
    client.force_login(demo_user(role))
    response = client.get(url("funder_payments", demo.contract))
    assert response.status_code == 200
    text = text_of(response)
    assert "Caisse d'allocations familiales de la Loire" in text
    assert "87 525,00 €" in text and "61 267,50 €" in text
    assert "en retard" in text and "cell-late" in response.content.decode()
    assert ("Enregistrer un versement" in text) == can_pay
    assert ("Enregistrer un justificatif" in text) == can_document
    assert "Situation financière 2014 (PDF)" in text


def test_the_payments_page_reads_the_same_queries_with_one_or_many_payments(
    client, demo, caf, msa, demo_user, django_assert_num_queries
):
    contract = demo.contract
    client.force_login(demo_user("admin"))
    pay(contract, caf, demo_user("admin"), amount="10")
    client.get(url("funder_payments", contract))  # the session, warmed
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # a cold page: its body rendered, not read from the page cache
    with CaptureQueriesContext(connection) as one:
        client.get(url("funder_payments", contract))
    admin = demo_user("admin")
    for year in contract.years:
        for funder in (caf, msa):
            for n in range(3):
                pay(contract, funder, admin, year=year, amount="5", reference=f"M{year}{n}")
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url("funder_payments", contract))
    assert response.content.decode().count("Supprimer") >= 4 * 2 * 3


# --- record a payment ------------------------------------------------------------------------


def test_a_funder_officer_records_a_payment(client, demo, caf, demo_user):
    client.force_login(demo_user("partner-caf"))
    response = client.post(
        url("funder_payment_create", demo.contract),
        {
            "funder": caf.pk,
            "year": "2014",
            "kind": "advance",
            "amount": "61 267,50",
            "received_on": "10/07/2014",
            "reference": "Mandat 2014-118",
            "note": "Premier acompte",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("funder_payments", demo.contract)
    payment = FunderPayment.objects.get(contract=demo.contract)
    assert (payment.amount, payment.received_on, payment.recorded_by.username) == (
        D("61267.50"),
        datetime.date(2014, 7, 10),
        "partner-caf",
    )
    text = text_of(client.get(url("funder_payments", demo.contract)))
    assert "Mandat 2014-118" in text


def test_the_payment_form_offers_only_the_officers_funder(client, demo, caf, msa, demo_user):
    client.force_login(demo_user("partner-caf"))
    form = client.get(url("funder_payment_create", demo.contract)).context["form"]
    assert [value for value, _label in form.fields["funder"].choices] == ["", caf.pk]
    response = client.post(
        url("funder_payment_create", demo.contract),
        {
            "funder": msa.pk,
            "year": "2014",
            "kind": "advance",
            "amount": "10",
            "received_on": "2014-07-10",
            "reference": "X",
        },
    )
    assert response.status_code == 200
    assert "Financeur : Choisissez un financeur de ce contrat." in text_of(response)
    assert not FunderPayment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "abc", "Montant (€) : "),
        ("amount", "-5", "Montant (€) : "),
        ("amount", "", "Montant (€) : Indiquez le montant."),
        ("received_on", "31/02/2014", "Reçu le : Saisissez une date"),
        ("year", "2030", "Exercice : Choisissez un exercice du contrat."),
        ("kind", "gift", "Nature : Choisissez la nature"),
        ("reference", "", "Référence : Indiquez la référence du versement."),
    ],
)
def test_a_bad_payment_is_refused_in_french_naming_the_field(
    client, demo, caf, demo_user, field, value, message
):
    client.force_login(demo_user("partner-caf"))
    data = {
        "funder": caf.pk,
        "year": "2014",
        "kind": "advance",
        "amount": "100",
        "received_on": "2014-07-10",
        "reference": "M",
        field: value,
    }
    response = client.post(url("funder_payment_create", demo.contract), data)
    assert response.status_code == 200
    text = text_of(response)
    assert "La saisie n’a pas été enregistrée" in text
    assert message in text
    assert not FunderPayment.objects.exists()


def test_a_refund_beyond_what_was_paid_is_refused_on_the_amount(client, demo, caf, demo_user):
    officer = demo_user("partner-caf")
    pay(demo.contract, caf, officer, amount="100")
    client.force_login(officer)
    response = client.post(
        url("funder_payment_create", demo.contract),
        {
            "funder": caf.pk,
            "year": "2014",
            "kind": "refund",
            "amount": "150",
            "received_on": "2015-10-01",
            "reference": "OR",
        },
    )
    assert response.status_code == 200
    assert "Montant (€) : Un reversement ne peut pas dépasser" in text_of(response)
    assert FunderPayment.objects.count() == 1


@pytest.mark.parametrize("role", ["cdaje", "finance", "partner-cg"])
def test_others_may_not_record_a_payment(client, demo, caf, demo_user, role):
    client.force_login(demo_user(role))
    for response in (
        client.get(url("funder_payment_create", demo.contract)),
        client.post(
            url("funder_payment_create", demo.contract),
            {
                "funder": caf.pk,
                "year": "2014",
                "kind": "advance",
                "amount": "10",
                "received_on": "2014-07-10",
                "reference": "X",
            },
        ),
    ):
        assert response.status_code == 403
        assert "Seuls les agents financiers des financeurs" in response.content.decode()
    assert not FunderPayment.objects.exists()


@pytest.mark.parametrize("role", ["partner-caf", "partner-msa"])
def test_no_payment_before_the_contract_is_signed(client, contract_in_preparation, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(url("funder_payment_create", contract_in_preparation))
    assert response.status_code == 403
    assert "pas encore signé" in response.content.decode()


# --- delete a payment -------------------------------------------------------------------------


def test_a_payment_recorded_by_mistake_is_deleted_after_confirmation(client, demo, caf, demo_user):
    officer = demo_user("partner-caf")
    payment = pay(demo.contract, caf, officer, amount="61267.50", reference="ERREUR")
    client.force_login(officer)
    delete_url = url("funder_payment_delete", demo.contract, pk=payment.pk)
    page = client.get(delete_url)
    assert page.status_code == 200
    text = text_of(page)
    assert "Supprimer ce Acompte de 61 267,50 €" in text or "61 267,50 €" in text
    assert FunderPayment.objects.filter(pk=payment.pk).exists()  # a GET deletes nothing
    response = client.post(delete_url)
    assert response.status_code == 302
    assert not FunderPayment.objects.filter(pk=payment.pk).exists()


def test_another_funders_officer_may_not_delete_a_payment(client, demo, caf, demo_user):
    payment = pay(demo.contract, caf, demo_user("partner-caf"), amount="10")
    client.force_login(demo_user("partner-msa"))
    response = client.post(url("funder_payment_delete", demo.contract, pk=payment.pk))
    assert response.status_code == 403
    assert "Vous ne saisissez que les versements de votre organisme." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert FunderPayment.objects.filter(pk=payment.pk).exists()


# --- supporting documents ---------------------------------------------------------------------


def test_the_territorys_finance_officer_records_a_document(client, demo, caf, demo_user):
    client.force_login(demo_user("finance"))
    data = {
        "funder": caf.pk,
        "year": "2014",
        "kind": "actual_figures",
        "received_on": "2015-04-20",
        "reference": "Bilan 2014",
    }
    response = client.post(url("supporting_document_create", demo.contract), data)
    assert response.status_code == 302
    document = SupportingDocument.objects.get(contract=demo.contract)
    assert document.received_on == datetime.date(2015, 4, 20)
    item = contract_cycle(demo.contract, today=TODAY).position(caf.pk, 2014)
    figures = next(d for d in item.documents if d.kind == "actual_figures")
    assert figures.received_on == datetime.date(2015, 4, 20) and not figures.late
    # Twice: refused, in French, nothing more written.
    again = client.post(url("supporting_document_create", demo.contract), data)
    assert again.status_code == 200
    assert "Ce justificatif est déjà enregistré comme reçu." in text_of(again)
    assert SupportingDocument.objects.count() == 1


def test_a_bad_document_is_refused_naming_the_field(client, demo, caf, demo_user):
    client.force_login(demo_user("partner-caf"))
    response = client.post(
        url("supporting_document_create", demo.contract),
        {"funder": caf.pk, "year": "2014", "kind": "", "received_on": "hier"},
    )
    text = text_of(response)
    assert "Pièce : Choisissez la pièce reçue." in text
    assert "Reçu le : Saisissez une date" in text
    assert not SupportingDocument.objects.exists()


def test_cdaje_may_not_record_a_document(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(url("supporting_document_create", demo.contract)).status_code == 403


# --- the situation PDF -----------------------------------------------------------------------


def test_the_situation_pdf_of_the_caf_for_2014(client, demo, caf, demo_user):
    contract, officer = demo.contract, demo_user("partner-caf")
    pay(contract, caf, officer, amount="61267.50", reference="Mandat 2014-118")
    declare_actuals(contract, 2014, demo_user("finance"), ratio=D("0.9"))
    actual = contract_cycle(contract, today=TODAY).position(caf.pk, 2014).position.actual_psej
    client.force_login(officer)
    response = client.get(url("funder_situation_pdf", contract, funder_slug="caf42", year="2014"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="{contract.slug}-situation-caf42-2014.pdf"'
    )
    text = plain(pdf_text(response.content))
    assert "Situation financière — exercice 2014" in text
    assert "Caisse d'allocations familiales de la Loire" in text
    assert "Département de la Loire" in text  # the beneficiary, by its name in force
    assert "87 525,00 €" in text and "61 267,50 €" in text  # forecast PSEJ, advance
    assert "Mandat 2014-118" in text
    from cej.money import format_eur

    assert plain(format_eur(actual)) in text
    assert plain(format_eur(actual - D("61267.50"))) in text  # the balance
    assert "Bilan financier" in text and "30 avril 2015" in text
    assert "Coordination" in text and "Communication" in text  # the PSEJ per action
    assert "Situation au" in text and "Karim Benali" in text
    assert pdf_info(response.content)["Tagged"] == "yes"


@pytest.mark.parametrize(
    ("funder_slug", "year"),
    [("caf42", "2013"), ("caf42", "2018"), ("cg42", "2014"), ("inconnu", "2014")],
)
def test_a_situation_out_of_the_contract_is_a_french_404(
    client, demo, demo_user, funder_slug, year
):
    client.force_login(demo_user("partner-caf"))
    response = client.get(
        url("funder_situation_pdf", demo.contract, funder_slug=funder_slug, year=year)
    )
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
