"""The API's documentation page in Chromium, under its Content-Security-Policy: Redoc, served
from this site, renders the schema; nothing comes from another host (Redoc's footer asks for
its maker's logo from cdn.redoc.ly: the policy blocks it, and that is the only thing it
blocks); and the token page, where a partner creates a token and copies its secret."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, login

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_documentation_renders_under_the_policy(browser, live_server, loire):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems, blocked, answered = [], [], set()
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            answered.add(urlsplit(response.url).netloc)
            if response.url.startswith(("http:", "https:"))
            else None
        ),
    )
    try:
        response = page.goto("/api/v1/docs/")
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", name="Contrats visibles")).to_be_visible()
        expect(page.locator("text=/api/v1/contracts/{slug}/").first).to_be_attached()
        # Redoc's styles applied (nonce), its search box there (worker from a blob).
        expect(page.locator("[role=search] input, input[placeholder]").first).to_be_visible()
    finally:
        context.close()
    assert problems == []
    assert answered == {urlsplit(live_server.url).netloc}
    assert all(REDOC_LOGO in text for text in blocked), blocked


def test_a_partner_creates_a_token_and_sees_it_once(page, loire):
    login(page, "partner-caf")
    page.get_by_role("link", name="Accès API").click()
    expect(page.get_by_role("heading", name="Accès à l’API", exact=True)).to_be_visible()
    page.get_by_label("Nom du jeton").fill("Outil de suivi de la CAF")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_label("Jeton d’accès").input_value()
    assert secret.startswith("cej_") and len(secret) == 47
    expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
    page.goto("/api/tokens/")
    assert secret not in page.content()
    expect(page.get_by_role("cell", name="Lecture seule")).to_be_visible()
