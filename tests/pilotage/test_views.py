import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from cej.models import Contract
from cej.page_cache import mark_contract_changed
from demo.loire import DEMO_SLUG
from tests.factories import ContractFactory, FicheFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

DEMO_USERS = ["admin", "cdaje", "finance", "partner-cg", "partner-caf", "partner-msa"]
DASHBOARD = reverse("contract_dashboard", kwargs={"slug": DEMO_SLUG})


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


@pytest.mark.parametrize("url", ["/contracts/", DASHBOARD])
def test_anonymous_users_are_sent_to_login(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_the_login_page_is_in_french(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Mot de passe" in text_of(response)
    assert '<html lang="fr">' in response.content.decode()


def test_logging_in_leads_to_the_contracts(client, demo):
    response = client.post(
        "/accounts/login/", {"username": "cdaje", "password": "demo"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/contracts/"
    assert "Contrat enfance jeunesse départemental de la Loire 2014–2017" in text_of(response)


def test_a_wrong_password_is_refused_in_french(client, demo):
    response = client.post("/accounts/login/", {"username": "cdaje", "password": "faux"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in text_of(response)


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_role_sees_the_dashboard(client, demo, demo_user, username):
    client.force_login(demo_user(username))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    text = text_of(response)
    for expected in [
        "Contrat enfance jeunesse départemental de la Loire 2014–2017",
        "Signé le 1er octobre 2014",
        "Département de la Loire",  # the party as named today (Conseil général until 2015)
        "Caisse d'allocations familiales de la Loire",
        "Caisse de mutualité sociale agricole",
        "Directeur de la CAF",
        "Premier contrat enfance jeunesse départemental de la Loire",
        "Favoriser la qualité de l'accueil : inscrire le lieu d'accueil dans une démarche qualité",
        "Coordination départementale de la politique petite enfance",
        "198\u202f000,00\u00a0€",
        "Avenant n° 1 — Prolongation de la convention annexe 2015–2017 et actions nouvelles "
        "— signé le 26 mai 2015",
        "Avenant n° 2 — Actualisation de l'information des familles (2016–2017) — En préparation",
        "Créer un pôle ressource handicap petite enfance",  # fiche n° 15, by avenant n° 1
    ]:
        assert expected in text, expected
    # Every year allocated up to its envelope (2015–2017 through avenant n° 1).
    assert "non encore alloué" not in text


def test_the_dashboard_lists_the_fifteen_fiches_by_objective(client, demo, demo_user):
    """The seed's 14 fiches, and n° 15 (objective 1) added by avenant n° 1."""
    client.force_login(demo_user("partner-msa"))
    response = client.get(DASHBOARD)
    fiches = [f for _o, fiches in response.context["objectives"] for f in fiches]
    assert [f.number for f in fiches] == [1, 2, 3, 4, 5, 15, *range(6, 15)]


def test_the_contract_list_shows_the_contracts_in_scope(client, demo, demo_user):
    ContractFactory(title="Contrat d'un autre département")
    client.force_login(demo_user("partner-caf"))
    text = text_of(client.get("/contracts/"))
    assert "Contrat enfance jeunesse départemental de la Loire 2014–2017" in text
    assert "Premier contrat enfance jeunesse départemental de la Loire" in text
    assert "Contrat d'un autre département" not in text


def test_a_contract_out_of_scope_is_not_found(client, demo):
    outsider = UserFactory(finance=True, territory=ContractFactory().territory)
    client.force_login(outsider)
    assert client.get(DASHBOARD).status_code == 404
    assert "départemental de la Loire" not in text_of(client.get("/contracts/"))


def test_a_partner_of_no_party_sees_nothing(client, demo):
    from tests.factories import PartnerFactory

    client.force_login(UserFactory(partner_user=True, partner=PartnerFactory()))
    assert client.get(DASHBOARD).status_code == 404
    assert "Aucun contrat ne relève" in text_of(client.get("/contracts/"))


def test_an_inactive_user_sees_nothing(client, demo, demo_user):
    user = demo_user("cdaje")
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(DASHBOARD).status_code in (302, 404)


def test_dashboard_queries_do_not_grow_with_fiches(
    client, demo, demo_contract, demo_user, django_assert_max_num_queries
):
    client.force_login(demo_user("cdaje"))
    # Cold: the dashboard, the header's unread count (notifications) and the open comments
    # this viewer counts.
    with django_assert_max_num_queries(16) as baseline:
        client.get(DASHBOARD)
    baseline_count = len(baseline.captured_queries)  # now: the next request clears the log
    objective = ObjectiveFactory(contract=demo_contract, number=4)
    for number in range(16, 46):
        FicheFactory(objective=objective, number=number)
    with django_assert_max_num_queries(baseline_count):
        response = client.get(DASHBOARD)
    assert len([f for _o, fiches in response.context["objectives"] for f in fiches]) == 45


def test_contract_list_queries_do_not_grow_with_contracts(
    client, demo, demo_user, django_assert_max_num_queries
):
    admin = demo_user("admin")
    client.force_login(admin)
    # 6, and one for the header's unread count (notifications).
    with django_assert_max_num_queries(7) as baseline:
        client.get("/contracts/")
    baseline_count = len(baseline.captured_queries)  # now: the next request clears the log
    for _ in range(10):
        ContractFactory(partners=[])
    with django_assert_max_num_queries(baseline_count):
        assert client.get("/contracts/").status_code == 200


def test_pages_stay_french_whatever_the_browser_language(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.get(DASHBOARD, headers={"accept-language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "fr"
    assert "Signé le 1er octobre 2014" in text_of(response)


def test_english_is_available_from_the_language_selector(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    client.post("/i18n/setlang/", {"language": "en", "next": DASHBOARD})
    response = client.get(DASHBOARD)
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "1 October 2014" in text_of(response)


def test_the_pdf_button_says_what_it_opens(client, demo, demo_user):
    """A contract signed before the application has no stored original: its PDF is a
    reconstituted copy, and the documents page says so; a draft's is a « projet »."""
    client.force_login(demo_user("cdaje"))
    predecessor = "/contracts/cej-loire-2010-2013/"
    assert "Contrat signé (PDF)" in client.get(predecessor).content.decode()
    documents = client.get(predecessor + "documents/").content.decode()
    assert "Copie reconstituée du contrat (PDF)" in documents
    contract = Contract.objects.get(slug="cej-loire-2010-2013")
    contract.status, contract.signed_on = "draft", None
    contract.save()
    mark_contract_changed(contract.pk)  # as the admin does (cej.admin_utils.ContractDataAdmin)
    assert "Projet de contrat (PDF)" in client.get(predecessor).content.decode()


# --- the 403 page -----------------------------------------------------------------------------

FICHE = f"/contracts/{DEMO_SLUG}/fiches/1/"
BUDGET_2015 = f"/contracts/{DEMO_SLUG}/budget/?year=2015&view=lines"


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        (f"http://testserver{FICHE}", FICHE),
        (f"https://testserver{BUDGET_2015}", BUDGET_2015),
        ("https://evil.example/contracts/", None),
        ("//evil.example/contracts/", None),
        ("javascript:alert(1)", None),
        ("", None),
        ("http://testserver/contracts/", None),  # the contract list, offered once anyway
        (f"http://testserver{FICHE}edit/", None),  # the refused page itself
        ("http://testserver/accounts/login/?next=/contracts/", None),
    ],
)
def test_the_403_page_offers_the_page_the_user_came_from(client, demo, demo_user, referer, back):
    client.force_login(demo_user("finance"))
    response = client.get(f"{FICHE}edit/", HTTP_REFERER=referer)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Seule l'équipe CDAJE modifie les fiches." in text_of(response)
    assert '<a href="/contracts/">Retour aux contrats</a>' in html
    if back:
        assert f'<a href="{escape(back)}">Revenir à la page précédente</a>' in html
    else:
        assert "Revenir à la page précédente" not in html


def test_the_refusal_on_a_signed_contract_names_its_open_avenant(client, demo, demo_user):
    """Read with the contract by the page (cej.view_helpers.scoped_contract): the avenant in
    preparation, n° 2; once it is abandoned, none — the refusal says to open one."""
    from cej.models import AmendmentStatus

    client.force_login(demo_user("cdaje"))
    response = client.get(f"{FICHE}edit/")
    assert response.status_code == 403
    assert "Proposez cette modification dans l'avenant n° 2 en cours" in text_of(response)
    demo.contract.amendments.filter(number=2).update(status=AmendmentStatus.ABANDONED)
    response = client.get(f"{FICHE}edit/")
    assert response.status_code == 403
    assert "Ouvrez un avenant depuis la page du contrat" in text_of(response)


def test_every_contract_card_shows_the_same_four_facts(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    html = client.get("/contracts/").content.decode()
    cards = html.split('<li class="card">')[1:]
    assert len(cards) == 3  # the demo's successor (2018–2021), the contract, its predecessor
    facts = [re.findall(r"<dt>([^<]+)</dt>", card) for card in cards]
    assert facts == [["Enveloppe annuelle", "Fiches actions", "Signataires", "Succède à"]] * 3
    _successor, first, predecessor = cards
    assert "Premier contrat enfance jeunesse départemental de la Loire</dd>" in first
    assert (
        '<dt>Succède à</dt><dd><span aria-hidden="true">—</span>'
        '<span class="visually-hidden">aucun contrat</span></dd>'
    ) in predecessor
