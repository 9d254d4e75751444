"""The plenary pack (*dossier de séance*): its agenda (what was submitted to the CDAJE since
the previous plenary and awaits its opinion), each item's changes since the last opinion and
its open shared comments, on screen and in the PDF read back as text; never a CDAJE-only
comment, never a contract the reader does not see; its queries do not grow with the data."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from agenda.models import Plenary
from agenda.plenary_pack import plenary_pack
from cej.models import Amendment, Contract
from comments.models import Comment, TargetKind, Visibility
from fiches.models import Fiche, FicheVersion
from fiches.services import fiche_create, fiche_transition, fiche_update
from reviews import services as review_services
from reviews.models import AnnualReview
from tests.pdftools import pdf_text

pytestmark = pytest.mark.django_db

NEXT_SLUG = "cej-loire-2018-2021"
ADDED = "Vingt-quatre places nouvelles en zone rurale."


def at_plenary(territory, day, place=""):
    plenary, _created = Plenary.objects.get_or_create(
        territory=territory, held_on=day, defaults={"place": place}
    )
    return plenary


@pytest.fixture
def successor(demo):
    return Contract.objects.select_related("territory").get(slug=NEXT_SLUG)


@pytest.fixture
def plenaries(successor):
    """The last plenary, three weeks ago, and the next one, in ten days."""
    today = timezone.localdate()
    return (
        at_plenary(successor.territory, today - datetime.timedelta(days=20)),
        at_plenary(successor.territory, today + datetime.timedelta(days=10), "Saint-Étienne"),
    )


def submit(fiche, user, *, findings=ADDED):
    """The fiche revised then submitted to the CDAJE, as the CDAJE agent does."""
    fiche = fiche_update(
        fiche=fiche,
        changes={"findings": f"<p>{findings}</p>"},
        associated_partners=fiche.associated_partners.all(),
        aims=fiche.aims.all(),
        expected_version=fiche.version,
        by=user,
    )
    return fiche_transition(fiche=fiche, name="submit", by=user)


def comment(fiche, author, body, **fields):
    return Comment.objects.create(
        contract_id=fiche.contract_id,
        target_kind=TargetKind.FICHE,
        target_id=fiche.pk,
        author=author,
        body=body,
        **fields,
    )


@pytest.fixture
def submitted(successor, plenaries, demo_user):
    """Fiche n° 1 of the contract in preparation, revised and submitted, with a shared thread
    and its reply, a CDAJE-only thread and a resolved one."""
    cdaje, partner = demo_user("cdaje"), demo_user("partner-caf")
    fiche = submit(Fiche.objects.get(contract=successor, number=1), cdaje)
    # The demo's own discussion of this fiche set aside: the test reads exactly its threads.
    Comment.objects.filter(target_kind=TargetKind.FICHE, target_id=fiche.pk).delete()
    thread = comment(
        fiche,
        partner,
        "<p>Préciser les communes concernées.</p>",
        anchor="field:findings",
        anchor_label="Constat",
    )
    comment(fiche, cdaje, "<p>Liste ajoutée en annexe.</p>", parent=thread)
    comment(fiche, cdaje, "<p>Note interne : budget serré.</p>", visibility=Visibility.STAFF)
    comment(fiche, partner, "<p>Question réglée.</p>", resolved_at=timezone.now())
    return fiche


def test_the_pack_lists_the_submitted_fiche_with_its_changes_and_shared_comments(
    submitted, plenaries, demo_user
):
    pack = plenary_pack(plenary=plenaries[1], user=demo_user("cdaje"))
    assert [(item.kind, item.target_id) for item in pack.items] == [("fiche", submitted.pk)]
    item = pack.items[0]
    assert item.number == 1 and item.heading.startswith("Fiche n° 1 — ")
    assert pack.previous == plenaries[0]
    # A successor's fiche is compared with the one it continues, as the CDAJE approved it.
    assert "prolonge" in item.since
    changed = {change.label: change for change in item.changes}
    assert set(changed) == {"Constat"}
    assert "<ins>" in changed["Constat"].after and "Vingt-quatre" in changed["Constat"].after
    assert [[c.body for c in t.comments] for t in item.threads] == [
        ["<p>Préciser les communes concernées.</p>", "<p>Liste ajoutée en annexe.</p>"]
    ]


def test_the_pdf_reads_the_agenda_the_changes_and_only_the_shared_open_comments(
    client, submitted, plenaries, demo_user
):
    for username in ("cdaje", "partner-caf"):
        client.force_login(demo_user(username))
        response = client.get(f"/plenaries/{plenaries[1].pk}/pack.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(pdf_text(response.content).split())
        assert text.startswith("COMMISSION DÉPARTEMENTALE"), "the cover first, no blank page"
        day = plenaries[1].held_on
        assert "Dossier de séance" in text
        assert f"Séance plénière du {'1er' if day.day == 1 else day.day}" in text
        assert "Saint-Étienne" in text
        assert "Ordre du jour" in text
        assert f"1. Fiche n° 1 — {submitted.title}"[:40] in text
        assert "Vingt-quatre places" in text  # the new text, in the diff's « after » column
        assert "Préciser les communes concernées." in text
        assert "Liste ajoutée en annexe." in text
        assert "Note interne" not in text  # CDAJE-only: never in the pack, not even theirs
        assert "Question réglée" not in text  # resolved
        assert f"/contracts/{NEXT_SLUG}/fiches/1/" in text


def test_the_page_shows_the_agenda_a_download_button_and_the_choice_of_plenary(
    client, submitted, plenaries, demo_user
):
    client.force_login(demo_user("partner-caf"))
    response = client.get(f"/plenaries/{plenaries[1].pk}/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Télécharger le dossier de séance" in page
    assert f"/plenaries/{plenaries[1].pk}/pack.pdf" in page
    assert submitted.title in page and "Préciser les communes concernées." in page
    assert "Note interne" not in page
    assert f'<option value="{plenaries[0].pk}"' in page
    chosen = client.get(f"/plenaries/{plenaries[1].pk}/", {"seance": plenaries[0].pk})
    assert chosen.status_code == 302 and chosen["Location"] == f"/plenaries/{plenaries[0].pk}/"


def fiche_items(pack):
    return [item for item in pack.items if item.kind == TargetKind.FICHE]


def test_the_previous_plenary_does_not_list_what_came_after_it(submitted, plenaries, demo_user):
    assert fiche_items(plenary_pack(plenary=plenaries[0], user=demo_user("cdaje"))) == []


def test_submitted_before_the_previous_plenary_is_not_on_the_agenda(
    submitted, plenaries, demo_user
):
    earlier = timezone.now() - datetime.timedelta(days=30)
    FicheVersion.objects.filter(fiche=submitted).update(created_at=earlier)
    assert plenary_pack(plenary=plenaries[1], user=demo_user("cdaje")).items == []


def test_a_past_plenary_lists_what_awaited_then_even_once_given_its_opinion(
    successor, submitted, plenaries, demo_user
):
    """As of the plenary's day: the opinion recorded on the day after it does not take the
    fiche off that plenary's agenda."""
    cdaje = demo_user("cdaje")
    past = at_plenary(successor.territory, timezone.localdate() - datetime.timedelta(days=2))
    FicheVersion.objects.filter(fiche=submitted).update(
        created_at=timezone.now() - datetime.timedelta(days=5)
    )
    fiche_transition(fiche=submitted, name="validate", by=cdaje, plenary_date=past.held_on)
    assert [i.target_id for i in plenary_pack(plenary=past, user=cdaje).items] == [submitted.pk]
    # … and the next plenary does not list it again.
    assert plenary_pack(plenary=plenaries[1], user=cdaje).items == []


def test_a_fiche_revised_after_its_opinion_shows_what_changed_since(
    successor, plenaries, demo_user
):
    cdaje = demo_user("cdaje")
    fiche = Fiche.objects.get(contract=successor, number=2)
    fiche = submit(fiche, cdaje, findings="Premier texte.")
    opinion_day = timezone.localdate() - datetime.timedelta(days=25)
    fiche = fiche_transition(fiche=fiche, name="validate", by=cdaje, plenary_date=opinion_day)
    FicheVersion.objects.filter(fiche=fiche).update(
        created_at=timezone.now() - datetime.timedelta(days=25)
    )
    fiche = fiche_transition(fiche=fiche, name="reopen", by=cdaje)
    submit(fiche, cdaje, findings="Premier texte révisé.")
    [item] = plenary_pack(plenary=plenaries[1], user=cdaje).items
    assert "depuis l'avis de la CDAJE du" in item.since
    assert [c.label for c in item.changes] == ["Constat"]
    assert "révisé.</ins>" in item.changes[0].after
    assert "<del>" in item.changes[0].before


def test_a_submitted_review_and_an_open_avenant_are_on_the_agenda(
    demo_contract, plenaries, demo_user
):
    cdaje = demo_user("cdaje")
    review = AnnualReview.objects.get(contract=demo_contract, year=2017)
    review_services.review_submit(review=review, by=cdaje)
    amendment = Amendment.objects.get(contract=demo_contract, number=2)
    Amendment.objects.filter(pk=amendment.pk).update(opened_at=timezone.now())
    pack = plenary_pack(plenary=plenaries[1], user=cdaje)
    by_kind = {item.kind: item for item in pack.items if item.contract == demo_contract}
    assert set(by_kind) == {"amendment", "review"}
    assert by_kind["review"].since == "Comparé au bilan 2016."
    assert by_kind["review"].review_rows, "each fiche's state, now and in 2016"
    assert by_kind["amendment"].amendment.amendment == amendment
    assert by_kind["amendment"].heading.startswith("Avenant n° 2 — ")


def test_a_partner_sees_only_the_contracts_it_is_party_to(
    client, submitted, plenaries, demo_user, successor
):
    """A Loire partner no longer party to the next contract still reads the Loire's
    plenaries (it is party to the signed one) but not that contract's items or comments."""
    partner = demo_user("partner-caf")
    client.force_login(partner)
    assert [i.target_id for i in plenary_pack(plenary=plenaries[1], user=partner).items] == [
        submitted.pk
    ]
    successor.parties.filter(partner__members=partner).delete()
    pack = plenary_pack(plenary=plenaries[1], user=partner)
    assert pack.items == [] and successor not in pack.contracts
    response = client.get(f"/plenaries/{plenaries[1].pk}/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Rien n’a été soumis à la CDAJE pour cette séance" in page
    assert submitted.title not in page and "Préciser les communes" not in page


def test_a_new_fiche_is_printed_whole(successor, plenaries, demo_user):
    cdaje = demo_user("cdaje")
    fiche = fiche_create(
        contract=successor,
        changes={
            "objective": successor.objectives.order_by("number").first(),
            "title": "Relais petite enfance itinérant",
            "findings": "<p>Des communes sans relais.</p>",
        },
        associated_partners=[],
        aims=[],
        by=cdaje,
    )
    fiche_transition(fiche=fiche, name="submit", by=cdaje)
    [item] = fiche_items(plenary_pack(plenary=plenaries[1], user=cdaje))
    assert item.since.startswith("Fiche nouvelle, sans avis antérieur")
    changed = {change.label: change for change in item.changes}
    assert "<ins>Relais petite enfance itinérant</ins>" in changed["Intitulé"].after
    assert "<ins>Des communes sans relais.</ins>" in changed["Constat"].after


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.mark.parametrize("url", ["/plenaries/{pk}/", "/plenaries/{pk}/pack.pdf"])
def test_a_plenary_of_another_territory_does_not_exist(client, plenaries, demo_user, url, caplog):
    """Answered as a plenary that never existed, and logged as out of scope."""
    from django.contrib.auth import get_user_model

    from cej.models import Territory

    other = Territory.objects.create(name="Hautes-Alpes", code="05")
    agent = get_user_model().objects.create_user("agent-05")
    other.staff.add(agent)
    client.force_login(agent)
    refused_url = url.format(pk=plenaries[1].pk)
    missing_url = url.format(pk=Plenary.objects.order_by("-pk").first().pk + 1)
    with caplog.at_level("INFO", logger="cej.security"):
        refused = client.get(refused_url)
    missing = client.get(missing_url)
    assert refused.status_code == missing.status_code == 404

    def page(response, address):  # the language form repeats the address asked for
        return CSRF.sub(b"", response.content).replace(address.encode(), b"")

    assert page(refused, refused_url) == page(missing, missing_url)
    logged = [r.security for r in caplog.records if hasattr(r, "security")]
    assert {"event": "out_of_scope", "plenary": plenaries[1].pk}.items() <= logged[-1].items()


def test_a_review_and_an_avenant_read_in_the_page_and_the_pdf(
    client, demo_contract, plenaries, demo_user
):
    cdaje = demo_user("cdaje")
    review = AnnualReview.objects.get(contract=demo_contract, year=2017)
    review_services.review_submit(review=review, by=cdaje)
    Amendment.objects.filter(contract=demo_contract, number=2).update(opened_at=timezone.now())
    client.force_login(cdaje)
    page = html.unescape(client.get(f"/plenaries/{plenaries[1].pk}/").content.decode())
    assert "Bilan annuel 2017" in page and "Comparé au bilan 2016." in page
    assert "Avenant n° 2 — " in page
    text = " ".join(pdf_text(client.get(f"/plenaries/{plenaries[1].pk}/pack.pdf").content).split())
    assert "Bilan annuel 2017" in text and "État des actions, fiche par fiche" in text
    assert "Avenant n° 2 — " in text
    assert f"/contracts/{demo_contract.slug}/reviews/2017/" in text


def test_a_review_sent_back_then_submitted_again_shows_what_changed_since(
    demo_contract, plenaries, demo_user
):
    cdaje = demo_user("cdaje")
    review = AnnualReview.objects.get(contract=demo_contract, year=2017)
    review = review_services.review_submit(review=review, by=cdaje)
    review = review_services.review_return(review=review, by=cdaje)
    review = review_services.review_update(
        review=review,
        summary="Synthèse reprise après le renvoi.",
        fiche_states={},
        expected_version=review.version,
        by=cdaje,
    )
    review_services.review_submit(review=review, by=cdaje)
    [item] = [i for i in plenary_pack(plenary=plenaries[1], user=cdaje).items if i.kind == "review"]
    assert item.since.startswith("Modifications depuis son renvoi en préparation le ")
    assert [c.label for c in item.changes] == ["Synthèse de l'année"]
    assert "reprise après le renvoi." in item.changes[0].after


def test_an_adopted_review_is_on_the_agenda_of_the_plenary_that_gave_its_opinion(
    demo_contract, demo_user
):
    """The demo's 2016 review, submitted a month before the plenary that adopted it: on that
    plenary's agenda, compared with the 2015 review; not on the next plenary's."""
    cdaje = demo_user("cdaje")
    review = AnnualReview.objects.get(contract=demo_contract, year=2016)
    territory = demo_contract.territory
    plenary = at_plenary(territory, review.opinion_on)
    later = at_plenary(territory, review.opinion_on + datetime.timedelta(days=60))
    items = [i for i in plenary_pack(plenary=plenary, user=cdaje).items if i.kind == "review"]
    assert [(i.heading, i.since) for i in items] == [
        ("Bilan annuel 2016", "Comparé au bilan 2015.")
    ]
    assert items[0].submitted_at == review.submitted_at
    assert not [i for i in plenary_pack(plenary=later, user=cdaje).items if i.kind == "review"]
