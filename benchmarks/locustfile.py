"""Locust journeys of the load test (`make loadtest`, see benchmarks/loadtest.py).

Three kinds of simulated people, each logging in once through the real login form:

- CDAJE staff (weight 4): contract list, dashboard, fiche list, fiche page, history, and
  editing a fiche of their own territory (GET the form, POST it back with its CSRF token and
  hidden `version`, one small change). Each simulated user takes a territory of its own, and
  no two simulated users edit the same fiche at once, so a 409 conflict is a real failure.
- finance officers (weight 3): budget page, one year of it, XLSX and CSV exports.
- partner users (weight 3): contract list, document space, download of the stored documents
  (the Loire's sealed PDF for the demo partners, scanned originals for generated ones).

The targets (accounts, contracts, editable fiches) come from the JSON file named by
LOADTEST_TARGETS, which the orchestrator writes from the database; without it, the demo
accounts on the Loire contract (`make run`) are used. Requests are named by route
("/contracts/[slug]/fiches/[n]/") so that the statistics aggregate. A response fails when
its status is not the expected one (redirects are not followed) or it lacks its marker.
"""

import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

DEMO_SLUG = "cej-loire-2014-2017"
DEMO_TARGETS = {
    "password": "demo",
    "cdaje": [
        {"username": "cdaje", "slug": DEMO_SLUG, "fiches": list(range(1, 15)), "editable": []}
    ],
    "finance": [{"username": "finance", "slug": DEMO_SLUG, "years": [2014, 2015, 2016, 2017]}],
    "partners": [
        {"username": name, "slug": DEMO_SLUG, "signed_document": True}
        for name in ("partner-cg", "partner-caf", "partner-msa")
    ],
}


def _load_targets() -> dict:
    path = os.environ.get("LOADTEST_TARGETS")
    if not path:
        return DEMO_TARGETS
    with open(path, encoding="utf-8") as file:
        return json.load(file)


TARGETS = _load_targets()
PASSWORD = TARGETS["password"]
# One territory (target) per simulated user, in turn: locust runs users as greenlets of one
# process, so plain counters are safe.
_next = {role: itertools.count() for role in ("cdaje", "finance", "partners")}
# Fiches being edited right now, (slug, number): two simulated users never edit the same
# fiche at once, even when there are fewer territories than simulated users.
_editing: set[tuple[str, int]] = set()

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DOWNLOAD_RE = re.compile(r'href="(/contracts/[^/"]+/documents/\d+/download/)"')
TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)
LOAD_MARK_RE = re.compile(r" \[charge [^\]]*\]$")
# Each edit writes a mark of its own, so that every save is a change.
RUN = f"{random.randrange(16**6):06x}"
_edits = itertools.count(1)


class FormFields(HTMLParser):
    """What a browser would submit for the form whose class contains `form_class`: inputs,
    checked boxes, textareas (minus the newline that follows the tag) and selected options
    (the first option of a single select when none is selected)."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None
        self.text = ""
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_class in (attrs.get("class") or "").split()
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "on": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["on"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop the newline right after <textarea>, as Django's widget expects.
            text = self.text
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.fields.append((self.textarea, text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            select, self.select = self.select, None
            values = select["on"]
            if not values and not select["multiple"] and select["first"] is not None:
                values = [select["first"]]
            self.fields.extend((select["name"], value) for value in values)


def form_fields(html: str, form_class: str) -> list[tuple[str, str]]:
    parser = FormFields(form_class)
    parser.feed(html)
    return parser.fields


class Visitor(HttpUser):
    """A person who logs in once, then browses with think time between pages."""

    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        targets = TARGETS[self.role]
        self.target = targets[next(_next[self.role]) % len(targets)]
        self.slug = self.target["slug"]
        try:
            self.login(self.target["username"])
        finally:
            _run["arrived"] += 1  # logged in, or given up: the measure waits for everyone

    def login(self, username: str):
        page = self.page("/accounts/login/", "csrfmiddlewaretoken")
        token = CSRF_RE.search(page or "")
        if token is None:
            raise StopUser()
        self.wait()
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            logged_in = response.status_code == 302 and "sessionid" in self.client.cookies
            if not logged_in:
                response.failure(f"login of {username} refused ({response.status_code})")
        if not logged_in:
            raise StopUser()

    def page(self, url: str, marker: str, *, name: str | None = None) -> str | None:
        """GET a page, expect 200 and `marker` in it; return its text (None on failure)."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif marker not in r.text:
                title = TITLE_RE.search(r.text)
                r.failure(f"marker {marker!r} missing (page {title[1] if title else '?'!r})")
            else:
                return r.text
        return None

    def download(self, url: str, magic: bytes, *, name: str, content_type: str) -> None:
        """GET a file, expect 200, its media type and its first bytes."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif not r.headers.get("Content-Type", "").startswith(content_type):
                r.failure(f"content type {r.headers.get('Content-Type')!r}")
            elif not r.content.startswith(magic):
                r.failure(f"content does not start with {magic!r}")

    @property
    def base(self) -> str:
        return f"/contracts/{self.slug}/"


class CdajeStaff(Visitor):
    weight = 4
    role = "cdaje"

    @task(2)
    def browse(self):
        self.page("/contracts/", "Contrats enfance jeunesse")
        self.wait()
        self.page(self.base, f'href="{self.base}fiches/"', name="/contracts/[slug]/")
        self.wait()
        self.page(f"{self.base}fiches/", "Fiches actions", name="/contracts/[slug]/fiches/")
        self.wait()
        self.fiche_page(random.choice(self.target["fiches"]))

    @task(2)
    def review(self):
        number = random.choice(self.target["fiches"])
        self.fiche_page(number)
        self.wait()
        self.page(
            f"{self.base}fiches/{number}/history/",
            "Historique de la fiche",
            name="/contracts/[slug]/fiches/[n]/history/",
        )

    @task(3)
    def edit(self):
        free = [n for n in self.target["editable"] if (self.slug, n) not in _editing]
        if not free:
            return
        number = random.choice(free)
        _editing.add((self.slug, number))
        try:
            self.edit_fiche(number)
        finally:
            _editing.discard((self.slug, number))
        self.wait()
        self.fiche_page(number)

    def fiche_page(self, number: int):
        self.page(
            f"{self.base}fiches/{number}/",
            f"Fiche {number}</span>",
            name="/contracts/[slug]/fiches/[n]/",
        )

    def edit_fiche(self, number: int):
        url = f"{self.base}fiches/{number}/edit/"
        name = "/contracts/[slug]/fiches/[n]/edit/"
        html = self.page(url, 'name="version"', name=name)
        if html is None:
            return
        fields = form_fields(html, "fiche-form")
        self.wait()  # the person types
        mark = f" [charge {RUN}-{next(_edits)}]"
        data = [
            (key, LOAD_MARK_RE.sub("", value) + mark if key == "budget_note" else value)
            for key, value in fields
        ]
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 409:
                response.failure("edit conflict (409): another user saved this fiche")
            elif response.status_code != 302:
                response.failure(f"not saved: status {response.status_code}")
            elif not response.headers.get("Location", "").endswith(f"/fiches/{number}/"):
                response.failure(f"unexpected redirect to {response.headers.get('Location')}")


class FinanceOfficer(Visitor):
    weight = 3
    role = "finance"

    @task(3)
    def budget(self):
        self.page(f"{self.base}budget/", "Budget", name="/contracts/[slug]/budget/")
        self.wait()
        year = random.choice(self.target["years"])
        self.page(
            f"{self.base}budget/?year={year}",
            str(year),
            name="/contracts/[slug]/budget/?year=[y]",
        )

    @task(1)
    def export_xlsx(self):
        self.download(
            f"{self.base}budget/export.xlsx",
            b"PK",
            name="/contracts/[slug]/budget/export.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    @task(1)
    def export_csv(self):
        self.download(
            f"{self.base}budget/export.csv",
            "\ufeff".encode(),  # the BOM that spreadsheets need to read UTF-8
            name="/contracts/[slug]/budget/export.csv",
            content_type="text/csv",
        )


class PartnerUser(Visitor):
    weight = 3
    role = "partners"

    @task(1)
    def contracts(self):
        self.page("/contracts/", f'href="{self.base}"')

    @task(2)
    def documents(self):
        html = self.page(
            f"{self.base}documents/", "Documents et signature", name="/contracts/[slug]/documents/"
        )
        links = DOWNLOAD_RE.findall(html or "")
        if links:
            self.wait()
            self.download(
                random.choice(links),
                b"%PDF-",
                name="/contracts/[slug]/documents/[pk]/download/",
                content_type="application/pdf",
            )

    @task(1)
    def signed_contract(self):
        if not self.target["signed_document"]:
            return
        self.download(
            f"{self.base}contract.pdf",
            b"%PDF-",
            name="/contracts/[slug]/contract.pdf",
            content_type="application/pdf",
        )


# With LOADTEST_MEASURE (seconds, set by the orchestrator), the measure starts once every
# user has logged in and LOADTEST_SETTLE more seconds have let the server's queue drain:
# locust's statistics are reset then, and locust quits LOADTEST_MEASURE seconds later.
# Without it (locust run by hand), the statistics cover the whole run.
MEASURE = os.environ.get("LOADTEST_MEASURE")
SETTLE = float(os.environ.get("LOADTEST_SETTLE", "5"))
# Every response time and error by request and phase ("ramp" while users log in, then
# "measure"), for what locust's CSV cannot give (the logins, once reset): written to
# LOADTEST_SAMPLES when locust quits.
_samples: dict = {phase: {} for phase in ("ramp", "measure")}
_errors: dict = {phase: {} for phase in ("ramp", "measure")}
_run = {"phase": "ramp", "arrived": 0, "environment": None}


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    _run["environment"] = environment


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    key = f"{request_type} {name}"
    _samples[_run["phase"]].setdefault(key, []).append(round(response_time, 2))
    if exception:
        errors = _errors[_run["phase"]].setdefault(key, {})
        errors[str(exception)] = errors.get(str(exception), 0) + 1


@events.spawning_complete.add_listener
def _measure_after_logins(user_count, **kwargs):
    if MEASURE:
        gevent.spawn(_measure, user_count)


def _measure(user_count: int):
    while _run["arrived"] < user_count:
        gevent.sleep(0.1)
    gevent.sleep(SETTLE)
    _run["phase"], _run["measure_started"] = "measure", time.monotonic()
    runner = _run["environment"].runner
    runner.stats.reset_all()
    gevent.sleep(float(MEASURE))
    runner.quit()


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    path = os.environ.get("LOADTEST_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as file:
            started = _run.get("measure_started")
            measured = round(time.monotonic() - started, 1) if started else None
            json.dump({**_samples, "errors": _errors, "measured_s": measured}, file)
