"""Server time and query count of the main pages, next to the floor view.

Every request goes through Django's test client: the whole middleware stack and URL
resolution, no network and no server. For each page:

- its queries on a cold cache (the cache cleared just before) and on a warm one (the same
  request again, nothing cleared);
- the median time over `rounds` requests with the cache warm, the pages and the floor
  interleaved round by round so that every page and the floor see the same machine state;
- the median over `rounds` requests with the cache cleared before each (the clearing not
  timed), the floor interleaved again.

Ratios (page median ÷ floor median of the same loop), not milliseconds, compare across
machines."""

import gc
import statistics
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks import environment  # noqa: F401  (sets Django up)

FLOOR = "floor"


@dataclass
class Page:
    name: str
    url: str
    client: Client
    warm: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    queries_cold: int = 0
    queries_warm: int = 0
    size: int = 0

    def request(self):
        response = self.client.get(self.url)
        if response.status_code != 200:
            raise AssertionError(f"{self.name}: GET {self.url} → {response.status_code}")
        return response

    def timed_request(self) -> float:
        start = time.perf_counter()
        self.request()
        return time.perf_counter() - start

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm)

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold)


def _count_queries(page: Page) -> int:
    with CaptureQueriesContext(connection) as queries:
        page.size = len(page.request().content)
    return len(queries.captured_queries)


def measure_pages(pages: list[Page], rounds: int) -> dict:
    """Fills in every page's figures; `pages[0]` is the floor. Returns them as a dict of
    plain values keyed by page name."""
    assert pages[0].name == FLOOR
    for page in pages:
        cache.clear()
        page.queries_cold = _count_queries(page)
        page.queries_warm = _count_queries(page)
        page.request()  # a second warm request: lazy imports and per-process caches settle
    gc.collect()
    for round_ in range(rounds):
        # The order turns every round, so that no page always follows the same one.
        shift = round_ % len(pages)
        for page in pages[shift:] + pages[:shift]:
            page.warm.append(page.timed_request())
    gc.collect()
    for round_ in range(rounds):
        shift = round_ % len(pages)
        for page in pages[shift:] + pages[:shift]:
            cache.clear()
            page.cold.append(page.timed_request())
    floor = pages[0]
    return {
        page.name: {
            "url": page.url,
            "warm_median_ms": round(page.warm_median * 1000, 3),
            "cold_median_ms": round(page.cold_median * 1000, 3),
            "warm_min_ms": round(min(page.warm) * 1000, 3),
            "cold_min_ms": round(min(page.cold) * 1000, 3),
            "ratio": round(page.warm_median / floor.warm_median, 2),
            "cold_ratio": round(page.cold_median / floor.cold_median, 2),
            "queries_cold": page.queries_cold,
            "queries_warm": page.queries_warm,
            "bytes": page.size,
            "rounds": rounds,
        }
        for page in pages
    }


def contract_pages(slug: str, fiche_number: int, client: Client) -> list[Page]:
    """The main pages of one contract, as `client`'s user sees them."""
    base = f"/contracts/{slug}"
    return [
        Page("contracts list", "/contracts/", client),
        Page("dashboard", f"{base}/", client),
        Page("fiche list", f"{base}/fiches/", client),
        Page("fiche page", f"{base}/fiches/{fiche_number}/", client),
        Page("fiche history", f"{base}/fiches/{fiche_number}/history/", client),
        *indicator_pages(slug, fiche_number, client),
        Page("budget page", f"{base}/budget/", client),
        *payment_pages(slug, client),
        *review_pages(slug, client),
        Page("documents page", f"{base}/documents/", client),
    ]


def payment_pages(slug: str, client: Client) -> list[Page]:
    """The funders' payment position page (`funder_payments`, per funder and year), once the
    money cycle's pages exist: benched beside the budget page."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("funder_payments", kwargs={"slug": slug})
    except NoReverseMatch:
        return []
    return [Page("payments page", url, client)]


# Pages left out of this run and why (a URL name not there yet, nothing to show), printed
# by the report and kept in its results: a page that appears later is then benched as is.
SKIPPED: dict[str, str] = {}


def _url(page: str, name: str, **kwargs) -> str | None:
    """The URL of `name`, or None (noted in SKIPPED) while the route does not exist."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        SKIPPED[page] = f"no URL named « {name} » taking {', '.join(kwargs)}"
        return None


def indicator_pages(slug: str, fiche_number: int, client: Client) -> list[Page]:
    """The indicators of the measured fiche (`fiche_indicators`: per indicator its baseline,
    targets and actuals by year), once issue 19's indicator pages exist."""
    url = _url("indicators page", "fiche_indicators", slug=slug, number=fiche_number)
    return [Page("indicators page", url, client)] if url else []


def review_pages(slug: str, client: Client) -> list[Page]:
    """The contract's annual reviews (`annual_review_list`) and its latest review
    (`annual_review`: every fiche's state, indicators and money, the needs and supply, the
    variance charts), once issue 19's review pages exist. The Loire's latest is the one the
    CDAJE is preparing, with its forms; a generated contract's is adopted, read only."""
    from reviews.models import AnnualReview

    pages = []
    if url := _url("reviews list", "annual_review_list", slug=slug):
        pages.append(Page("reviews list", url, client))
    year = (
        AnnualReview.objects.filter(contract__slug=slug)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        SKIPPED[f"review page of {slug}"] = "no annual review yet"
    elif url := _url("review page", "annual_review", slug=slug, year=year):
        pages.append(Page("review page", url, client))
    return pages


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bench_cycle(slug: str, floor: dict, rounds: int) -> dict:
    """`financing.cycle_selectors.contract_cycle` of one contract (every line's financing
    plan, every funder's position per year), timed like a page and set against the floor
    view's warm median: the read behind the budget and payment pages and the situation PDF."""
    from cej.models import Contract
    from financing.cycle_selectors import contract_cycle

    contract = Contract.objects.get(slug=slug)
    with CaptureQueriesContext(connection) as queries:
        contract_cycle(contract)
    timings = []
    for _round in range(rounds):
        start = time.perf_counter()
        contract_cycle(contract)
        timings.append(time.perf_counter() - start)
    median_ms = statistics.median(timings) * 1000
    return {
        "slug": slug,
        "median_ms": round(median_ms, 3),
        "ratio": round(median_ms / floor["warm_median_ms"], 2),
        "queries": len(queries.captured_queries),
        "rounds": rounds,
    }
