"""cej.selectors on the shared Loire demo: what each read returns, in how many queries."""

import datetime

import pytest

from cej.models import AmendmentStatus, Contract, DocumentKind
from cej.selectors import (
    contract_documents,
    contract_overview,
    contracts_in_scope,
    missing_signatories,
    signing_parties,
)

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2014, 10, 1)


@pytest.fixture
def contract(demo):
    """The contract as scoped_contract gives it to the pages: with its territory."""
    return Contract.objects.select_related("territory").get(pk=demo.contract.pk)


def test_a_user_sees_the_contracts_of_their_scope_in_small_rows(
    demo, demo_user, django_assert_num_queries
):
    user = demo_user("cdaje")
    with django_assert_num_queries(2):  # what the user belongs to, then the contracts
        rows = contracts_in_scope(user)
    assert [row.title for row in rows] == [
        "Contrat enfance jeunesse départemental de la Loire 2018–2021",  # the demo's successor
        "Contrat enfance jeunesse départemental de la Loire 2014–2017",
        "Premier contrat enfance jeunesse départemental de la Loire",
    ]
    assert {row.territory_name for row in rows} == {"Loire"}
    # Text, as the database gives it: the list only hashes it.
    assert rows[1].token.replace("-", "") == demo.contract.content_token.hex


def test_the_parties_sign_in_order_and_the_loire_contract_is_signed(
    contract, django_assert_num_queries
):
    with django_assert_num_queries(2):
        parties = signing_parties(contract)
        names = [
            (party.partner.short_name, [signatory.function for signatory, _s in party.signatories])
            for party in parties
        ]
        assert {signature.signed_on for p in parties for _s, signature in p.signatories} == {
            SIGNED_ON
        }
    # Pages name a partner as it is called today (the Conseil général became the
    # Département in 2015); the representative's function is as recorded.
    assert names == [
        ("Département", ["Président du Conseil général de la Loire"]),
        (
            "CAF",
            ["Présidente du conseil d'administration de la CAF", "Directeur de la CAF"],
        ),
        (
            "MSA",
            ["Président du conseil d'administration de la MSA", "Directrice générale de la MSA"],
        ),
    ]
    assert missing_signatories(contract, parties=parties) == []


def test_a_representative_out_of_office_is_not_listed(contract):
    caf = signing_parties(contract)[1]
    director, _signature = caf.signatories[1]
    director.is_active = False
    director.save()
    assert [s.function for s, _ in signing_parties(contract)[1].signatories] == [
        "Présidente du conseil d'administration de la CAF"
    ]


def test_the_overview_names_the_predecessor_the_annex_and_the_amendments(
    contract, django_assert_num_queries
):
    # Signatures, parties, annex conventions, amendments, the predecessor.
    with django_assert_num_queries(5):
        overview = contract_overview(contract)
        assert overview.contract.territory.name == "Loire"
        assert overview.contract.predecessor.title == (
            "Premier contrat enfance jeunesse départemental de la Loire"
        )
        assert overview.contract.predecessor.end_year == 2013
    # The annex convention signed for 2014, extended to 2017 by avenant n° 1 (signed);
    # avenant n° 2 is in preparation.
    assert [annex.years for annex in overview.annex_conventions] == [[2014, 2015, 2016, 2017]]
    assert [(a.number, a.status) for a in overview.amendments] == [
        (1, AmendmentStatus.SIGNED),
        (2, AmendmentStatus.DRAFT),
    ]
    assert len(overview.parties) == 3


def test_the_signed_contract_comes_first_with_its_downloads_counted(
    sealed_demo, django_assert_num_queries
):
    with django_assert_num_queries(1):
        documents = contract_documents(sealed_demo.contract)
    # Then what completes it: the annex convention, the act of avenant n° 1; then the annual
    # reviews adopted since, the latest first.
    assert [document.kind for document in documents] == [
        DocumentKind.SIGNED_CONTRACT,
        DocumentKind.ANNEX_CONVENTION,
        DocumentKind.AMENDMENT,
        *[DocumentKind.ANNUAL_REVIEW] * 3,
    ]
    assert documents[2].amendment.number == 1
    assert [document.dated.year for document in documents[3:]] == [2017, 2016, 2015]
    assert [document.download_count for document in documents] == [0] * 6
    assert all(document.sealed for document in documents[:3])


def test_an_act_names_its_parties_as_on_its_date_with_their_deliberations(
    contract, django_assert_num_queries
):
    # Signatures, parties, their former names, their deliberations on the contract.
    with django_assert_num_queries(4):
        parties = signing_parties(contract, on=SIGNED_ON, decisions=True)
    assert [(p.name, p.designation) for p in parties] == [
        ("Conseil général de la Loire", "le Conseil général"),
        ("Caisse d'allocations familiales de la Loire", "la CAF"),
        ("Caisse de mutualité sociale agricole Ardèche Drôme Loire", "la MSA"),
    ]
    assert [(p.decision.reference, p.authorised) for p in parties] == [
        ("CP-2014-09-0412", "dûment autorisé"),  # M. Vialle
        ("2014-051", "dûment autorisés"),  # Mme Courbon and M. Ferrand
        ("CA-2014-33", "dûment autorisés"),
    ]
    # Renamed in March 2015: an act of May 2015 says Département.
    avenant = contract.amendments.get(number=1)
    later = signing_parties(contract, on=avenant.signed_on, decisions=True, amendment=avenant)
    assert (later[0].name, later[0].designation) == ("Département de la Loire", "le Département")
    assert later[0].decision.reference == "CP-2015-04-0217"


def test_the_pages_read_the_parties_under_their_current_names(contract, django_assert_num_queries):
    with django_assert_num_queries(2):
        parties = signing_parties(contract)
    assert parties[0].name == "Département de la Loire"
    assert all(p.decision is None for p in parties)
