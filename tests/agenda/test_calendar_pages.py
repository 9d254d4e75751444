"""The calendar pages: a contract's calendar by month (late in red with words, done struck,
staff-only items for the territory's staff only), the coordination's plenaries and the CDAJE
staff's deadlines, « Mes échéances » across the contracts a person sees."""

import datetime
import html
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.models import Deadline, DeadlineVisibility, Plenary
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SLUG = "cej-loire-2014-2017"
CALENDAR = f"/contracts/{SLUG}/calendar/"
STAFF_ONLY = "Envoyer aux membres de la CDAJE le dossier de la séance du 15 mars 2016"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def cdaje(client, demo_user):
    client.force_login(demo_user("cdaje"))
    return client


def test_the_calendar_shows_late_items_in_words_and_done_items_struck(cdaje):
    page = text(cdaje.get(CALENDAR + "?date=2016-03-01"))
    assert "Situation au 1er mars 2016" in page
    assert "Mars 2016" in page and "Février 2016" in page
    late = re.search(r'<li id="deadline-\d+" class="calendar-item cell-late">(.*?)</li>', page)
    assert late and "en retard" in late.group(1)
    assert "ressortissants du régime agricole" in late.group(1)
    # The 2015 review, submitted on 14 February 2016: struck, with the day it was done.
    assert re.search(r"<del><a [^>]*>Bilan annuel 2015 à soumettre à la CDAJE</a></del>", page)
    assert "fait le 14 février 2016" in page
    assert STAFF_ONLY in page
    assert "1 obligation en retard." in page


def test_a_partner_sees_shared_items_only(client, demo_user):
    client.force_login(demo_user("partner-caf"))
    page = text(client.get(CALENDAR + "?date=2016-03-01"))
    assert "Transmettre les données d'activité 2015 des relais" in page
    assert STAFF_ONLY not in page
    assert "Ajouter une séance" not in page and "Ajouter une échéance" not in page
    mine = text(client.get("/deadlines/?date=2016-03-01&show=all"))
    assert "Transmettre les données d'activité 2015 des relais" in mine
    assert STAFF_ONLY not in mine


def test_a_year_with_fewer_than_three_plenaries_is_warned_of(cdaje, demo_contract):
    Plenary.objects.filter(territory=demo_contract.territory, held_on__year=2017).delete()
    page = text(cdaje.get(CALENDAR))
    assert "2017 : 0 séance(s) plénière(s)" in page and "au moins trois par an" in page
    assert "2016 : " not in page


def test_the_coordination_adds_changes_and_deletes_a_plenary(cdaje, demo_contract):
    response = cdaje.post(CALENDAR + "plenaries/new/", {"held_on": "2017-09-19", "place": "Roanne"})
    plenary = Plenary.objects.get(territory=demo_contract.territory, held_on=D(2017, 9, 19))
    assert response.status_code == 302 and response["Location"].endswith(f"#plenary-{plenary.pk}")
    assert plenary.place == "Roanne"
    refused = cdaje.post(CALENDAR + "plenaries/new/", {"held_on": "2017-09-19"})
    assert refused.status_code == 400
    assert "Une séance est déjà prévue ce jour-là dans ce territoire." in text_of(refused)
    edit = f"{CALENDAR}plenaries/{plenary.pk}/edit/"
    assert 'value="2017-09-19"' in cdaje.get(edit).content.decode()
    cdaje.post(edit, {"held_on": "2017-09-26", "place": "Montbrison"})
    plenary.refresh_from_db()
    assert (plenary.held_on, plenary.place) == (D(2017, 9, 26), "Montbrison")
    cdaje.post(f"{CALENDAR}plenaries/{plenary.pk}/delete/")
    assert not Plenary.objects.filter(pk=plenary.pk).exists()


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_the_cdaje_staff_add_close_reopen_and_delete_a_deadline(cdaje, demo_contract):
    caf = demo_contract.parties.get(partner__slug__contains="caf").partner
    cdaje.post(
        CALENDAR + "deadlines/new/",
        {
            "due_on": "2017-10-02",
            "title": "Retourner la convention d'objectifs signée",
            "visibility": DeadlineVisibility.SHARED,
            "responsible": caf.pk,
        },
    )
    deadline = Deadline.objects.get(contract=demo_contract, due_on=D(2017, 10, 2))
    assert deadline.responsible == caf and deadline.created_by.username == "cdaje"
    cdaje.post(f"{CALENDAR}deadlines/{deadline.pk}/close/", {"done_on": "2017-09-30"})
    deadline.refresh_from_db()
    assert deadline.done_on == D(2017, 9, 30)
    cdaje.post(f"{CALENDAR}deadlines/{deadline.pk}/close/", {"reopen": "1"})
    deadline.refresh_from_db()
    assert deadline.done_on is None
    cdaje.post(f"{CALENDAR}deadlines/{deadline.pk}/delete/")
    assert not Deadline.objects.filter(pk=deadline.pk).exists()


def test_a_responsible_organisation_must_be_party_to_the_contract(cdaje, demo_contract):
    from tests.factories import PartnerFactory

    stranger = PartnerFactory()
    response = cdaje.post(
        CALENDAR + "deadlines/new/",
        {"due_on": "2017-10-02", "title": "X", "visibility": "shared", "responsible": stranger.pk},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text_of(response)
    assert not Deadline.objects.filter(contract=demo_contract, title="X").exists()


def test_partners_and_finance_may_not_write(client, demo_user, demo_contract):
    plenary = Plenary.objects.filter(territory=demo_contract.territory).first()
    for username in ("partner-caf", "finance"):
        client.force_login(demo_user(username))
        response = client.post(CALENDAR + "plenaries/new/", {"held_on": "2017-09-19"})
        assert response.status_code == 403
        assert client.post(f"{CALENDAR}plenaries/{plenary.pk}/delete/").status_code == 403
        response = client.post(
            CALENDAR + "deadlines/new/",
            {"due_on": "2017-10-02", "title": "X", "visibility": "shared"},
        )
        assert response.status_code == 403
    assert Plenary.objects.filter(pk=plenary.pk).exists()
    assert not Deadline.objects.filter(title="X").exists()


def test_a_plenary_of_another_territory_is_not_found(cdaje, demo_contract):
    other = ContractFactory(signed=True)
    plenary = Plenary.objects.create(territory=other.territory, held_on=D(2016, 5, 3))
    assert cdaje.post(f"{CALENDAR}plenaries/{plenary.pk}/delete/").status_code == 404
    assert Plenary.objects.filter(pk=plenary.pk).exists()


def test_my_deadlines_put_late_items_first_and_filter(cdaje):
    page = text(cdaje.get("/deadlines/?date=2016-03-01"))
    items = re.findall(r'<li id="([^"]+)" class="calendar-item( cell-late)?">', page)
    assert items and items[0][1] == " cell-late"
    assert all(late for _key, late in items[: sum(1 for _k, late in items if late)])
    late_only = text(cdaje.get("/deadlines/?date=2016-03-01&show=late"))
    assert "Transmettre les données d'activité 2015" not in late_only
    assert "ressortissants du régime agricole" in late_only
    one = text(cdaje.get("/deadlines/?date=2016-03-01&contract=cej-loire-2018-2021&show=all"))
    assert "ressortissants du régime agricole" not in one


def test_a_contract_out_of_scope_is_not_found_in_the_filter(cdaje):
    other = ContractFactory(signed=True)
    assert cdaje.get(f"/deadlines/?contract={other.slug}").status_code == 404


def test_the_calendar_tab_and_the_deadlines_link(cdaje):
    page = text(cdaje.get(f"/contracts/{SLUG}/"))
    assert f'href="{CALENDAR}"' in page and 'href="/deadlines/"' in page


def _more(contract, count):
    Deadline.objects.bulk_create(
        Deadline(
            contract=contract, due_on=D(2016, 1, 1) + datetime.timedelta(days=i), title=f"É{i}"
        )
        for i in range(count)
    )
    Plenary.objects.bulk_create(
        Plenary(territory=contract.territory, held_on=D(2019, 1, 1) + datetime.timedelta(days=i))
        for i in range(count)
    )


def _counts(client, url) -> tuple[int, int]:
    """Queries of the page on a cold cache (rendered), then on a warm one (the cached part
    served from cej.page_cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm)


@pytest.mark.parametrize(
    "username, url",
    [
        ("cdaje", CALENDAR),
        ("partner-caf", CALENDAR),
        ("cdaje", "/deadlines/"),
        ("admin", "/deadlines/"),
    ],
)
def test_the_calendar_pages_ask_as_many_queries_whatever_the_data(
    client, demo_user, demo_contract, username, url
):
    client.force_login(demo_user(username))
    client.get(url)  # the session and the viewer's facts read once
    cold, warm = _counts(client, url)
    for _ in range(3):
        ContractFactory(signed=True, territory=demo_contract.territory)
    _more(demo_contract, 30)
    assert _counts(client, url) == (cold, warm)
    # Warm: the session, the user, their facts, the contract, the header's count and the
    # deadline form's parties (or the partner's scope check).
    assert cold <= 15 and warm <= 6 and warm < cold, (cold, warm)


def test_a_change_shows_on_the_next_view(cdaje, demo_contract):
    cdaje.get(CALENDAR)
    cdaje.get("/deadlines/?show=all")
    cdaje.post(CALENDAR + "plenaries/new/", {"held_on": "2017-09-19", "place": "Feurs"})
    assert "Séance plénière de la CDAJE (Feurs)" in text(cdaje.get(CALENDAR))
    assert "Séance plénière de la CDAJE (Feurs)" in text(cdaje.get("/deadlines/?show=all"))
