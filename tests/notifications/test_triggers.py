"""Who each service tells, and how: a fiche submitted, given the CDAJE's opinion or sent
back; an annual review submitted, adopted or returned; an avenant opened and signed. Exactly
the right people — never the one who acted, never anyone of another territory."""

import datetime

import pytest

from cej import roles
from cej.models import Contract
from fiches.models import Fiche
from fiches.services import fiche_transition, fiche_update
from notifications.models import Kind, Notification
from pilotage import signing
from pilotage.amendments import amendment_abandon, amendment_open
from reviews.models import AnnualReview
from reviews.services import review_adopt, review_return, review_submit
from tests.factories import TerritoryFactory, UserFactory
from tests.pilotage.avenant_steps import approve, demo_avenant, free_2017, sign_all_but

pytestmark = pytest.mark.django_db
NEXT_SLUG = "cej-loire-2018-2021"


@pytest.fixture
def people(demo_contract, demo_user):
    """The demo's accounts, a second coordinator and a CDAJE writer of the Loire, and a
    coordinator of another territory."""
    loire = demo_contract.territory
    users = {name: demo_user(name) for name in ("cdaje", "finance", "admin")}
    users.update({name: demo_user(f"partner-{name}") for name in ("cg", "caf", "msa")})
    users["coordinator"] = UserFactory(
        username="coordination-2", email="coord@example.org", cdaje=True, territory=loire
    )
    users["writer"] = UserFactory(
        username="redactrice", email="redac@example.org", cdaje_writer=True, territory=loire
    )
    users["rhone"] = UserFactory(
        username="coord-rhone", cdaje=True, territory=TerritoryFactory(code="69", name="Rhône")
    )
    return users


def told(kind) -> dict:
    """{recipient username: notification} of `kind`."""
    return {
        n.recipient.username: n
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def names(people, *keys) -> set:
    return {people[key].username for key in keys}


def _fiche(number=2) -> Fiche:
    return Fiche.objects.select_related("contract", "lead_partner").get(
        contract__slug=NEXT_SLUG, number=number
    )


def _lead_members(fiche) -> set:
    return set(fiche.lead_partner.members.values_list("username", flat=True))


def test_a_fiche_submitted_tells_the_territorys_coordination(people):
    fiche = _fiche()
    Notification.objects.all().delete()
    fiche_transition(fiche=fiche, name="submit", by=people["writer"])

    notifications = told(Kind.FICHE_SUBMITTED)
    assert set(notifications) == names(people, "cdaje", "coordinator")
    notification = notifications["cdaje"]
    assert notification.title == f"Fiche 2 « {fiche.title} » soumise à la CDAJE"
    assert notification.url == f"/contracts/{NEXT_SLUG}/fiches/2/"
    assert notification.contract == fiche.contract
    assert notification.actor == people["writer"]
    assert Notification.objects.count() == 2  # nobody else, of no other kind


def test_the_opinion_and_the_return_tell_the_authors_and_the_lead_partner(people):
    fiche = _fiche()
    fiche = fiche_update(
        fiche=fiche,
        changes={"title": f"{fiche.title} (relue)"},
        associated_partners=list(fiche.associated_partners.all()),
        aims=list(fiche.aims.all()),
        expected_version=fiche.version,
        by=people["writer"],
    )
    fiche = fiche_transition(fiche=fiche, name="submit", by=people["writer"])
    lead = _lead_members(fiche)
    assert lead and lead < names(people, "cg", "caf", "msa")
    Notification.objects.all().delete()

    fiche = fiche_transition(
        fiche=fiche, name="validate", by=people["cdaje"], plenary_date=datetime.date(2017, 12, 12)
    )
    notifications = told(Kind.OPINION_RECORDED)
    # The writer revised it; the demo made it by renewal, in nobody's name.
    assert set(notifications) == names(people, "writer") | lead
    assert notifications["redactrice"].title == (
        f"Avis favorable de la CDAJE sur la fiche 2 « {fiche.title} »"
    )
    assert notifications["redactrice"].url == f"/contracts/{NEXT_SLUG}/fiches/2/"

    fiche_transition(fiche=fiche, name="reopen", by=people["coordinator"])
    returned = told(Kind.FICHE_RETURNED)
    # The CDAJE agent saved a version too (the opinion): an author now.
    assert set(returned) == names(people, "writer", "cdaje") | lead
    assert returned["cdaje"].title == f"Fiche 2 « {fiche.title} » rouverte pour révision"
    assert Notification.objects.count() == len(notifications) + len(returned)


def test_a_fiche_sent_back_to_draft_tells_its_authors(people):
    fiche = fiche_transition(fiche=_fiche(), name="submit", by=people["writer"])
    Notification.objects.all().delete()
    fiche_transition(fiche=fiche, name="return_to_draft", by=people["coordinator"])
    returned = told(Kind.FICHE_RETURNED)
    assert set(returned) == names(people, "writer") | _lead_members(fiche)
    assert "renvoyée en brouillon" in returned["redactrice"].title


def test_a_withdrawal_tells_nobody(people):
    Notification.objects.all().delete()
    fiche_transition(fiche=_fiche(), name="withdraw", by=people["writer"])
    assert not Notification.objects.exists()


def _review(contract) -> AnnualReview:
    return AnnualReview.objects.get(contract=contract, year=2017)


def test_a_review_submitted_returned_and_adopted(people, demo_contract, monkeypatch):
    Notification.objects.all().delete()
    review = review_submit(review=_review(demo_contract), by=people["writer"])
    submitted = told(Kind.REVIEW_SUBMITTED)
    assert set(submitted) == names(people, "cdaje", "coordinator")
    assert submitted["cdaje"].title == "Bilan annuel 2017 soumis à la CDAJE"
    assert submitted["cdaje"].url == f"/contracts/{demo_contract.slug}/reviews/2017/"

    review_return(review=review, by=people["coordinator"])
    returned = told(Kind.FICHE_RETURNED)
    # Its authors: the writer who submitted it (the demo wrote it in nobody's name); not
    # the coordinator, who acted.
    assert set(returned) == names(people, "writer")
    assert returned["redactrice"].title == "Bilan annuel 2017 renvoyé en préparation par la CDAJE"

    review = review_submit(review=_review(demo_contract), by=people["writer"])
    Notification.objects.all().delete()
    # The PDF's rendering and sealing have their own tests (tests/reviews).
    monkeypatch.setattr("reviews.services._store_document", lambda review, by: None)
    review_adopt(
        review=review,
        opinion="Avis favorable.",
        opinion_on=datetime.date(2018, 3, 13),
        by=people["coordinator"],
    )
    adopted = told(Kind.OPINION_RECORDED)
    assert set(adopted) == names(people, "writer", "cg", "caf", "msa")
    assert adopted["partner-caf"].title == "Bilan annuel 2017 adopté sur l'avis de la CDAJE"
    assert Notification.objects.count() == len(adopted)


def test_an_avenant_opened_tells_the_parties_and_the_cdaje_staff(people, demo_contract):
    amendment_abandon(amendment=demo_avenant(demo_contract), reason="Reporté.", by=people["cdaje"])
    Notification.objects.all().delete()
    avenant = amendment_open(contract=demo_contract, title="Horaires atypiques", by=people["cdaje"])

    opened = told(Kind.AMENDMENT_OPENED)
    assert set(opened) == names(people, "cg", "caf", "msa", "coordinator", "writer")
    assert (
        opened["partner-cg"].title == f"Avenant n° {avenant.number} « Horaires atypiques » ouvert"
    )
    assert opened["partner-cg"].url == (
        f"/contracts/{demo_contract.slug}/avenants/{avenant.number}/"
    )
    assert Notification.objects.count() == 5


def test_an_avenant_signed_by_its_last_signature_tells_them_once(
    people, demo_contract, monkeypatch
):
    monkeypatch.setattr(signing, "amendment_seal", lambda amendment, by=None: None)
    free_2017(demo_contract)
    avenant = approve(demo_avenant(demo_contract), people["cdaje"])
    Notification.objects.all().delete()
    sign_all_but(avenant, people["cdaje"], 0)

    signed = told(Kind.AMENDMENT_SIGNED)
    assert set(signed) == names(people, "cg", "caf", "msa", "coordinator", "writer")
    assert signed["partner-msa"].title == f"Avenant n° 2 « {avenant.title} » signé"
    assert Notification.objects.count() == 5


def test_nobody_of_another_contract_hears_of_it(people):
    Notification.objects.all().delete()
    fiche_transition(fiche=_fiche(), name="submit", by=people["writer"])
    assert not Notification.objects.filter(recipient=people["rhone"]).exists()
    assert not Notification.objects.exclude(contract=Contract.objects.get(slug=NEXT_SLUG)).exists()


def test_those_who_chose_never_are_not_told(people):
    from notifications.services import preferences_save

    preferences_save(user=people["coordinator"], deliveries={Kind.FICHE_SUBMITTED: "none"})
    Notification.objects.all().delete()
    fiche_transition(fiche=_fiche(), name="submit", by=people["writer"])
    assert set(told(Kind.FICHE_SUBMITTED)) == names(people, "cdaje")


def test_roles_of_the_fixture(people):
    assert people["coordinator"].groups.filter(name=roles.CDAJE_COORDINATOR).exists()
