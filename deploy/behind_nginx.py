"""The two instances behind deploy/nginx.conf (deploy/proxy.py runs it), reached as a browser
does: https on nginx's port, nothing forwarded by hand. Run after the checks of
deploy/two_instances.py by `python -m deploy.two_instances` when nginx is installed, and by
tests/deployment/test_two_instances.py."""

import json
from collections.abc import Callable

from deploy.browser import Browser
from deploy.rehearsal import (
    PASSWORD,
    USERNAME,
    Site,
    expect,
    next_security_event,
    security_events,
    shown,
)

FORGED_ADDRESS = "192.0.2.250"


def check_nginx_sends_http_to_https(site: Site) -> str:
    answer = Browser().get(site.proxy.http_port, "/contracts/", proxied=False)
    expect(
        answer.status == 301 and answer.header("Location") == "https://127.0.0.1/contracts/",
        f"nginx, port http : {shown(answer)}",
    )
    return "nginx : http redirigé vers https"


def check_nginx_overwrites_the_forwarded_headers(site: Site) -> str:
    """A client that sends its own X-Forwarded-Proto and X-Forwarded-For changes nothing:
    nginx replaces both, so Django sees https (no redirect loop, the login succeeds) and
    the security log records the address nginx saw, not the forged one."""
    browser, port = Browser(), site.proxy.https_port
    forged = {"X-Forwarded-For": FORGED_ADDRESS, "X-Forwarded-Proto": "http"}
    login = browser.get(port, "/accounts/login/", proxied=False, tls=True, headers=forged)
    expect(login.status == 200, f"nginx, page de connexion : {shown(login)}")
    expect(
        "max-age=" in login.header("Strict-Transport-Security"),
        "nginx : pas d'en-tête Strict-Transport-Security.",
    )
    fields = [
        (name, {"username": USERNAME, "password": PASSWORD}.get(name, value))
        for name, value in login.form(containing="username").fields
    ]
    instances = [site.a, site.b]
    seen = len(security_events(instances, "login"))
    answer = browser.request(
        port, "POST", "/accounts/login/", fields=fields, headers=forged, proxied=False, tls=True
    )
    expect(
        answer.status == 302 and answer.location == "/contracts/",
        f"nginx, connexion : {shown(answer)}",
    )
    address = next_security_event(instances, "login", after=seen).get("ip")
    expect(
        address == "127.0.0.1",
        f"nginx : l'application voit l'adresse {address}, attendu celle que nginx voit, "
        f"127.0.0.1 (jamais l'adresse forgée {FORGED_ADDRESS}).",
    )
    return "nginx : X-Forwarded-Proto et X-Forwarded-For du client remplacés, connexion en https"


def check_nginx_lets_a_20_mb_upload_through(site: Site) -> str:
    """A 20 MB document plus its form reaches the application (which answers, in French,
    what it thinks of it); beyond 21 MB nginx refuses it."""
    browser, port = Browser(), site.proxy.https_port
    near_limit = [("file", "a" * (20 * 1024 * 1024 + 2048))]
    answer = browser.request(
        port, "POST", "/accounts/login/", fields=near_limit, proxied=False, tls=True
    )
    expect(answer.status != 413, "nginx refuse un envoi de 20 Mo : client_max_body_size.")
    too_big = [("file", "a" * (22 * 1024 * 1024))]
    answer = browser.request(
        port, "POST", "/accounts/login/", fields=too_big, proxied=False, tls=True
    )
    expect(answer.status == 413, f"nginx laisse passer 22 Mo : {answer.status}")
    return "nginx : 20 Mo et leur formulaire transmis à l'application, 22 Mo refusés (413)"


def check_nginx_serves_the_static_files(site: Site) -> str:
    manifest = json.loads((site.static_root / "staticfiles.json").read_text(encoding="utf-8"))
    hashed = manifest["paths"]["css/app.css"]
    answer = Browser().get(
        site.proxy.https_port,
        f"/static/{hashed}",
        proxied=False,
        tls=True,
        headers={"Accept-Encoding": "gzip"},
    )
    cache = answer.header("Cache-Control")
    compressed = answer.header("Content-Encoding") == "gzip"
    expect(
        answer.status == 200 and "immutable" in cache and compressed,
        f"nginx, /static/{hashed} : {answer.status}, Cache-Control « {cache} ».",
    )
    return f"nginx : /static/{hashed} compressé, en cache un an"


def check_nginx_limits_log_in_posts_per_address(site: Site) -> str:
    """One address posting to the log-in form again and again (password spraying: few
    passwords on many usernames, which django-axes's per-username lock does not see) gets
    nginx's French 429 after the burst, while reading the page and posting elsewhere stay
    open. Posts without a CSRF token: Django refuses them at once, nginx counts them all.
    Last of the checks: the address stays limited for a while after."""
    browser, port = Browser(), site.proxy.https_port
    refused_at = None
    for attempt in range(1, 61):
        answer = browser.post(port, "/accounts/login/", {}, proxied=False, tls=True)
        if answer.status == 429:
            refused_at = attempt
            break
        expect(answer.status == 403, f"nginx, tentative {attempt} : {shown(answer)}")
    expect(refused_at is not None, "nginx : 60 envois du formulaire de connexion, aucun refusé.")
    # The burst (30) less what the checks before this one posted: an office logging in at once
    # passes.
    expect(refused_at > 20, f"nginx : envoi refusé dès la tentative {refused_at}.")
    expect(
        "Trop de tentatives de connexion" in answer.text
        and answer.header("Retry-After") == "60"
        and answer.header("Content-Type").startswith("text/html; charset=utf-8"),
        f"nginx, page 429 : {shown(answer)}",
    )
    page = browser.get(port, "/accounts/login/", proxied=False, tls=True)
    expect(page.status == 200, f"nginx, page de connexion après la limite : {shown(page)}")
    elsewhere = browser.post(port, "/accounts/logout/", {}, proxied=False, tls=True)
    expect(elsewhere.status != 429, "nginx : la limite touche d'autres adresses que la connexion.")
    return f"nginx : 429 en français à la tentative de connexion {refused_at}, page lisible"


NGINX_CHECKS: list[Callable[[Site], str]] = [
    check_nginx_sends_http_to_https,
    check_nginx_overwrites_the_forwarded_headers,
    check_nginx_lets_a_20_mb_upload_through,
    check_nginx_serves_the_static_files,
    check_nginx_limits_log_in_posts_per_address,
]
