"""Working together on the next contract, as its people would: the CAF's user comments on a
fiche and mentions the CDAJE agent; the agent sees the notification in the header, follows it
to the comment, replies and resolves the thread; the fiche is submitted, the coordination
schedules the next plenary, and its agenda and pack (*dossier de séance*) list the fiche."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, TargetKind
from fiches.models import Fiche
from notifications.models import Kind, Notification
from tests.browser.conftest import SEVERE_IMPACTS, axe_violations, format_violations, login
from tests.pdftools import pdf_text

SUCCESSOR = "cej-loire-2018-2021"
QUESTION = "@cdaje pouvez-vous préciser les communes rurales visées par cette fiche ?"
ANSWER = "Les communes de moins de 2 000 habitants du Roannais et du Forez."


def test_a_partner_mentions_the_agent_who_replies_resolves_and_finds_the_fiche_on_the_agenda(
    new_page, loire
):
    fiche = Fiche.objects.get(contract__slug=SUCCESSOR, number=2)
    fiche_path = f"/contracts/{SUCCESSOR}/fiches/{fiche.number}/"
    # What the demo's own discussion left unread is read: the count below is this test's.
    Notification.objects.filter(recipient__username="cdaje").update(read_at=timezone.now())

    partner = new_page()
    login(partner, "partner-caf")
    partner.goto(fiche_path)
    comment_form = partner.locator("form.comment-form")
    comment_form.get_by_label("À propos de").select_option(label="Constat")
    comment_form.get_by_label("Commentaire").fill(QUESTION)
    # A partner's comment is shared with the contract's partners: no CDAJE-only choice.
    expect(comment_form.get_by_label("Lu par").locator("option")).to_have_text(
        ["Partagé avec les partenaires du contrat"]
    )
    comment_form.get_by_role("button", name="Publier").click()
    thread = partner.locator(".comment-thread").filter(has_text="préciser les communes rurales")
    expect(thread).to_be_visible()
    expect(thread).to_contain_text("À propos de : Constat")

    agent = new_page()
    login(agent, "cdaje")
    agent.goto("/contracts/")
    header_link = agent.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(header_link).to_contain_text("1")
    header_link.click()
    expect(agent.get_by_role("heading", name="Mes notifications")).to_be_visible()
    violations = [v for v in axe_violations(agent) if v["impact"] in SEVERE_IMPACTS]
    assert not violations, format_violations("the notifications page", violations)
    agent.get_by_role("link", name=re.compile("vous a mentionné")).first.click()
    expect(agent).to_have_url(re.compile(rf"{fiche_path}#comment-\d+$"))
    # Opened: read, so the header counts nothing any more.
    expect(agent.get_by_role("link", name=re.compile(r"^Notifications"))).not_to_contain_text("1")

    thread = agent.locator(".comment-thread").filter(has_text="préciser les communes rurales")
    thread.get_by_label("Répondre").fill(ANSWER)
    thread.get_by_role("button", name="Répondre").click()
    thread = agent.locator(".comment-thread").filter(has_text="préciser les communes rurales")
    expect(thread).to_contain_text(ANSWER)
    violations = [v for v in axe_violations(agent) if v["impact"] in SEVERE_IMPACTS]
    assert not violations, format_violations("the fiche page with its comments", violations)
    thread.get_by_role("button", name="Marquer comme résolu").click()
    thread = agent.locator(".comment-thread").filter(has_text="préciser les communes rurales")
    expect(thread).to_contain_text("Résolu par")

    root = Comment.objects.get(
        target_kind=TargetKind.FICHE, target_id=fiche.pk, body__contains="communes rurales"
    )
    assert root.resolved_by.username == "cdaje"
    (reply,) = root.replies.all()
    assert reply.body == f"<p>{ANSWER}</p>"
    # The reply tells the partner who asked, with a link to it.
    assert Notification.objects.filter(
        recipient__username="partner-caf", kind=Kind.REPLY, url=f"{fiche_path}#comment-{reply.pk}"
    ).exists()

    # The fiche goes to the CDAJE; the coordination schedules the next plenary.
    agent.goto(fiche_path)
    agent.get_by_role("button", name="Soumettre à la CDAJE").click()
    expect(agent.locator(".messages")).to_contain_text("soumise")
    held_on = timezone.localdate() + datetime.timedelta(days=20)
    agent.goto(f"/contracts/{SUCCESSOR}/calendar/")
    plenary_form = agent.locator("form", has_text="Ajouter une séance plénière")
    plenary_form.get_by_label("Date de la séance").fill(held_on.isoformat())
    plenary_form.get_by_label("Lieu").fill("Salle Jean Monnet, Saint-Étienne")
    plenary_form.get_by_role("button", name="Ajouter la séance").click()
    agent.get_by_role("link", name=re.compile("Salle Jean Monnet")).first.click()
    expect(agent.get_by_role("heading", name=re.compile("^Séance plénière du"))).to_be_visible()
    agenda = agent.locator("main")
    expect(agenda).to_contain_text(f"Fiche n° {fiche.number} — {fiche.title}")

    # The pack opens in the browser's PDF viewer: read it with the agent's session.
    pack_url = agent.get_by_role("link", name="Télécharger le dossier de séance").get_attribute(
        "href"
    )
    response = agent.context.request.get(pack_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Ordre du jour" in text
    assert f"Fiche n° {fiche.number}" in text
    # The pack carries the fiche's open shared thread (the demo's, on its findings), not the
    # one just resolved.
    assert "EPCI" in text
    assert "rurales visées" not in text and "habitants du Roannais" not in text
