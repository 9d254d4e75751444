"""Production protections seen from the browser's side: HTTPS redirect, HSTS, secure
cookies, framing, referrer, and a Content-Security-Policy without inline or eval scripts on
every page. The test settings (tests/settings.py) are production's without the redirect to
https; the tests that need the redirect turn it back on."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from demo.loire import DEMO_SLUG

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = f"/contracts/{DEMO_SLUG}/"

# Every kind of page a user meets, with who sees it.
PAGES = [
    ("anonymous", "/accounts/login/"),
    ("cdaje", "/contracts/"),
    ("cdaje", CONTRACT),
    ("cdaje", f"{CONTRACT}fiches/"),
    ("cdaje", f"{CONTRACT}fiches/3/"),
    ("cdaje", f"{CONTRACT}fiches/3/history/"),
    ("cdaje", f"{CONTRACT}documents/"),
    ("cdaje", "/accounts/password_change/"),
    ("finance", f"{CONTRACT}budget/"),
    ("finance", f"{CONTRACT}budget/import/"),
    ("finance", f"{CONTRACT}budget/lines/new/?year=2015"),
    ("partner-cg", f"{CONTRACT}documents/"),
    ("partner-caf", "/api/tokens/"),
    ("partner-cg", f"{CONTRACT}budget/lines/new/?year=2015"),  # 403 page
    ("cdaje", "/contracts/no-such-contract/"),  # 404 page
    ("admin", "/admin/"),
    ("admin", "/admin/financing/budgetline/"),
    ("admin", "/admin/axes/accessattempt/"),
]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE)
# type="application/json" data blocks are not executed and CSP does not apply to them.
JSON_DATA = re.compile(r"<script[^>]*type=\"application/json\"", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *values = directive.split()
        policy[name] = values
    return policy


@pytest.fixture
def viewer_client(client, demo, demo_user):
    def as_viewer(username):
        client.logout()
        if username != "anonymous":
            client.force_login(demo_user(username))
        return client

    return as_viewer


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_every_page_has_a_strict_content_security_policy(viewer_client, username, url):
    response = viewer_client(username).get(url)
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.admin_templates
@pytest.mark.parametrize(("username", "url"), PAGES)
def test_no_page_holds_what_the_policy_would_block(viewer_client, username, url):
    """An inline script, handler or style attribute would be refused by the browser: the
    page would silently lose it. None may be there in the first place."""
    html = viewer_client(username).get(url).content.decode()
    scripts = [m for m in INLINE_SCRIPT.findall(html) if not JSON_DATA.match(m)]
    assert scripts == []
    assert EVENT_HANDLER.findall(html) == []
    assert JAVASCRIPT_URL.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []


def test_our_templates_hold_no_inline_script_handler_or_style():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, JAVASCRIPT_URL):
            if template.parts[-2] == "pdf" and pattern is STYLE_ATTRIBUTE:
                continue  # PDF templates are rendered by WeasyPrint, never by a browser
            offenders += [f"{template.relative_to(ROOT)}: {m}" for m in pattern.findall(text)]
    assert offenders == []


def test_plain_http_is_redirected_to_https(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_https_answers_carry_hsts_and_the_browser_protections(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_http_only_and_same_site(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/", {"username": "cdaje", "password": "demo"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies[django_settings.CSRF_COOKIE_NAME]["secure"]


def test_a_forwarded_proto_header_counts_only_behind_a_declared_proxy(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    # Not declared: anyone could send the header, it must change nothing.
    settings.SECURE_PROXY_SSL_HEADER = None
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    # BEHIND_HTTPS_PROXY=true: the proxy's word is taken.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("demo", "trop court"),
        ("12345678901234", "entièrement numérique"),
        ("motdepasse", "trop courant"),
    ],
)
def test_weak_passwords_are_refused_in_french(demo, demo_user, password, reason):
    with pytest.raises(ValidationError) as refusal:
        validate_password(password, user=demo_user("cdaje"))
    assert reason in " ".join(refusal.value.messages)
