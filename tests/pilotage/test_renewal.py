"""« Préparer le contrat suivant » (pilotage.renewal) on the shared Loire demo: the successor
it creates, who may ask for it, and the predecessor left exactly as it was.

The demo's own successor (cej-loire-2018-2021) was made by the same service; the tests that
renew again first set it aside (`set_aside`), as if it had never been prepared."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cej.models import AnnexConvention, Contract, ContractParty, ContractStatus
from fiches.models import Fiche, FicheStatus, Indicator
from financing.models import BudgetLine, FundingTerms, PaymentSchedule
from pilotage.renewal import can_renew, contract_renew
from reviews.models import FinalEvaluation, Recommendation
from tests.world import RowChanges, Snapshot

pytestmark = pytest.mark.django_db
D = Decimal
NEXT_SLUG = "cej-loire-2018-2021"


@pytest.fixture
def set_aside(demo):
    """The demo's successor, no longer the Loire contract's (under another address)."""
    Contract.objects.filter(slug=NEXT_SLUG).update(predecessor=None, slug="mise-de-cote")
    return demo.contract


@pytest.fixture
def cdaje(demo_user):
    return demo_user("cdaje")


def test_the_demo_successor_was_prepared_by_renewal(demo):
    successor = Contract.objects.get(slug=NEXT_SLUG)
    assert successor.title == "Contrat enfance jeunesse départemental de la Loire 2018–2021"
    assert (successor.status, successor.predecessor_id) == (ContractStatus.DRAFT, demo.contract.pk)
    assert (successor.start_year, successor.end_year) == (2018, 2021)
    fiches = list(Fiche.objects.filter(contract=successor))
    assert fiches and all(f.status == FicheStatus.DRAFT and f.continues_id for f in fiches)


def test_the_predecessor_keeps_every_row(set_aside, cdaje):
    """Every row of every table before and after: only rows of the new contract appear, and
    of the predecessor only its page-cache token changes (its dashboard names its
    successor now)."""
    contract = set_aside
    before = Snapshot.take()
    successor = contract_renew(contract=contract, by=cdaje)
    changes = RowChanges.between(before, Snapshot.take())
    assert changes.deleted == {}
    assert list(changes.updated) == [Contract]
    [row] = changes.updated[Contract]
    names = [f.attname for f in Contract._meta.concrete_fields]
    old = dict(zip(names, before.rows[Contract][contract.pk], strict=True))
    new = dict(zip(names, row, strict=True))
    assert {name for name in names if old[name] != new[name]} == {"content_token"}
    # What was inserted is the successor's (or its versions', shares', m2m rows').
    assert [r[names.index("id")] for r in changes.inserted[Contract]] == [successor.pk]
    for model in (Fiche, BudgetLine, FundingTerms, PaymentSchedule, ContractParty, Indicator):
        assert not model.objects.filter(
            pk__in=[r[0] for r in changes.inserted.get(model, [])]
        ).exclude(contract=successor)


def test_the_successor_carries_the_contract_on(set_aside, cdaje):
    contract = set_aside
    successor = contract_renew(contract=contract, by=cdaje)
    assert successor.slug == NEXT_SLUG
    assert successor.title == "Contrat enfance jeunesse départemental de la Loire 2018–2021"
    assert successor.annual_envelope == contract.annual_envelope
    assert successor.status == ContractStatus.DRAFT

    def parties(c):
        return list(c.parties.order_by("order").values_list("partner__slug", "role", "order"))

    assert parties(successor) == parties(contract)
    assert list(successor.objectives.values_list("number", "title")) == list(
        contract.objectives.values_list("number", "title")
    )
    # Every fiche but the one the evaluation says not to renew (n° 8 in the demo), drafts,
    # each linked to the fiche it continues and back.
    ended = set(
        FinalEvaluation.objects.get(contract=contract)
        .fiches.filter(recommendation=Recommendation.END)
        .values_list("fiche__number", flat=True)
    )
    assert ended == {8}
    old = list(Fiche.objects.filter(contract=contract).exclude(number__in=ended))
    new = list(Fiche.objects.filter(contract=successor).select_related("continues"))
    assert [f.continues.number for f in new] == [f.number for f in old]
    assert [f.number for f in new] == list(range(1, len(old) + 1))
    for fiche in new:
        assert fiche.status == FicheStatus.DRAFT
        assert fiche.title == fiche.continues.title
        assert fiche.lead_partner_id == fiche.continues.lead_partner_id
        assert fiche.versions.count() == 1
        assert fiche in fiche.continues.continued_by.all()
    # The evaluation's lessons open the findings: the starting diagnostic.
    third = next(f for f in new if f.continues.number == 3)
    assert "Évaluation finale 2014–2017 :" in third.findings
    assert "micro-crèches" in third.findings


def test_continued_fiches_keep_their_indicators_with_the_last_measure_as_baseline(set_aside, cdaje):
    contract = set_aside
    successor = contract_renew(contract=contract, by=cdaje)
    for fiche in Fiche.objects.filter(contract=successor).select_related("continues"):
        old = {i.number: i for i in fiche.continues.indicator_set.all()}
        new = {i.number: i for i in fiche.indicator_set.all()}
        assert set(new) == set(old)
        for number, indicator in new.items():
            before = old[number]
            assert (indicator.name, indicator.unit, indicator.direction) == (
                before.name,
                before.unit,
                before.direction,
            )
            measured = before.years.exclude(actual=None).order_by("-year").first()
            assert measured is not None  # every demo indicator was measured at least once
            assert (indicator.baseline_year, indicator.baseline_value) == (
                measured.year,
                measured.actual,
            )
            # The targets are the new contract's to set.
            assert not indicator.years.exists()
            assert indicator.versions.count() == 1
    assert Indicator.objects.filter(contract=successor).exists()


def test_the_last_years_lines_are_the_starting_plan(set_aside, cdaje):
    contract = set_aside
    successor = contract_renew(contract=contract, by=cdaje)
    last = BudgetLine.objects.filter(contract=contract, year=2017)
    for year in successor.years:
        lines = BudgetLine.objects.filter(contract=successor, year=year)
        assert sorted((line.post.code, line.fiche.continues_id, line.amount) for line in lines) == (
            sorted((line.post.code, line.fiche_id, line.amount) for line in last)
        )
        assert all(line.continued for line in lines)
        assert sum(line.amount for line in lines) == D("198000.00")
        for line in lines:
            shares = sum(c.amount for c in line.contributions.all())
            assert shares == line.amount - line.other_receipts
    # The annex convention in force in 2017 goes on over 2018–2021, unsigned.
    [annex] = AnnexConvention.objects.filter(contract=successor)
    assert (annex.start_year, annex.end_year, annex.signed_on) == (2018, 2021, None)

    def terms(c):
        return sorted(
            FundingTerms.objects.filter(contract=c).values_list(
                "instrument", "funder_id", "share", "rate_new", "rate_continued", "ceiling"
            )
        )

    assert terms(successor) == terms(contract)
    schedules = PaymentSchedule.objects.filter(contract=successor)
    assert sorted(s.advances.count() for s in schedules) == sorted(
        s.advances.count() for s in PaymentSchedule.objects.filter(contract=contract)
    )


def test_a_fiche_ending_leaves_its_lines_behind(set_aside, cdaje):
    contract = set_aside
    evaluation = FinalEvaluation.objects.get(contract=contract)
    coordination = Fiche.objects.get(contract=contract, number=12)
    evaluation.fiches.update_or_create(
        fiche=coordination, defaults={"recommendation": Recommendation.END}
    )
    successor = contract_renew(contract=contract, by=cdaje)
    assert not Fiche.objects.filter(contract=successor, continues=coordination).exists()
    assert not BudgetLine.objects.filter(contract=successor, post__code="coordination").exists()


def test_only_the_coordination_renews_and_only_once(set_aside, demo_user, cdaje):
    contract = set_aside
    for username in ("finance", "partner-caf"):
        allowed, reason = can_renew(demo_user(username), contract)
        assert not allowed and reason
        with pytest.raises(PermissionDenied):
            contract_renew(contract=contract, by=demo_user(username))
    contract_renew(contract=contract, by=cdaje)
    allowed, reason = can_renew(cdaje, contract)
    assert not allowed
    assert "Le contrat suivant est déjà en préparation" in reason
    with pytest.raises(PermissionDenied):
        contract_renew(contract=contract, by=cdaje)


def test_a_contract_in_preparation_has_no_successor_yet(demo, cdaje):
    successor = Contract.objects.get(slug=NEXT_SLUG)
    allowed, reason = can_renew(cdaje, successor)
    assert not allowed
    assert "Seul un contrat signé" in reason


def test_the_button_creates_the_successor_and_opens_it(client, set_aside, cdaje):
    client.force_login(cdaje)
    dashboard = client.get(f"/contracts/{set_aside.slug}/")
    assert "Préparer le contrat suivant" in dashboard.content.decode()
    response = client.post(f"/contracts/{set_aside.slug}/renew/")
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{NEXT_SLUG}/"
    page = client.get(response["Location"]).content.decode()
    assert "Contrat enfance jeunesse départemental de la Loire 2014–2017" in page
    assert "Diagnostic de départ" in page
    # The predecessor's dashboard names its successor, its button gone.
    again = client.get(f"/contracts/{set_aside.slug}/").content.decode()
    assert "Contrat enfance jeunesse départemental de la Loire 2018–2021" in again
    assert "Préparer le contrat suivant" not in again
    assert client.post(f"/contracts/{set_aside.slug}/renew/").status_code == 403
