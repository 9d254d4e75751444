"""A signed contract's indicator targets change only through an avenant: proposed on the
avenant (its page lists the indicators), shown against the targets as signed on its page and
in its act, applied at its last signature through the fiches' service (the version names the
avenant), kept as the avenant found them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej.models import AmendmentStatus
from fiches.indicator_services import targets_of
from fiches.models import Indicator
from pilotage import signing
from pilotage.amendment_documents import amendment_act_context
from pilotage.amendment_indicators import amendment_indicator_propose
from pilotage.amendment_selectors import amendment_page
from pilotage.amendments import amendment_change_cancel, amendment_record_opinion
from pilotage.models import AmendmentIndicatorChange
from tests.pdftools import pdf_text
from tests.pilotage.avenant_steps import OPINION_ON, approve, demo_avenant, sign_all_but

pytestmark = pytest.mark.django_db

AVENANT = "/contracts/cej-loire-2014-2017/avenants/2/"


@pytest.fixture
def cdaje(demo_user):
    return demo_user("cdaje")


@pytest.fixture
def avenant(demo_contract):
    return demo_avenant(demo_contract)


@pytest.fixture
def urgent(demo_contract):
    """Fiche 3's delay of answer to urgent requests: 2017 target 5 days as signed."""
    return Indicator.objects.get(contract=demo_contract, fiche__number=3, number=2)


def propose(avenant, indicator, by, **targets):
    return amendment_indicator_propose(
        amendment=avenant,
        indicator=indicator,
        targets={int(y[1:]): None if v is None else Decimal(v) for y, v in targets.items()},
        by=by,
    )


def test_a_proposal_leaves_the_signed_targets_as_they_are(avenant, urgent, cdaje):
    change = propose(avenant, urgent, cdaje, y2016="6", y2017="4")
    assert change.proposed == {"targets": {"2017": "4.00"}}  # 2016 unchanged: not proposed
    assert targets_of(urgent)[2017] == Decimal("5.00")
    view = amendment_page(avenant).indicator_changes[0]
    assert (view.fiche_number, view.number) == (3, 2)
    assert [(r.year, r.before, r.after) for r in view.changed_rows] == [(2017, "5", "4")]


def test_a_proposal_that_changes_nothing_or_by_someone_else_is_refused(
    avenant, urgent, cdaje, demo_user
):
    with pytest.raises(ValidationError) as error:
        propose(avenant, urgent, cdaje, y2017="5")
    assert "Rien n'a changé dans les cibles" in error.value.messages[0]
    for username in ("finance", "partner-caf"):
        with pytest.raises(PermissionDenied):
            propose(avenant, urgent, demo_user(username), y2017="4")
    assert not AmendmentIndicatorChange.objects.exists()


def test_a_target_change_is_a_change_of_the_avenant(avenant, urgent, cdaje):
    amendment_change_cancel(change=avenant.fiche_changes.get(), by=cdaje)
    assert not amendment_page(avenant).has_changes
    propose(avenant, urgent, cdaje, y2017="4")
    amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.APPROVAL
    with pytest.raises(PermissionDenied):  # fixed once the CDAJE has given its opinion
        propose(avenant, urgent, cdaje, y2017="3")


def test_the_last_signature_applies_the_targets_and_keeps_what_it_found(
    avenant, urgent, cdaje, monkeypatch
):
    monkeypatch.setattr(signing, "amendment_seal", lambda amendment, by=None: None)
    propose(avenant, urgent, cdaje, y2017="4", y2015=None)
    approve(avenant, cdaje)
    sign_all_but(avenant, cdaje, 1)
    assert targets_of(urgent)[2017] == Decimal("5.00")  # not before the last signature
    sign_all_but(avenant, cdaje, 0)
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.SIGNED
    stored = Indicator.objects.get(pk=urgent.pk)
    assert targets_of(stored) == {
        2014: Decimal("10.00"),
        2015: None,
        2016: Decimal("6.00"),
        2017: Decimal("4.00"),
    }
    latest = stored.versions.order_by("-number").first()
    assert latest.action == "Avenant n° 2" and latest.amendment_id == avenant.pk
    change = avenant.indicator_changes.get()
    assert change.before["targets"]["2017"] == "5.00"
    # The signed avenant's page reads what it found, not the targets it set.
    rows = amendment_page(avenant).indicator_changes[0].changed_rows
    assert [(r.year, r.before, r.after) for r in rows] == [(2015, "8", "—"), (2017, "5", "4")]
    act = amendment_act_context(avenant)
    article = next(a for a in act["articles"] if a["indicators"])
    assert article["title"] == "Indicateurs d'évaluation"


def test_the_avenant_page_offers_the_indicators_and_its_act_prints_the_targets(
    client, demo, avenant, urgent, cdaje
):
    client.force_login(cdaje)
    page = client.get(AVENANT).content.decode()
    assert "Cibles des indicateurs d’évaluation" in page
    edit = f"{AVENANT}indicators/{urgent.pk}/edit/"
    assert edit in page
    response = client.post(
        edit, {"target_2014": "10", "target_2015": "8", "target_2016": "6", "target_2017": "3,5"}
    )
    assert response.status_code == 302
    page = client.get(AVENANT).content.decode()
    assert "Délai moyen de réponse aux demandes d&#x27;urgence" in page
    assert "<del>5</del>" in page and "<ins>3,5</ins>" in page
    pdf = client.get(f"{AVENANT}avenant.pdf")
    text = " ".join(
        pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content).split()
    )
    assert "Indicateurs d'évaluation" in text or "Indicateurs d’évaluation" in text
    assert "Délai moyen de réponse aux demandes d" in text
    assert "Avant l’avenant" in text and "Après l’avenant" in text
    assert "2017 5 3,5" in text  # the year, its target before and after


def test_others_cannot_open_the_targets_form(client, demo, urgent, demo_user):
    for username, status in (("finance", 403), ("partner-caf", 403)):
        client.force_login(demo_user(username))
        assert client.get(f"{AVENANT}indicators/{urgent.pk}/edit/").status_code == status
    client.force_login(demo_user("cdaje"))
    assert client.get(f"{AVENANT}indicators/999999/edit/").status_code == 404
