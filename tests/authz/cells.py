"""Every URL pattern of the project, what a cell of the matrix expects, and how one cell is
checked."""

import contextlib
import html
import re
from dataclasses import dataclass
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz.world import OUT_OF_SCOPE, World, log_in

GET, POST = "GET", "POST"
MISSING_SLUG = "cej-inexistant-2014-2017"


# --- the URL patterns ------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the resolver. `key` names it in the tables: `namespace:name`, or
    the route for an unnamed pattern (`/` for the home page)."""

    key: str
    route: str
    name: str | None
    namespace: str | None

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"


def url_patterns() -> list[Pattern]:
    """Every pattern of the project, includes and the admin site included."""

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                assert isinstance(entry, URLPattern), entry
                route = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = "/" + route
                yield Pattern(key, route, entry.name, namespace)

    found = {}
    for pattern in walk(get_resolver().url_patterns, "", None):
        # The admin lists each model's object redirect twice; the first one answers.
        found.setdefault(pattern.key, pattern)
    return list(found.values())


# --- expectations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What one viewer gets: a status, and for a redirect where it leads. `done`: the write
    happened (its effect is observed); any other outcome must leave everything unchanged."""

    status: int
    location: str | None = None  # the path the redirect leads to
    login: str | None = None  # a login page, with ?next= the page asked for
    done: bool = False
    label: str = ""
    says: tuple[str, ...] = ()  # what the page must say (its text, entities decoded)

    def __str__(self):
        return self.label or str(self.status)

    def mismatches(self, response, url: str) -> list[str]:
        got = response.status_code
        location = response.get("Location", "")
        if got != self.status:
            return [f"expected {self}, got {got}" + (f" → {location}" if location else "")]
        if self.says:
            text = html.unescape(_body(response).decode())
            missing = [words for words in self.says if words not in text]
            if missing:
                return [f"expected {self}: the page does not say {missing}"]
        if self.login is not None:
            parts = urlsplit(location)
            asked = parse_qs(parts.query).get("next", [None])[0]
            if parts.path != self.login or asked != url:
                return [f"expected a redirect to {self.login}?next={url}, got {location!r}"]
        if self.location is not None and urlsplit(location).path != self.location:
            return [f"expected a redirect to {self.location}, got {location!r}"]
        return []


LOGIN = Expect(302, login="/accounts/login/", label="LOGIN")
ADMIN_LOGIN = Expect(302, login="/admin/login/", label="ADMIN_LOGIN")
DONE = Expect(302, done=True, label="DONE")
# The import preview: a page, and the upload kept in the session for the confirmation.
HELD = Expect(200, done=True, label="HELD")
# Refused because the contract is signed, by a page that names the way its content changes
# (`cej.permissions.content_change_refusal`): to whoever could make the change before.
AVENANT = Expect(
    403,
    says=("Le contrat est signé : son contenu ne change que par avenant.", "page du contrat"),
    label="AVENANT",
)


def to(path: str) -> Expect:
    return Expect(302, location=path, label=f"→{path}")


def as_expect(value) -> Expect:
    return value if isinstance(value, Expect) else Expect(value)


# --- one cell --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """How to exercise one row: the URL; the payload of a write that succeeds when allowed;
    the state the row needs (`prepare`, rolled back with the test); a step in the viewer's
    own session before the request (`before`, returns more payload); `effect`, what the
    write changes, read before and after; and `kept`, what no outcome may change, the write
    that succeeds included (an avenant's proposal leaves the signed contract as it is). All
    are functions of the world (and the viewer, the client). `layout`: for whom a PDF rendered
    on request is laid out by WeasyPrint (True: everyone; False: no one; or some viewers);
    for the others its HTML is rendered from its template for them as always, and not laid
    out (seconds a cell for a long document, and the same layout for every reader)."""

    url: object
    data: object = None
    prepare: object = None
    before: object = None
    effect: object = None
    kept: object = None
    layout: bool | tuple[str, ...] = True


def send(client, method: str, url: str, data: dict):
    return client.get(url) if method == GET else client.post(url, data)


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _normalized(content: bytes, slug: str) -> bytes:
    return CSRF_TOKEN.sub(b"csrf", content).replace(slug.encode(), b"<slug>")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _not_laid_out(html: str, *, archival: bool = False) -> bytes:
    """What `cej.pdf.html_to_pdf` returns when the row's `layout` leaves the viewer out."""
    assert html.strip(), "the PDF's HTML is empty"
    return b"%PDF-1.7\n% not laid out by the authorization matrix\n"


def check_cell(client, world: World, scenario: Scenario, method: str, viewer: str, expected):
    """Make the request as `viewer`; return what differs from `expected`, in words."""
    expected = as_expect(expected)
    if scenario.prepare:
        scenario.prepare(world)
    log_in(client, world, viewer)
    extra = scenario.before(world, client) if scenario.before else {}

    def data():  # built afresh for each request: an uploaded file is read once
        if method == GET:
            return {}
        return {**(scenario.data(world, viewer) if scenario.data else {}), **extra}

    def effect():
        return scenario.effect(world, client, viewer) if scenario.effect else None

    def kept():
        return scenario.kept(world) if scenario.kept else None

    url = scenario.url(world)
    before, kept_before = effect(), kept()
    with contextlib.ExitStack() as stack:
        if scenario.layout is not True and viewer not in (scenario.layout or ()):
            stack.enter_context(mock.patch("cej.pdf.html_to_pdf", _not_laid_out))
        response = send(client, method, url, data())
    problems = expected.mismatches(response, url)
    after, kept_after = effect(), kept()
    if kept_after != kept_before:
        problems.append(f"what must stay changed: {kept_before!r} → {kept_after!r}")
    if expected.done and after == before:
        problems.append(f"the write did not happen (still {before!r})")
    if not expected.done and after != before:
        problems.append(f"not allowed, yet something changed: {before!r} → {after!r}")
    body = _body(response)
    slug = next((c.slug for c in world.loire if f"/{c.slug}/" in url), None)
    if response.status_code == 404 and slug:
        # Out of scope must read exactly as a contract that does not exist.
        missing = send(client, method, url.replace(slug, MISSING_SLUG), data())
        if missing.status_code != 404 or _normalized(_body(missing), MISSING_SLUG) != (
            _normalized(body, slug)
        ):
            problems.append("the 404 differs from the one of a contract that does not exist")
    if viewer in OUT_OF_SCOPE:
        # The page may repeat the address the viewer typed (the language form's `next`).
        body = body.replace(url.encode(), b"")
        for secret in (text for c in world.loire for text in (c.title, c.slug)):
            if secret.encode() in body:
                problems.append(f"the page shows {secret!r} to a viewer out of scope")
    return [f"{method} {url} as {viewer}: {problem}" for problem in problems]
