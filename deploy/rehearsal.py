"""What the rehearsals of deploy/two_instances.py and deploy/behind_nginx.py share: the
running site, the demo's pages and account, and how a check fails (CheckFailed, an
AssertionError, so that pytest shows its message as it is)."""

import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from deploy.browser import Browser, Response
from deploy.proxy import Proxy
from deploy.sandbox import Instance

DEMO_SLUG = "cej-loire-2014-2017"
DASHBOARD = f"/contracts/{DEMO_SLUG}/"
BUDGET = f"/contracts/{DEMO_SLUG}/budget/"
USERNAME, PASSWORD = "finance", "demo"  # the demo finance officer: may edit the budget
_MONEY = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})*,\d{2}[ \u00a0\u202f]?€")
_SPACES = str.maketrans("", "", " \u00a0\u202f")


class CheckFailed(AssertionError):
    """What the instances answered is not what production needs: the message says what."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass
class Site:
    """The running rehearsal: its environment and files, its two instances, its nginx."""

    env: dict
    a: Instance
    b: Instance
    proxy: Proxy | None = None  # deploy/nginx.conf in front of both, when nginx is installed

    @property
    def static_root(self) -> Path:
        return Path(self.env["STATIC_ROOT"])


def amounts(page: Response) -> list[str]:
    """Every amount the page shows (« 198 000,00 € »), spaces removed, in page order."""
    return [match.translate(_SPACES) for match in _MONEY.findall(page.text)]


def shown(page: Response) -> str:
    """An answer in a failure message: status, redirect, and the start of its text."""
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    return f"HTTP {page.status} {page.header('Location')} {text[:600]}".rstrip()


def log_in(browser: Browser, instance: Instance, username: str = USERNAME) -> None:
    """Through the real login form: its CSRF token, then the POST."""
    page = browser.get(instance.port, "/accounts/login/")
    expect(page.status == 200, f"Page de connexion de {instance.name} : {shown(page)}")
    form = page.form(containing="username")
    answer = browser.submit(
        instance.port, "/accounts/login/", form, username=username, password=PASSWORD
    )
    expect(
        answer.status == 302 and answer.location == "/contracts/",
        f"Connexion de {username} sur {instance.name} refusée : {shown(answer)}",
    )


def logged_in(browser: Browser, instance: Instance) -> bool:
    page = browser.get(instance.port, "/contracts/")
    if page.status == 302 and page.location == "/accounts/login/":
        return False
    expect(
        page.status == 200 and 'action="/accounts/logout/"' in page.text,
        f"/contracts/ sur {instance.name} : {shown(page)}",
    )
    return True


def page(browser: Browser, instance: Instance, path: str) -> Response:
    answer = browser.get(instance.port, path)
    expect(answer.status == 200, f"{path} sur {instance.name} : {shown(answer)}")
    return answer


def euros(text: str) -> Decimal:
    return Decimal(text.translate(_SPACES).replace("€", "").replace(",", "."))


def french(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "").replace(".", ",") + "€"


def security_events(instances: list[Instance], event: str) -> list[dict]:
    """The security log's `event` lines (JSON, on gunicorn's standard output) so far."""
    return [
        json.loads(line)
        for instance in instances
        for line in instance.log_text().splitlines()
        if line.startswith("{") and f'"event": "{event}"' in line
    ]


def next_security_event(instances: list[Instance], event: str, *, after: int) -> dict:
    """The first `event` line beyond the `after` already there (logs are written as the
    request ends: wait a little for it)."""
    deadline = time.monotonic() + 5
    while True:
        events = security_events(instances, event)
        if len(events) > after:
            return events[after]
        expect(time.monotonic() < deadline, f"Aucun événement « {event} » journalisé.")
        time.sleep(0.1)
