"""The avenant pages: CDAJE staff prepare avenants there; the parties' users read them and
are refused every action with the reason; out of scope, nothing is there. A proposal saved
through a page leaves the signed contract as it is and shows as a word-by-word difference."""

import html
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cej.models import AmendmentStatus, AnnexConvention
from demo.loire import DEMO_SLUG
from fiches.models import Fiche
from fiches.services import snapshot_of
from financing.models import BudgetLine, BudgetPost
from partners.models import Signatory
from pilotage.amendments import (
    amendment_fiche_withdraw,
    amendment_line_propose,
    amendment_representative_change,
)
from tests.factories import PartnerFactory, TerritoryFactory, UserFactory
from tests.pilotage.avenant_steps import demo_avenant, free_2017

pytestmark = pytest.mark.django_db

BASE = f"/contracts/{DEMO_SLUG}/avenants"
CDAJE_ONLY = "Seule l'équipe CDAJE prépare les avenants."
BUDGET_ONLY = "Seuls l'équipe CDAJE et les agents financiers préparent le budget."
SIGNING_ONLY = "Seule l'équipe CDAJE prépare la signature et dépose les documents."
COORDINATION_ONLY = "Les avis de la CDAJE sont saisis par sa coordination."


def text_of(response) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(content))


def demo_line(contract, year, post) -> BudgetLine:
    return BudgetLine.objects.get(
        contract=contract, year=year, post__code=post, fiche__isnull=False
    )


def form_data(form) -> dict:
    """What the browser sends back for a form as the page filled it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    return data


def test_cdaje_staff_reach_every_avenant_page(client, demo_contract, demo_user):
    client.force_login(demo_user("cdaje"))
    line = demo_line(demo_contract, 2016, "coordination")
    for path in [
        "/",
        "/1/",
        "/2/",
        "/2/edit/",
        "/2/fiches/14/edit/",
        "/2/fiches/3/edit/",
        "/2/fiches/new/",
        "/2/lines/new/",
        f"/2/lines/{line.pk}/edit/",
        "/2/representatives/new/",
    ]:
        assert client.get(BASE + path).status_code == 200, path
    listing = text_of(client.get(BASE + "/"))
    assert "Prolongation de la convention annexe 2015–2017 et actions nouvelles" in listing
    assert "Ouvrir un avenant" not in listing  # n° 2 is open
    assert "L'avenant n° 2 est en cours" in listing
    # Avenant n° 1, signed: what it changed, the budget before and after it.
    signed = text_of(client.get(BASE + "/1/"))
    assert "Ce que l’avenant a modifié" in signed
    assert "Période : 2014 → 2014–2017" in signed
    assert "2015 158 000,00 € 198 000,00 € +40 000,00 € 198 000,00 € 0,00 €" in signed.replace(
        "\u202f", " "
    ).replace("\xa0", " ")
    assert "Enregistrer l’avis" not in signed and "Abandonner l’avenant" not in signed


@pytest.mark.parametrize("username", ["partner-cg", "partner-caf"])
def test_the_parties_read_avenants_but_cannot_act(client, demo_contract, demo_user, username):
    client.force_login(demo_user(username))
    avenant = demo_avenant(demo_contract)
    proposal = snapshot_of(Fiche.objects.get(contract=demo_contract, number=14))
    for path in ["/", "/1/", "/2/"]:
        response = client.get(BASE + path)
        assert response.status_code == 200, path
        # No form but the comments' (whoever sees the contract discusses its avenants).
        actions = re.findall(r'action="(/contracts/[^"]*)"', response.content.decode())
        assert all("/comments/" in action for action in actions), (path, actions)
    line = demo_line(demo_contract, 2016, "coordination")
    change = avenant.fiche_changes.get()
    refusals = [
        ("/new/", CDAJE_ONLY),
        ("/decisions/", SIGNING_ONLY),
        ("/2/edit/", CDAJE_ONLY),
        ("/2/fiches/14/edit/", CDAJE_ONLY),
        ("/2/fiches/new/", CDAJE_ONLY),
        ("/2/fiches/13/withdraw/", CDAJE_ONLY),
        (f"/2/changes/fiche/{change.pk}/cancel/", CDAJE_ONLY),
        ("/2/representatives/new/", CDAJE_ONLY),
        ("/2/opinion/", COORDINATION_ONLY),
        ("/2/reopen/", COORDINATION_ONLY),
        ("/2/decisions/", SIGNING_ONLY),
        ("/2/signatures/", SIGNING_ONLY),
        ("/2/abandon/", CDAJE_ONLY),
        ("/2/lines/new/", BUDGET_ONLY),
        (f"/2/lines/{line.pk}/edit/", BUDGET_ONLY),
        (f"/2/lines/{line.pk}/remove/", BUDGET_ONLY),
    ]
    for path, reason in refusals:
        response = client.post(BASE + path, {"title": "x", "reason": "x", "plenary_date": "x"})
        assert response.status_code == 403, path
        assert reason in text_of(response), path
    avenant.refresh_from_db()
    assert (avenant.status, avenant.title, avenant.fiche_changes.count()) == (
        AmendmentStatus.DRAFT,
        "Actualisation de l'information des familles (2016–2017)",
        1,
    )
    assert demo_contract.amendments.count() == 2
    assert snapshot_of(Fiche.objects.get(contract=demo_contract, number=14)) == proposal


def test_out_of_scope_the_avenants_are_not_there(client, demo_contract, demo_user):
    outsiders = [
        UserFactory(cdaje=True, territory=TerritoryFactory()),
        UserFactory(partner_user=True, partner=PartnerFactory()),
    ]
    for user in outsiders:
        client.force_login(user)
        for path in ["/", "/1/", "/2/", "/1/avenant.pdf", "/2/fiches/14/edit/", "/2/lines/new/"]:
            assert client.get(BASE + path).status_code == 404, (user, path)
        assert client.get(f"/contracts/{DEMO_SLUG}/consolidated.pdf").status_code == 404
        for path in ["/new/", "/2/opinion/", "/2/abandon/", "/2/fiches/13/withdraw/"]:
            assert client.post(BASE + path, {"title": "x"}).status_code == 404, (user, path)
    assert demo_contract.amendments.count() == 2
    assert demo_avenant(demo_contract).status == AmendmentStatus.DRAFT


def test_a_fiche_revised_through_the_avenant_page_is_shown_word_by_word(
    client, demo_contract, demo_user
):
    client.force_login(demo_user("cdaje"))
    signed = snapshot_of(Fiche.objects.get(contract=demo_contract, number=14))
    page = client.get(BASE + "/2/fiches/14/edit/")
    form = page.context["form"]
    assert "lettre semestrielle aux assistants maternels" in form["actions"].value()  # the proposal
    data = form_data(form)
    data["title"] = "Plan de communication et d'information petite enfance"
    response = client.post(BASE + "/2/fiches/14/edit/", data)
    assert response.status_code == 302, text_of(response)
    assert response.url == BASE + "/2/"

    fiche = Fiche.objects.get(contract=demo_contract, number=14)
    assert snapshot_of(fiche) == signed  # the signed contract's fiche, untouched
    change = demo_avenant(demo_contract).fiche_changes.get(number=14)
    assert change.version == 2
    assert change.proposed["title"] == "Plan de communication et d'information petite enfance"

    detail = client.get(BASE + "/2/").content.decode()
    card = detail.split('id="fiche-change-14"', 1)[1].split("</article>", 1)[0]
    assert "Plan de communication <ins>et d&#x27;information</ins> petite enfance" in card
    assert "<ins>" in card.split("Actions", 1)[1]  # the action the demo's proposal adds


def test_bad_input_is_refused_in_french_and_nothing_is_saved(client, demo_contract, demo_user):
    client.force_login(demo_user("finance"))
    avenant = demo_avenant(demo_contract)
    post = BudgetPost.objects.get(code="communication")
    line = {"year": 2017, "post": post.pk, "fiche_number": "", "label": "", "amount": "abc"}

    response = client.post(BASE + "/2/lines/new/", line)
    text = text_of(response)
    assert "Rien n’a été enregistré : corrigez les champs signalés." in text
    assert "« abc » n'est pas un montant." in text

    response = client.post(BASE + "/2/lines/new/", {**line, "year": 2019, "amount": "1 000"})
    assert "Sélectionnez un choix valide. 2019 n’en fait pas partie." in text_of(response)

    # A year the annex convention would not cover, even after the avenant.
    free_2017(demo_contract)
    annex = demo_contract.annex_conventions.get()
    BudgetLine.objects.filter(contract=demo_contract, year=2017, annex_convention=annex).delete()
    AnnexConvention.objects.filter(pk=annex.pk).update(end_year=2016)
    annex_post = BudgetPost.objects.get(code="accueil-enfants-handicapes")
    response = client.post(
        BASE + "/2/lines/new/",
        {**line, "post": annex_post.pk, "amount": "1 000"},
    )
    assert "La convention annexe ne couvre pas 2017, même après l'avenant" in text_of(response)
    assert not avenant.line_changes.exists()

    # The opinion, while 2017 would exceed the envelope.
    amendment_line_propose(
        amendment=avenant,
        year=2017,
        post=post,
        fiche_number=None,
        label="",
        amount=Decimal("45000"),
        by=demo_user("finance"),
    )
    client.force_login(demo_user("cdaje"))
    response = client.post(BASE + "/2/opinion/", {"plenary_date": "11/10/2016"})
    assert response.status_code == 400
    assert (
        "En 2017, le budget après avenant (203 000,00 €) dépasserait l'enveloppe annuelle "
        "(198 000,00 €) de 5 000,00 €."
    ) in text_of(response).replace("\u202f", " ").replace("\xa0", " ")
    avenant.refresh_from_db()
    assert (avenant.status, avenant.opinion_on) == (AmendmentStatus.DRAFT, None)
    page = text_of(client.get(BASE + "/2/")).replace("\u202f", " ").replace("\xa0", " ")
    assert (
        "2017 158 000,00 € 203 000,00 € +45 000,00 € 198 000,00 € dépassement : 5 000,00 €" in page
    )


def detail_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BASE + "/2/")
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_avenant_page_queries_do_not_grow_with_its_changes(client, demo_contract, demo_user):
    cdaje = demo_user("cdaje")
    client.force_login(cdaje)
    detail_queries(client)  # the session and the user's permissions, read once
    cache.clear()  # the sections offered to comments are cached with the contract's state
    few = detail_queries(client)
    avenant = demo_avenant(demo_contract)
    free_2017(demo_contract)
    amendment_fiche_withdraw(
        amendment=avenant, fiche=Fiche.objects.get(contract=demo_contract, number=13), by=cdaje
    )
    for post in ("coordination", "communication"):
        target = demo_line(demo_contract, 2017, post)
        amendment_line_propose(
            amendment=avenant,
            line=target,
            year=2017,
            post=target.post,
            fiche_number=target.fiche.number,
            label="",
            amount=Decimal("1000"),
            continued=target.continued,
            by=cdaje,
        )
    amendment_line_propose(
        amendment=avenant,
        year=2017,
        post=BudgetPost.objects.get(code="communication"),
        fiche_number=None,
        label="Lettre",
        amount=Decimal("1000"),
        other_receipts=Decimal("250"),
        by=cdaje,
    )
    amendment_representative_change(
        amendment=avenant,
        leaving=Signatory.objects.get(last_name="Ferrand"),
        civility="Mme",
        first_name="Claire",
        last_name="Dumas",
        by=cdaje,
    )
    cache.clear()
    many = detail_queries(client)
    assert many <= few, (few, many)
    # Two of them read the contract's terms (the parties' roles, the funders' terms), from
    # which the page computes each proposed line's financing; one its indicators, with the
    # avenant's changes of their targets (pilotage.amendment_indicators).
    # One more, the header's unread count (notifications); two more read its comments: the
    # threads, and the fiches offered as sections.
    assert few <= 27, few


def test_a_line_is_proposed_with_its_receipts_and_the_page_computes_its_financing(
    client, demo_contract, demo_user
):
    """The form asks for expenses, other receipts and whether the action is carried over,
    never for a split: the page shows the PSEJ each funder would pay and the Département's
    share, from the contract's terms (CEJ: 90 % and 10 % of the net cost, 55 % for a new
    action, 60 % for one carried over)."""
    client.force_login(demo_user("finance"))
    free_2017(demo_contract)
    form = client.get(BASE + "/2/lines/new/")
    assert not [name for name in form.context["form"].fields if name.startswith("share_")]
    page = text_of(form)
    assert "Autres recettes prévues (€)" in page
    assert "Action reconduite du contrat précédent (action antérieure)" in page
    assert (
        "Contrat enfance jeunesse — CAF : 90 % du reste à charge, taux 55 % (action nouvelle), "
        "60 % (action antérieure), plafond de 100 000,00 € par action et par an."
    ) in page.replace("\u202f", " ").replace("\xa0", " ")
    post = BudgetPost.objects.get(code="communication")
    line = {"year": 2017, "post": post.pk, "fiche_number": "", "label": "Lettre"}

    response = client.post(
        BASE + "/2/lines/new/", {**line, "amount": "2 000", "other_receipts": "2 500"}
    )
    assert response.status_code == 200
    assert (
        "Les autres recettes prévues (2 500,00 €) dépassent les dépenses prévues (2 000,00 €) : "
        "le reste à charge serait négatif."
    ) in text_of(response).replace("\u202f", " ").replace("\xa0", " ")
    assert not demo_avenant(demo_contract).line_changes.exists()

    response = client.post(
        BASE + "/2/lines/new/",
        {**line, "amount": "12 000", "other_receipts": "2 000", "continued": "on"},
    )
    assert response.status_code == 302, text_of(response)
    change = demo_avenant(demo_contract).line_changes.get()
    assert (change.proposed["amount"], change.proposed["other_receipts"]) == ("12000.00", "2000.00")
    assert change.proposed["continued"] is True and "contributions" not in change.proposed
    page = text_of(client.get(BASE + "/2/")).replace("\u202f", " ").replace("\xa0", " ")
    # 10 000 € of net cost: 10 000 × 90 % × 60 % for the CAF, × 10 % × 60 % for the MSA.
    assert (
        "12 000,00 € 2 000,00 € antérieure PSEJ CAF 5 400,00 € · PSEJ MSA 600,00 € · part du "
        "bénéficiaire (Département) 4 000,00 €"
    ) in page
    # Edited again, the form shows the proposal as saved.
    edit = client.get(BASE + f"/2/added-lines/{change.pk}/edit/")
    assert edit.status_code == 200
    bound = edit.context["form"]
    assert (bound["other_receipts"].value(), bound["continued"].value()) == ("2000.00", True)
