"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Needs /usr/bin/chromium (`apt-get install chromium`) and node_modules/axe-core (`npm ci`);
`make test` installs the latter, `.ci/run` the former. Without them these tests are skipped
with the reason on a developer's machine, and fail in CI (CI=true), where a silently skipped
browser suite would pass for a green one.

Every test starts from the session's Loire demo and its accounts (password "demo"), committed
where the live server reads it (live_server implies transactional_db), and put back after it.
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from demo.loire import DEMO_PASSWORD, DEMO_SLUG
from fiches import services
from fiches.models import Fiche

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Short enough that a missing element fails the test quickly, long enough for a slow CI.
TIMEOUT_MS = 10_000

CONTRACT_URL = f"/contracts/{DEMO_SLUG}/"
FICHES_URL = f"{CONTRACT_URL}fiches/"


def fiche_url(number: int, suffix: str = "") -> str:
    """`fiche_url(3)` → the fiche page; `fiche_url(3, "edit/")`, `fiche_url(3, "history/")`."""
    return f"{FICHES_URL}{number}/{suffix}"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE_JS.is_file():
        missing.append(f"{AXE_JS.relative_to(ROOT)} is missing (npm ci, or `make test`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is missing (make install)")
    return missing


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; each test opens its own contexts."""
    missing = _missing_prerequisites()
    if missing:
        reason = "BROWSER TESTS NOT RUN: " + "; ".join(missing)
        if _in_ci():
            pytest.fail(reason + " — CI must run them.", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop (SynchronousOnlyOperation). The tests call
    # the ORM from here (demo data, services) and the loop is Playwright's, not a coroutine
    # of ours: lift the guard for as long as Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def loire(browser, live_server, transactional_db, demo_world):
    """The Loire demo with its accounts, in the database the live server reads: the
    session's committed world (put back after each test, see tests/conftest.py)."""
    return demo_world.result()


@pytest.fixture
def loire_in_preparation(loire):
    """The Loire demo contract put back in preparation, for the tests that edit its fiches and
    lines directly: a signed contract changes only through an avenant
    (tests/browser/test_amendments.py). The world is put back after the test."""
    from cej.models import Contract, ContractStatus

    Contract.objects.filter(pk=loire.contract.pk).update(status=ContractStatus.DRAFT)
    loire.contract.refresh_from_db()
    return loire


@pytest.fixture
def new_page(browser, live_server, loire):
    """`new_page()` opens a page in a fresh browser context (its own cookies: one person).

    The test fails if a page throws a JavaScript error or the server answers 5xx."""
    contexts, problems = [], []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        # Anything the Content-Security-Policy blocks (an inline script, style or handler, a
        # foreign resource) is a broken page in production: every browser test checks it.
        page.on(
            "console",
            lambda message: (
                problems.append(f"CSP violation: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                problems.append(f"HTTP {response.status} on {response.url}")
                if response.status >= 500
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    form = page.locator("form", has=page.locator("#id_username"))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/accounts/login/" in page.url:
        errors = page.locator(".form-errors").all_inner_texts()
        pytest.fail(f"login as {username!r} failed: {errors}", pytrace=False)


def type_at_end(page, editor_selector: str, text: str) -> None:
    """Type `text` at the very end of a rich-text editor, key by key, as a person would."""
    page.locator(editor_selector).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def demo_fiche(number: int) -> Fiche:
    return Fiche.objects.get(contract__slug=DEMO_SLUG, number=number)


def reopen(number: int, by: str = "cdaje") -> Fiche:
    """Set-up shortcut: the demo fiches are all validated, hence read-only."""
    return services.fiche_transition(fiche=demo_fiche(number), name="reopen", by=demo_user(by))


SEVERE_IMPACTS = ("serious", "critical")
MAX_NODES = 20  # elements listed per violation


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page; its violations, as axe reports them."""
    # Evaluated through the DevTools protocol, not added as an inline <script>: the pages'
    # Content-Security-Policy rightly refuses inline scripts.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return result["violations"]


def format_violations(where: str, violations: list[dict]) -> str:
    """What a developer needs to fix each violation: rule, impact, help, elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{where}] {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {violation['helpUrl']}"
        )
        nodes = violation["nodes"]
        for node in nodes[:MAX_NODES]:
            lines.append(f"    target: {json.dumps(node['target'], ensure_ascii=False)}")
            lines.append(f"      html: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      why:  {summary[:400]}")
        if len(nodes) > MAX_NODES:
            lines.append(f"    … and {len(nodes) - MAX_NODES} more element(s)")
    return "\n".join(lines)
