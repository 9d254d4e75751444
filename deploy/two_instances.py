"""Two instances of the application on one PostgreSQL database, as a load-balancing proxy
would run them: `python -m deploy.two_instances` (or `make two-instances`).

What it proves, each check a function below that tests/deployment/test_two_instances.py
runs as its own test:

- a session opened on instance A is valid on instance B, and closing it on B closes it on A
  (sessions live in the database, not in a process);
- both show the same figures, and a write through A is seen on B at once although each
  process keeps its own page cache (cej/page_cache.py: the cache key holds the contract's
  content token, which the write replaces in the database);
- static files: a hashed name from whitenoise's manifest is served by both with a
  year-long immutable cache, and pages name the hashed file for the unhashed one;
- behind the proxy: without X-Forwarded-Proto a request is redirected to https, with it the
  answer carries HSTS and the client address from X-Forwarded-For reaches the security log;
- wrong passwords lock a username out for the client that typed them, on both instances,
  and not for another client behind the same proxy.

The run: a throw-away database (cej_twoinst_<pid>), production settings (sandbox.py), a seal
certificate, `migrate`, `load_demo` with the demo accounts, `collectstatic`, two gunicorn
processes with deploy/gunicorn.conf.py on free loopback ports, one worker each (so that
"B's page cache" is the cache of one known process, filled before the write); then, when
nginx and openssl are installed, deploy/nginx.conf in front of both (deploy/behind_nginx.py).
Everything is stopped and the database dropped at the end, whatever happens. About 30 s on
two cores. Exit status: 0 all passed, 1 a check failed (logs kept), 2 the run could not
take place.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from deploy import behind_nginx, proxy
from deploy.browser import Browser
from deploy.rehearsal import (
    BUDGET,
    DASHBOARD,
    PASSWORD,
    CheckFailed,
    Site,
    amounts,
    expect,
    log_in,
    logged_in,
    next_security_event,
    page,
    security_events,
    shown,
)
from deploy.sandbox import (
    CLIENT_ADDRESS,
    PUBLIC_HOST,
    SandboxError,
    create_seal,
    postgres_problem,
    prepare_demo_site,
    production_env,
    running_instances,
    throwaway_database,
)

# --- Checks --------------------------------------------------------------------------------


def check_session_is_shared(site: Site) -> str:
    browser = Browser()
    log_in(browser, site.a)
    attributes = browser.cookie_attributes.get("sessionid", {})
    expect(
        {"secure", "httponly"} <= set(attributes) and attributes.get("samesite") == "Lax",
        f"Cookie de session sans Secure, HttpOnly ou SameSite=Lax : {attributes}",
    )
    expect(logged_in(browser, site.b), "La session ouverte sur A n'est pas reconnue par B.")
    return "session ouverte sur A (cookie Secure, HttpOnly, SameSite=Lax) reconnue par B"


def check_same_figures(site: Site) -> str:
    browser = Browser()
    log_in(browser, site.a)
    for path in (DASHBOARD, BUDGET):
        on_a, on_b = amounts(page(browser, site.a, path)), amounts(page(browser, site.b, path))
        expect(on_a and on_a == on_b, f"{path} : A montre {on_a}, B montre {on_b}.")
        expect("198000,00€" in on_a, f"{path} : l'enveloppe de 198 000,00 € manque ({on_a}).")
    return "tableau de bord et budget : mêmes montants sur A et B"


def check_write_is_seen_on_the_other_instance(site: Site) -> str:
    """A write on A shows at once on B's cached dashboard. The demo contract is signed, so
    its content changes only through an avenant: CDAJE staff rename the open avenant n° 2,
    which the dashboard lists."""
    browser = Browser()
    log_in(browser, site.a, "cdaje")
    # B's process renders and caches the dashboard now, under the current content token.
    before = page(browser, site.b, DASHBOARD).text
    edit = f"{DASHBOARD}avenants/2/edit/"
    form_page = page(browser, site.a, edit)
    form = form_page.form(containing="title")
    title = "Actualisation de la communication aux familles 2016-2017"
    answer = browser.submit(site.a.port, edit, form, title=title)
    expect(
        answer.status == 302 and answer.location == f"{DASHBOARD}avenants/2/",
        f"Enregistrement de l'avenant sur A refusé : {shown(answer)}",
    )
    on_b = page(browser, site.b, DASHBOARD).text
    expect(title not in before, "Le nouvel objet figurait déjà sur le tableau de bord.")
    expect(
        title in on_b,
        "B montre encore le tableau de bord d'avant l'écriture sur A (objet de l'avenant).",
    )
    return "objet de l'avenant n° 2 changé sur A : tableau de bord de B à jour aussitôt"


def check_logout_is_shared(site: Site) -> str:
    browser = Browser()
    log_in(browser, site.a)
    old_cookies = dict(browser.cookies)
    on_b = page(browser, site.b, "/contracts/")
    logout = next(f for f in on_b.forms() if f.action == "/accounts/logout/")
    answer = browser.post(site.b.port, logout.action, logout.fields)
    expect(answer.status == 302, f"Déconnexion sur B : {shown(answer)}")
    expect(not logged_in(browser, site.a), "Déconnecté sur B, toujours connecté sur A.")
    # The old cookie, replayed, opens nothing either: the session row itself is gone.
    replay = Browser()
    replay.cookies = old_cookies
    expect(
        not logged_in(replay, site.a), "L'ancien cookie de session ouvre encore une session sur A."
    )
    return "déconnexion sur B : session fermée sur A, l'ancien cookie n'ouvre plus rien"


def check_static_files(site: Site) -> str:
    manifest = json.loads((site.static_root / "staticfiles.json").read_text(encoding="utf-8"))
    hashed = manifest["paths"]["css/app.css"]
    expect(hashed != "css/app.css", f"Nom non haché dans le manifeste : {hashed}")
    on_disk = (site.static_root / hashed).read_bytes()
    browser = Browser()
    for instance in (site.a, site.b):
        login = page(browser, instance, "/accounts/login/")
        expect(
            f"/static/{hashed}" in login.text,
            f"{instance.name} : la page ne nomme pas le fichier haché /static/{hashed}.",
        )
        served = page(browser, instance, f"/static/{hashed}")
        cache = served.header("Cache-Control")
        expect(
            served.body == on_disk and "max-age=315360000" in cache and "immutable" in cache,
            f"{instance.name} : /static/{hashed} servi avec Cache-Control « {cache} ».",
        )
        compressed = browser.get(
            instance.port, f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}
        )
        expect(
            compressed.header("Content-Encoding") == "gzip",
            f"{instance.name} : pas de version compressée pour /static/{hashed}.",
        )
        plain = page(browser, instance, "/static/css/app.css")
        expect(
            "immutable" not in plain.header("Cache-Control"),
            f"{instance.name} : le nom non haché est mis en cache pour toujours.",
        )
    return f"css/app.css → {hashed}, servi par A et B (cache d'un an, immutable, gzip)"


def check_behind_the_proxy(site: Site) -> str:
    browser = Browser(client=CLIENT_ADDRESS)
    direct = browser.get(site.a.port, "/accounts/login/", proxied=False)
    expect(
        direct.status == 301
        and direct.header("Location") == f"https://{PUBLIC_HOST}/accounts/login/",
        f"Sans X-Forwarded-Proto, pas de redirection vers https : {shown(direct)}",
    )
    proxied = page(browser, site.a, "/accounts/login/")
    expect(
        "max-age=" in proxied.header("Strict-Transport-Security"),
        "Pas d'en-tête Strict-Transport-Security derrière le proxy.",
    )
    seen = len(security_events([site.b], "login"))
    log_in(browser, site.b)
    address = next_security_event([site.b], "login", after=seen).get("ip")
    expect(
        address == CLIENT_ADDRESS,
        f"Le journal de sécurité (et django-axes) voit l'adresse {address}, pas celle du client "
        f"transmise par le proxy ({CLIENT_ADDRESS}) : le verrouillage par adresse ne distingue "
        "plus personne derrière le proxy.",
    )
    return (
        "sans le proxy : redirection vers https ; derrière : HSTS, et l'adresse du client "
        "dans le journal de sécurité"
    )


def check_lockout_is_per_client(site: Site) -> str:
    """Wrong passwords from one client lock that client out on both instances (the attempts
    are in the database), not the same username from another client behind the proxy."""
    username, limit = "partner-msa", int(site.env.get("AXES_FAILURE_LIMIT") or 5)
    attacker, colleague = Browser(client="198.51.100.66"), Browser(client="192.0.2.44")
    for attempt in range(limit):
        instance = (site.a, site.b)[attempt % 2]
        form = page(attacker, instance, "/accounts/login/").form(containing="username")
        attacker.submit(
            instance.port, "/accounts/login/", form, username=username, password="wrong"
        )
    for instance in (site.a, site.b):
        form = page(attacker, instance, "/accounts/login/").form(containing="username")
        answer = attacker.submit(
            instance.port, "/accounts/login/", form, username=username, password=PASSWORD
        )
        expect(
            answer.status == 429,
            f"Après {limit} mots de passe faux, {username} n'est pas verrouillé pour ce client "
            f"sur {instance.name} : {shown(answer)}",
        )
    log_in(colleague, site.b, username)
    return (
        f"{limit} mots de passe faux (sur A et B) verrouillent {username} pour ce client "
        "sur les deux instances, pas pour un autre client derrière le même proxy"
    )


CHECKS: list[Callable[[Site], str]] = [
    check_session_is_shared,
    check_same_figures,
    check_write_is_seen_on_the_other_instance,
    check_logout_is_shared,
    check_static_files,
    check_behind_the_proxy,
    check_lockout_is_per_client,
]


# --- Command line --------------------------------------------------------------------------


def rehearse(work: Path, *, report: Callable[[str], None] = print) -> bool:
    """The whole run in `work`; True when every check passed."""
    name = f"cej_twoinst_{os.getpid()}"
    with throwaway_database(name) as url:
        env = production_env(work=work, database_url=url)
        started = time.perf_counter()
        create_seal(env)
        timings = prepare_demo_site(env)
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
        report(f"Base {name} préparée en {time.perf_counter() - started:.1f} s ({steps}).")
        with running_instances(env, work=work) as (a, b):
            report(f"gunicorn A sur le port {a.port}, B sur le port {b.port}.")
            passed = _run_checks(Site(env=env, a=a, b=b), CHECKS, report)
            missing = proxy.missing_tools()
            if missing:
                absent = "introuvables" if len(missing) > 1 else "introuvable"
                report(f"deploy/nginx.conf non essayé : {', '.join(missing)} {absent}.")
                return passed
            with proxy.running_proxy(backends=[a.port, b.port], folder=work / "nginx") as nginx:
                report(f"nginx devant A et B : https sur le port {nginx.https_port}.")
                site = Site(env=env, a=a, b=b, proxy=nginx)
                return _run_checks(site, behind_nginx.NGINX_CHECKS, report) and passed


def _run_checks(site: Site, checks, report) -> bool:
    passed = True
    for check in checks:
        try:
            report(f"  ok    {check(site)}")
        except CheckFailed as failure:
            passed = False
            report(f"  ÉCHEC {check.__name__} : {failure}")
    return passed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep", action="store_true", help="garder le dossier de travail (journaux de gunicorn)"
    )
    parser.parse_args(argv)
    problem = postgres_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="cej-two-instances-"))
    passed = False
    try:
        passed = rehearse(work)
    except SandboxError as error:
        print(f"La répétition n'a pas pu aller au bout : {error}", file=sys.stderr)
        return 2
    finally:
        if passed and not parser.parse_args(argv).keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"Journaux et fichiers : {work}")
    print("Deux instances : tout est conforme." if passed else "Deux instances : échec.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
