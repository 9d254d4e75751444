"""The JSON API's list endpoints, measured like the pages (`benchmarks/pages.py`): the
contracts list as `admin` (every contract), and every list of one contract's resources that
the URL resolver holds when the bench runs (parties, fiches, budget lines, payments… as the
API's modules add them: found, not listed here), each called with a personal access token as
a program would, next to the floor view.

Targets: the median (warm) within 3× the floor's, with the demo data and with the scale
data; the same number of queries with both, warm and cold (a list's cost must not grow with
the data, only its page). Warm: the answer kept for the contract's state
(`api.views_base.KeptPerContractState`), as a program reading again an unchanged contract
gets it; cold: computed, as the first reading after a write — its ratio is printed for
information, as the pages' cold ratio is."""

import datetime

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from benchmarks.pages import FLOOR, Page, logged_in

TARGETS = {"ratio": 3.0}
API_CONTRACTS = "API contracts list (admin)"


def _token_client(user) -> Client:
    """A client presenting a token of its own: each measured endpoint has its own allowance
    of the throttle (API_THROTTLE_RATE), as each program of a partner would."""
    from api.tokens import create_token

    new = create_token(
        user=user,
        name="Banc d'essai",
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {new.secret}")


def contract_list_routes() -> list[tuple[str, str]]:
    """(name, route) of every API list under one contract: a pattern of the `api` namespace
    whose only parameter is the contract's slug and whose view lists (DRF's ListModelMixin)."""
    from rest_framework.mixins import ListModelMixin

    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield namespace, prefix + str(entry.pattern), entry

    for namespace, route, entry in walk(get_resolver().url_patterns, "", None):
        view = getattr(entry.callback, "cls", None)
        if namespace != "api" or view is None or not issubclass(view, ListModelMixin):
            continue
        if route.count("<") == 1 and "<slug:slug>" in route:
            found.append((entry.name or route, route))
    return sorted(found, key=lambda item: item[1])


def api_pages(slug: str, admin) -> list[Page]:
    """The floor, the contracts list and the contract's lists, each as `admin`."""
    pages = [
        Page(FLOOR, "/__floor__/", logged_in(admin)),
        Page(API_CONTRACTS, "/api/v1/contracts/", _token_client(admin)),
    ]
    for name, route in contract_list_routes():
        url = "/" + route.replace("<slug:slug>", slug)
        pages.append(Page(f"API {name}", url, _token_client(admin)))
    return pages


def api_checks(demo: dict, scale: dict) -> dict[str, list[str]]:
    checks = {}
    for name, d in demo.items():
        if name == FLOOR:
            continue
        s = scale[name]
        missed = [
            f"{figures['ratio']:.2f}× the floor with the {label} data"
            for label, figures in (("demo", d), ("scale", s))
            if figures["ratio"] > TARGETS["ratio"]
        ]
        for state in ("warm", "cold"):
            if d[f"queries_{state}"] != s[f"queries_{state}"]:
                missed.append(
                    f"{d[f'queries_{state}']} queries ({state}) with the demo but "
                    f"{s[f'queries_{state}']} with the scale data"
                )
        checks[name] = missed
    return checks


def print_api(demo: dict, scale: dict, checks: dict, rounds: int) -> None:
    print(
        f"\nAPI list endpoints, Loire contract as admin with a token — median of {rounds} "
        "requests; × = median ÷ floor median of the same interleaved loop"
    )
    header = (
        f"{'endpoint':<40}{'demo ms':>9}{'scale ms':>9}{'× demo':>8}{'× scale':>8}"
        f"{'cold ×':>8}{'queries w/c':>13}{'KB scale':>10}  target"
    )
    print(header)
    print("-" * len(header))
    for name, d in demo.items():
        s = scale[name]
        verdict = "" if name == FLOOR else ("OK" if not checks[name] else "KO")
        print(
            f"{name:<40}{d['warm_median_ms']:>9.2f}{s['warm_median_ms']:>9.2f}"
            f"{d['ratio']:>8.2f}{s['ratio']:>8.2f}{s['cold_ratio']:>8.2f}"
            f"{s['queries_warm']:>7}/{s['queries_cold']:<5}{s['bytes'] / 1024:>10.1f}  {verdict}"
        )
    print(
        f"targets: median ≤ {TARGETS['ratio']:g}× the floor warm (demo and scale), the same "
        "query counts, warm and cold, with and without the scale data (cold × and queries "
        "shown for the scale data)"
    )


def main() -> int:
    """`python -m benchmarks.api`: this part alone (the demo, the endpoints, the scale data,
    the endpoints again), with the same environment variables as `python -m benchmarks`."""
    import os

    from django.contrib.auth import get_user_model

    from benchmarks.environment import bench_database
    from benchmarks.pages import measure_pages
    from demo.loire import load_loire_demo
    from demo.scale import generate_scale_data

    rounds = int(os.environ.get("BENCH_ROUNDS", "50"))
    arguments = {
        key: int(os.environ[variable])
        for key, variable in (
            ("territories", "BENCH_TERRITORIES"),
            ("contracts_per_territory", "BENCH_CONTRACTS"),
        )
        if os.environ.get(variable)
    }
    with bench_database():
        contract = load_loire_demo(with_accounts=True).contract
        admin = get_user_model().objects.get(username="admin")
        demo = measure_pages(api_pages(contract.slug, admin), rounds)
        generate_scale_data(**arguments)
        scale = measure_pages(api_pages(contract.slug, admin), rounds)
    checks = api_checks(demo, scale)
    print_api(demo, scale, checks, rounds)
    if arguments:
        print(f"NOTE: scale data shrunk to {arguments}, not the full scale of the targets")
    missed = [f"{name}: {problem}" for name, found in checks.items() for problem in found]
    for problem in missed:
        print(f"  KO {problem}")
    print("VERDICT: " + (f"{len(missed)} target(s) missed" if missed else "every target met"))
    return 1 if missed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
