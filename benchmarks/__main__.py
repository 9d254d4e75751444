"""`make bench`: server time of the main pages against a floor view, in the same run.

Each page is requested through Django's test client (all middleware, no network) on a
throw-away test database holding the Loire demo. We report the median over repeated
requests, the ratio to the floor view's median and the query count. Ratios, not absolute
times, are what compare across machines. Results also go to benchmarks/results/ as JSON.
"""

import json
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cej.settings")
os.environ.setdefault("SECRET_KEY", "benchmarks-only")
# STATIC_ROOT is only filled by collectstatic; whitenoise's warning about it is noise here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
RESULTS = Path(__file__).resolve().parent / "results"


def measure(client, url, rounds=ROUNDS):
    client.get(url)  # warm caches and imports
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # Counted now: the log is cleared by the next request.
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), query_count


def main():
    from cej.demo.loire import DEMO_SLUG, load_loire_demo

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            ROOT_URLCONF="benchmarks.urls",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ):
            load_loire_demo(with_accounts=True)
            client = Client()
            assert client.login(username="cdaje", password="demo")
            pages = {
                "floor": "/__floor__/",
                "contracts list": "/contracts/",
                "dashboard": f"/contracts/{DEMO_SLUG}/",
                "fiche list": f"/contracts/{DEMO_SLUG}/fiches/",
                "fiche page": f"/contracts/{DEMO_SLUG}/fiches/3/",
                "fiche history": f"/contracts/{DEMO_SLUG}/fiches/3/history/",
                "budget page": f"/contracts/{DEMO_SLUG}/budget/",
            }
            results = {name: measure(client, url) for name, url in pages.items()}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    floor_median = results["floor"][0]
    print(f"\n{'page':<18}{'median ms':>11}{'× floor':>9}{'queries':>9}")
    for name, (median, queries) in results.items():
        print(f"{name:<18}{median * 1000:>11.2f}{median / floor_median:>9.2f}{queries:>9}")
    vendor = connection.vendor
    print(f"\n{ROUNDS} requests per page, database: {vendor}, Python {platform.python_version()}")

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "date": stamp,
        "database": vendor,
        "rounds": ROUNDS,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "pages": {
            name: {
                "median_ms": round(median * 1000, 3),
                "ratio_to_floor": round(median / floor_median, 2),
                "queries": queries,
            }
            for name, (median, queries) in results.items()
        },
    }
    (RESULTS / f"pages-{vendor}-{stamp}.json").write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
