"""Query counts of every main page: at most 15, plus one for the unread count in the header
(notifications), and the same whether the database holds the Loire demo alone or a national
deployment around it (`generate_scale_data`). Counted on a cold cache (the page is rendered)
and on a warm one (served from cej.page_cache)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.loire import DEMO_SLUG
from demo.scale import generate_scale_data

MAX_QUERIES = 15
# The header's unread count, on every page: one query, never more.
HEADER_QUERIES = 1
MAX_WARM = 5
# Pages that show comment threads read them per viewer, outside the page cache: one query.
WITH_COMMENTS = {"fiche page"}
BASE = f"/contracts/{DEMO_SLUG}"
PAGES = {
    # name: (user, url)
    "contracts list": ("cdaje", "/contracts/"),
    "contracts list, administrator": ("admin", "/contracts/"),
    "contracts list, partner": ("partner-msa", "/contracts/"),
    "dashboard": ("cdaje", f"{BASE}/"),
    "fiche list": ("cdaje", f"{BASE}/fiches/"),
    "fiche list, filtered": ("cdaje", f"{BASE}/fiches/?status=validated&q=accueil"),
    "fiche page": ("cdaje", f"{BASE}/fiches/3/"),
    "fiche history": ("cdaje", f"{BASE}/fiches/3/history/"),
    "fiche indicators": ("cdaje", f"{BASE}/fiches/1/indicators/"),
    "budget page": ("finance", f"{BASE}/budget/"),
    "budget page, one year": ("finance", f"{BASE}/budget/?year=2015"),
    "documents page": ("cdaje", f"{BASE}/documents/"),
    "documents page, partner": ("partner-caf", f"{BASE}/documents/"),
    "final evaluation": ("cdaje", f"{BASE}/evaluation/"),
    "final evaluation, partner": ("partner-caf", f"{BASE}/evaluation/"),
    "next contract's dashboard": ("cdaje", "/contracts/cej-loire-2018-2021/"),
    "calendar": ("cdaje", f"{BASE}/calendar/"),
    "calendar, partner": ("partner-caf", f"{BASE}/calendar/"),
    "my deadlines": ("cdaje", "/deadlines/"),
    "my deadlines, administrator": ("admin", "/deadlines/"),
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries.captured_queries)  # now: the next request clears the log
    assert response.status_code == 200, (url, response.status_code)
    header = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(header) == HEADER_QUERIES, (url, header)
    return count - HEADER_QUERIES


def measure(client, demo_user):
    counts = {}
    for name, (username, url) in PAGES.items():
        client.force_login(demo_user(username))
        cache.clear()
        cold = count_queries(client, url)
        warm = count_queries(client, url)
        counts[name] = (cold, warm)
    return counts


@pytest.mark.django_db
def test_query_counts_are_bounded_and_do_not_grow_with_the_data(client, sealed_demo, demo_user):
    alone = measure(client, demo_user)
    generate_scale_data(territories=3, contracts_per_territory=2)
    at_scale = measure(client, demo_user)
    for name, (cold, warm) in alone.items():
        assert cold <= MAX_QUERIES, (name, cold)
        assert warm <= MAX_WARM + (name in WITH_COMMENTS), (name, warm)
        assert warm < cold, name
    assert at_scale == alone
