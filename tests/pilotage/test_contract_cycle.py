"""Where each contract stands in its cycle (pilotage.contract_cycle) on the shared Loire
demo: the contract list's stages, and the dashboard's chain of contracts and yearly
follow-up; in how many queries."""

import datetime
from decimal import Decimal

import pytest

from cej.models import Contract, ContractStatus
from fiches.models import Fiche, Indicator, IndicatorYear
from fiches.selectors import fiches_by_objective
from pilotage.contract_cycle import cycle_stages, follow_up
from reviews.models import ActionState, AnnualReview, ReviewFiche, ReviewStatus

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def loire(demo):
    contracts = {c.slug: c for c in Contract.objects.filter(slug__startswith="cej-loire-")}
    return contracts["cej-loire-2010-2013"], demo.contract, contracts["cej-loire-2018-2021"]


def labels(pks, today=TODAY):
    return {pk: stage.label for pk, stage in cycle_stages(pks, today=today).items()}


def test_the_loire_chain_in_the_contract_list(loire, django_assert_num_queries):
    first, current, successor = loire
    pks = [c.pk for c in loire]
    with django_assert_num_queries(1):
        stages = labels(pks)
    assert stages == {
        first.pk: "Échu",
        current.pk: "Renouvellement : contrat suivant en préparation",
        successor.pk: "En préparation",
    }


def test_a_signed_contract_s_review_due_then_its_evaluation(loire):
    _first, current, successor = loire
    Contract.objects.filter(pk=successor.pk).update(predecessor=None)
    AnnualReview.objects.filter(contract=current).delete()
    # In 2016: the 2014 review is due (none is adopted).
    assert labels([current.pk], datetime.date(2016, 3, 1))[current.pk] == "Bilan 2014 à rendre"
    for year in (2014, 2015):
        AnnualReview.objects.create(
            contract=current, year=year, status=ReviewStatus.ADOPTED, opinion_on=TODAY
        )
    assert labels([current.pk], datetime.date(2017, 3, 1))[current.pk] == "Bilan 2016 à rendre"
    AnnualReview.objects.create(
        contract=current, year=2016, status=ReviewStatus.ADOPTED, opinion_on=TODAY
    )
    assert labels([current.pk])[current.pk] == "Évaluation finale en cours"
    Contract.objects.filter(pk=current.pk).update(status=ContractStatus.EXPIRED)
    assert labels([current.pk])[current.pk] == "Échu"


def test_the_dashboard_follow_up(loire, django_assert_max_num_queries):
    first, current, successor = loire
    fiche = Fiche.objects.get(contract=current, number=2)
    indicator = Indicator.objects.create(fiche=fiche, number=90, name="Places (test)", unit="p")
    for year, target, actual in [(2014, 5, 4), (2015, 10, 11), (2016, 15, 16)]:
        IndicatorYear.objects.create(
            indicator=indicator, year=year, target=D(target), actual=D(actual)
        )
    review, _ = AnnualReview.objects.get_or_create(contract=current, year=2015)
    ReviewFiche.objects.update_or_create(
        review=review, fiche=fiche, defaults={"state": ActionState.POSTPONED}
    )
    fiches = [row for _objective, rows in fiches_by_objective(current) for row in rows]
    with django_assert_max_num_queries(3):
        data = follow_up(current, fiches)
    assert (data.predecessor.slug, data.successor.slug) == (first.slug, successor.slug)
    assert data.years == [2014, 2015, 2016, 2017]
    row = next(r for r in data.fiches if r.number == 2)
    assert row.trend is not None and row.indicator_count >= 1
    assert [s.label for s in row.states][1] == "Reportée"
    assert data.evaluation_status == "draft"
    # The successor: its predecessor's evaluation is its starting diagnostic, its fiches
    # say which one they continue.
    after = follow_up(
        successor, [row for _o, rows in fiches_by_objective(successor) for row in rows]
    )
    assert after.predecessor.slug == current.slug and after.successor is None
    assert after.starting_diagnostic
    assert all(r.continues for r in after.fiches)


def test_the_dashboard_shows_the_chain_and_the_sparkline(loire, client, demo_user):
    first, current, successor = loire
    fiche = Fiche.objects.get(contract=current, number=2)
    indicator = Indicator.objects.create(fiche=fiche, number=91, name="Familles (test)", unit="x")
    IndicatorYear.objects.create(indicator=indicator, year=2014, target=D(1), actual=D(2))
    IndicatorYear.objects.create(indicator=indicator, year=2015, target=D(2), actual=D(3))
    client.force_login(demo_user("partner-caf"))
    page = client.get(f"/contracts/{current.slug}/").content.decode()
    assert first.title in page and successor.title in page
    assert 'class="sparkline"' in page
    assert "Préparer le contrat suivant" not in page  # a partner does not renew
    page = client.get(f"/contracts/{successor.slug}/").content.decode()
    assert "Diagnostic de départ" in page
    assert "(prolonge la fiche 1)" in page


def test_the_contract_list_shows_the_stages(loire, client, demo_user):
    client.force_login(demo_user("cdaje"))
    page = client.get("/contracts/").content.decode()
    assert "Renouvellement : contrat suivant en préparation" in page
    # The successor in preparation says so once: its stage is its status.
    assert "badge-stage-preparation" not in page
