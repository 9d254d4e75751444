"""The personal iCalendar feed: its address made on « Mes échéances » (shown once, only its
SHA-256 kept), parsed back with `icalendar`, showing only what its owner may see, refused
(404) with an unknown, revoked or replaced token, needing no session."""

import datetime
import hashlib
import re

import icalendar
import pytest

from agenda.models import FeedToken

pytestmark = pytest.mark.django_db
SITE = "https://cej.example.org"
STAFF_ONLY = "Envoyer aux membres de la CDAJE le dossier de la séance du 15 mars 2016"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def make_feed(client, user) -> str:
    """The feed's path, as the page shows it once."""
    client.force_login(user)
    response = client.post("/deadlines/feed/new/")
    assert response.status_code == 200
    match = re.search(
        r'value="https://cej\.example\.org(/calendar/[^"]+\.ics)"', response.content.decode()
    )
    assert match, "the new address is shown"
    return match.group(1)


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and "CEJ Loire" in str(calendar["PRODID"])
    return list(calendar.walk("VEVENT"))


def test_the_feed_lists_each_obligation_as_an_all_day_event(client, demo_user):
    path = make_feed(client, demo_user("cdaje"))
    client.logout()  # no session: the token is the key
    found = events(client.get(path))
    plenary = next(
        e
        for e in found
        if str(e["SUMMARY"]).startswith("Séance plénière de la CDAJE")
        and e.decoded("DTSTART") == datetime.date(2016, 3, 15)
    )
    assert plenary.decoded("DTEND") == datetime.date(2016, 3, 16)
    # The plenary's agenda and pack, what its members read before it.
    assert str(plenary["URL"]).startswith(f"{SITE}/plenaries/")
    review = next(e for e in found if str(e["SUMMARY"]).startswith("Bilan annuel 2015"))
    assert "Fait le 14 février 2016" in str(review["DESCRIPTION"])
    assert any(str(e["SUMMARY"]).startswith(STAFF_ONLY) for e in found)
    # The same obligation keeps its UID from one reading to the next.
    again = {str(e["UID"]) for e in events(client.get(path))}
    assert {str(e["UID"]) for e in found} == again
    assert len(again) == len(found)


def test_a_partners_feed_shows_only_what_the_partner_sees(client, demo_user):
    path = make_feed(client, demo_user("partner-caf"))
    summaries = [str(e["SUMMARY"]) for e in events(client.get(path))]
    assert any("Transmettre les données d'activité 2015" in s for s in summaries)
    assert not any(STAFF_ONLY in s for s in summaries)


def test_only_the_hash_of_the_token_is_kept(client, demo_user):
    path = make_feed(client, demo_user("cdaje"))
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    row = FeedToken.objects.get(user__username="cdaje", revoked_at__isnull=True)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    page = client.get("/deadlines/").content.decode()
    assert token not in page and "Un lien est actif depuis le" in page


def test_unknown_revoked_or_replaced_tokens_are_refused(client, demo_user):
    assert client.get("/calendar/nimportequoi.ics").status_code == 404
    first = make_feed(client, demo_user("cdaje"))
    second = make_feed(client, demo_user("cdaje"))  # renewed: the first one ends
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.post("/deadlines/feed/revoke/").status_code == 302
    assert client.get(second).status_code == 404


def test_an_inactive_persons_feed_is_refused(client, demo_user):
    user = demo_user("partner-msa")
    path = make_feed(client, user)
    user.is_active = False
    user.save()
    assert client.get(path).status_code == 404
