"""A browser in front of several backends of one site, as a reverse proxy shows them: one
cookie jar for the site, and every request carries what the proxy adds (the public Host,
X-Forwarded-Proto: https, X-Forwarded-For: the client's address). Choosing the backend port
per request is what the proxy's load balancing would do. Standard library only, bounded
timeouts, no redirect followed (the tests look at each answer)."""

import http.client
import ssl
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

from deploy.sandbox import CLIENT_ADDRESS, PUBLIC_HOST

# The rehearsal's nginx presents a certificate made for the run: nothing to verify it against.
_UNVERIFIED = ssl._create_unverified_context()


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self) -> dict[str, str]:
        return dict(self.fields)


class _FormParser(HTMLParser):
    """The forms of a page with the values a browser would submit unchanged: text inputs,
    hidden ones, checked boxes, the selected option of each select, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1].fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select, self._options = attrs.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self._textarea, self._text = attrs.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            self.forms[-1].fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def location(self) -> str:
        return urlsplit(self.header("Location")).path

    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.text)
        return parser.forms

    def form(self, *, containing: str) -> Form:
        """The page's form that has a field named `containing`."""
        for form in self.forms():
            if any(name == containing for name, _ in form.fields):
                return form
        raise AssertionError(f"Aucun formulaire avec le champ « {containing} » sur la page.")


class Browser:
    def __init__(self, *, host: str = PUBLIC_HOST, client: str = CLIENT_ADDRESS, timeout=30):
        self.host, self.client, self.timeout = host, client, timeout
        self.cookies: dict[str, str] = {}
        # The attributes each cookie was last set with (secure, httponly, samesite…).
        self.cookie_attributes: dict[str, dict[str, str]] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.host}"

    def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        fields: list[tuple[str, str]] | dict | None = None,
        headers: dict | None = None,
        proxied: bool = True,
        tls: bool = False,
    ) -> Response:
        """One request to the backend on `port`. `proxied=False` sends it as a client that
        bypassed the proxy would (no forwarded headers), or that goes through a real one;
        `tls` speaks https (to the rehearsal's nginx, whose certificate is self-signed)."""
        sent = {"Host": self.host, "User-Agent": "cej-deploy-rehearsal", "Accept-Language": "fr"}
        if proxied:
            sent["X-Forwarded-Proto"] = "https"
            sent["X-Forwarded-For"] = self.client
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = f"{self.origin}{path}"
        sent.update(headers or {})
        if tls:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", port, timeout=self.timeout, context=_UNVERIFIED
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            self._store_cookie(value)
        return response

    def get(self, port: int, path: str, **kwargs) -> Response:
        return self.request(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, fields, **kwargs) -> Response:
        return self.request(port, "POST", path, fields=fields, **kwargs)

    def submit(self, port: int, page_path: str, form: Form, **changes: str) -> Response:
        """Post `form` (found on `page_path`) with some fields changed."""
        fields = [(name, changes.get(name, value)) for name, value in form.fields]
        return self.post(port, form.action or page_path, fields)

    def _store_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        try:
            cookie.load(header)
        except CookieError:
            return
        for name, morsel in cookie.items():
            attributes = {key: str(value) for key, value in morsel.items() if value}
            expires = morsel["expires"]
            expired = morsel["max-age"] == "0" or (
                expires and parsedate_to_datetime(expires).year < 2000
            )
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
            self.cookie_attributes[name] = attributes
