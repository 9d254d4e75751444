"""Each list of the contract core asks the same number of queries whatever its number of
rows: more rows added by factories, the count does not move."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cej.models import (
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    ContractParty,
    Document,
    DocumentKind,
    PartnerDecision,
    PartyRole,
    Signature,
)
from fiches.models import Aim, Fiche, FicheVersion, Indicator, IndicatorYear, Objective
from partners.models import PartnerName
from reviews.models import AnnualReview
from tests.api.core_support import api_url, bearer_client
from tests.factories import FicheFactory, ObjectiveFactory, PartnerFactory, SignatoryFactory


def _count(client, url) -> int:
    """The queries of the answer computed, as after a write (the factories below write around
    the services, which would mark the contract changed): nothing kept from before."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _more_parties(contract, user):
    for _n in range(2):
        partner = PartnerFactory()
        PartnerName.objects.create(
            partner=partner, name="Ancien nom", valid_until=datetime.date(2015, 3, 1)
        )
        ContractParty.objects.create(
            contract=contract, partner=partner, order=9, role=PartyRole.FUNDER
        )
        first, _second = SignatoryFactory(partner=partner), SignatoryFactory(partner=partner)
        Signature.objects.create(
            contract=contract, signatory=first, signed_on=contract.signed_on, place="Roanne"
        )
        PartnerDecision.objects.create(
            contract=contract,
            partner=partner,
            body="CA",
            reference="1",
            decided_on=contract.signed_on,
        )


def _more_objectives(contract, user):
    for number in (4, 5):
        FicheFactory(
            objective=ObjectiveFactory(contract=contract, number=number), number=20 + number
        )


def _more_fiches(contract, user):
    objective = Objective.objects.get(contract=contract, number=2)
    lead = ContractParty.objects.filter(contract=contract).first().partner
    for number in (30, 31, 32):
        fiche = FicheFactory(objective=objective, number=number, lead_partner=lead, updated_by=user)
        fiche.aims.set(Aim.objects.all()[:2])


def _more_versions(contract, user):
    fiche = Fiche.objects.get(contract=contract, number=4)
    amendment = Amendment.objects.get(contract=contract, number=1)
    for number in (3, 4, 5):
        FicheVersion.objects.create(
            fiche=fiche,
            number=number,
            snapshot={"title": f"v{number}"},
            action="Modification",
            author=user,
            amendment=amendment,
        )


def _more_indicators(contract, user):
    fiche = Fiche.objects.get(contract=contract, number=7)
    for number in (5, 6, 7):
        indicator = Indicator.objects.create(
            fiche=fiche, number=number, name="Places", unit="places"
        )
        for year in contract.years:
            IndicatorYear.objects.create(
                indicator=indicator,
                year=year,
                target=Decimal(10),
                actual=Decimal(9),
                actual_recorded_by=user,
            )


def _fewer_reviews(contract, user):
    AnnualReview.objects.filter(contract=contract, year__gt=2014).delete()


def _more_avenants(contract, user):
    signatory = Signature.objects.filter(contract=contract).first().signatory
    partner = signatory.partner
    for number in (7, 8):
        amendment = Amendment.objects.create(
            contract=contract,
            number=number,
            title="Abandonné",
            status=AmendmentStatus.ABANDONED,
            opened_by=user,
        )
        PartnerDecision.objects.create(
            contract=contract,
            amendment=amendment,
            partner=partner,
            body="CA",
            reference="2",
            decided_on=contract.signed_on,
        )
        AmendmentSignature.objects.create(
            amendment=amendment, signatory=signatory, signed_on=contract.signed_on, place="Roanne"
        )
        _document(contract, user, amendment=amendment, kind=DocumentKind.AMENDMENT, sealed=True)


def _document(contract, user, **fields):
    return Document.objects.create(
        contract=contract,
        title="Original numérisé",
        file="documents/x.pdf",
        sha256="0" * 64,
        size=10,
        created_by=user,
        **{"kind": DocumentKind.SCANNED_ORIGINAL, **fields},
    )


def _more_documents(contract, user):
    amendment = Amendment.objects.get(contract=contract, number=1)
    for _n in range(3):
        _document(contract, user, amendment=amendment)


@pytest.mark.parametrize(
    "name, kwargs, change",
    [
        ("party_list", {}, _more_parties),
        ("objective_list", {}, _more_objectives),
        ("fiche_list", {}, _more_fiches),
        ("fiche_versions", {"number": 4}, _more_versions),
        ("indicator_list", {}, _more_indicators),
        ("review_list", {}, _fewer_reviews),
        ("avenant_list", {}, _more_avenants),
        ("document_list", {}, _more_documents),
    ],
)
def test_a_list_asks_as_many_queries_whatever_its_rows(demo, demo_user, name, kwargs, change):
    user = demo_user("partner-caf")
    client = bearer_client(user)
    url = api_url(name, **kwargs)
    client.get(url)  # the token's first use is recorded once
    before = _count(client, url)
    body_before = client.get(url).json()
    change(demo.contract, user)
    after = _count(client, url)
    assert client.get(url).json() != body_before
    assert after == before, f"{name}: {before} queries, then {after}"
