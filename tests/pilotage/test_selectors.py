"""pilotage.selectors on the shared Loire demo: the contract list's cards, the dashboard,
the document space and the contract document; in how many queries."""

from decimal import Decimal

import pytest

from cej.models import Contract
from fiches.models import Fiche, FicheStatus
from pilotage.selectors import (
    contract_dashboard,
    contract_document,
    contract_list_page,
    document_space,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contract(demo):
    return Contract.objects.select_related("territory").get(pk=demo.contract.pk)


def test_the_cards_of_the_contract_list(contract, django_assert_num_queries):
    with django_assert_num_queries(2):  # the contracts, their parties
        current, first = contract_list_page([contract.pk, contract.predecessor_id])
    # The seed's 14 fiches and n° 15, added by avenant n° 1; the parties as named today.
    assert (current.fiche_count, current.parties, current.period_label) == (
        15,
        ["Département", "CAF", "MSA"],
        "2014–2017",
    )
    assert current.predecessor == first.title
    assert (first.status_label, first.fiche_count, first.predecessor) == ("Échu", 0, "")


def test_a_withdrawn_fiche_is_not_counted(contract):
    Fiche.objects.filter(contract=contract, number=14).update(status=FicheStatus.WITHDRAWN)
    assert contract_list_page([contract.pk])[0].fiche_count == 14


def test_the_dashboard_reads_eight_queries(contract, django_assert_num_queries):
    # Signatures, parties, annex conventions, amendments, the predecessor, the objectives
    # with their fiches, the planned amounts, the posts.
    with django_assert_num_queries(8):
        dashboard = contract_dashboard(contract)
    # Fiche n° 15, added by avenant n° 1, serves the first objective.
    assert [len(rows) for _objective, rows in dashboard.objectives] == [6, 5, 4]
    # The annex convention, extended to 2017 by avenant n° 1.
    assert dashboard.budget.annex_years == [2014, 2015, 2016, 2017]
    envelope = next(row for row in dashboard.budget.rows if row.kind == "envelope")
    assert [cell.amount for cell in envelope.cells] == [D("198000.00")] * 4


def test_the_document_space_reads_the_amendments_only_for_who_may_seal(
    sealed_demo, django_assert_num_queries
):
    contract = Contract.objects.select_related("territory").get(pk=sealed_demo.contract.pk)
    with django_assert_num_queries(3):  # documents, signatures, parties
        space = document_space(contract, with_amendments=False)
    assert space.has_signed_document and space.amendments == []
    with django_assert_num_queries(4):
        document_space(contract, with_amendments=True)


def test_the_contract_document_shares_the_pages_reads(contract):
    # As avenant n° 1 left it: fiche 15 added, the annex convention extended to 2017.
    document = contract_document(contract)
    # The contract as it now stands: avenant n° 1 added fiche n° 15, and the annex lines
    # that allocate 198 000 € in 2015–2017 too.
    assert document["fiche_count"] == 15 and document["signatory_count"] == 5
    financing = document["financing"]
    assert [plan.expenses for plan in financing.years] == [D("198000.00")] * 4
    assert financing.total.expenses == D("792000.00")
    # Who pays whom: the Département carries the actions, the CAF and the MSA fund them.
    assert financing.beneficiary.partner.kind == "conseil_general"
    assert [party.partner.kind for party in financing.funders] == ["caf", "msa"]
    assert document["carrier"] is financing.beneficiary
    for plan in financing.years:  # the funders' PSEJ and the own share make the net cost
        assert plan.psej_total + plan.own_share == plan.net_cost, plan.year
        assert plan.other_receipts >= 0 and plan.psej_total > 0
    assert document["envelope_total"] == D("792000.00")
    assert not document["is_draft"]


def test_the_contract_pdf_reads_the_contract_document(client, demo, demo_user, monkeypatch):
    """The Loire contract was signed before the application: without its stored document,
    its PDF is a reconstituted copy, rendered from the same selector as the sealed one."""
    import pilotage.views_documents

    calls = []
    real = pilotage.views_documents.selectors.contract_document

    def document(contract, **kwargs):
        calls.append(kwargs["unsealed_copy"])
        return real(contract, **kwargs)

    monkeypatch.setattr(pilotage.views_documents.selectors, "contract_document", document)
    monkeypatch.setattr(pilotage.views_documents, "render_pdf", lambda template, ctx: b"%PDF-")
    client.force_login(demo_user("cdaje"))
    assert client.get("/contracts/cej-loire-2014-2017/contract.pdf").content == b"%PDF-"
    assert calls == [True]


def test_a_signature_can_be_cancelled_from_the_document_space_while_signing(
    client, demo, demo_user
):
    """The representatives are built in Python (pilotage/templatetags/pilotage_rows.py):
    the cancelling form carries the request's CSRF token, not the cached placeholder."""
    from cej.models import ContractStatus, Signature
    from cej.page_cache import CSRF_PLACEHOLDER

    contract = demo.contract
    contract.status, contract.signed_on = ContractStatus.IN_SIGNATURE, None
    contract.save()
    Signature.objects.filter(contract=contract).exclude(signatory__partner__kind="caf").delete()
    client.force_login(demo_user("cdaje"))
    html = client.get(f"/contracts/{contract.slug}/documents/").content.decode()
    assert html.count("Annuler la signature") == 2  # the CAF's two representatives
    assert "a signé le 1er octobre 2014 à Saint-Étienne" in html
    assert 'name="csrfmiddlewaretoken" value="' in html and CSRF_PLACEHOLDER not in html
