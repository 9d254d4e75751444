"""What every hostile example must satisfy, written once: the page holds no executable
script, a PDF no script action, a refusal is worded in French, and a refused write leaves
the database as it was (compared through snapshots)."""

import csv
import io
import re
import zipfile
import zlib
from contextlib import contextmanager
from html.parser import HTMLParser

import openpyxl
from django.core.cache import cache
from django.db import transaction
from hypothesis import event
from hypothesis.control import currently_in_test_context

from cej.models import Document, Signature
from fiches.models import Fiche, FicheVersion
from financing.models import BudgetLine, BudgetLineVersion, Contribution, ExecutionEntry
from financing.resources import FORMULA_TRIGGERS

# The only scripts our pages load: files of our own, never inline (CSP forbids those).
OWN_SCRIPT = re.compile(r"^/static/js/[\w.-]+\.js$")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "meta"}
# Characters browsers ignore inside a URL scheme ("java\tscript:" runs).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def is_script_url(value: str) -> bool:
    scheme = _URL_NOISE.sub("", value).lower()
    return scheme.startswith(("javascript:", "vbscript:", "data:text/html", "livescript:"))


class _ScriptFinder(HTMLParser):
    """Every way an HTML page could run code, as a browser parses it."""

    def __init__(self, *, allow_meta=True):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.allow_meta = allow_meta
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (gestionnaire d'événement)")
            if name in URL_ATTRIBUTES and value and is_script_url(value):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            if name == "style" and value and re.search(r"expression|url\s*\(", value, re.I):
                self.problems.append(f"<{tag} style={value[:60]!r}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not OWN_SCRIPT.match(src):
                self.problems.append(f"<script src={src[:60]!r}>")
            self._in_script = True
        elif tag in FORBIDDEN_TAGS and not (tag == "meta" and self.allow_meta):
            self.problems.append(f"<{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"script en ligne : {data.strip()[:60]!r}")


def script_problems(html: str, *, page=True) -> list[str]:
    finder = _ScriptFinder(allow_meta=page)
    finder.feed(html)
    finder.close()
    return finder.problems


def assert_no_executable_script(html: str, *, page=True) -> None:
    """`page`: a whole page (its own <meta> tags are fine); else a stored fragment."""
    problems = script_problems(html, page=page)
    assert not problems, problems


# PDF ----------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
PDF_ACTIONS = (b"/JavaScript", b"/JS", b"/Launch", b"/SubmitForm", b"/ImportData", b"/RichMedia")


def _pdf_objects(pdf: bytes) -> bytes:
    """The file with its compressed streams inflated: object streams hide dictionaries."""
    parts = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def assert_inert_pdf(pdf: bytes) -> None:
    """No script action, no launch, no link to a script URL."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    objects = _pdf_objects(pdf)
    for action in PDF_ACTIONS:
        assert not re.search(re.escape(action) + rb"[\s/(<\[]", objects), action
    for uri in re.findall(rb"/URI\s*\((.*?)\)", objects, re.S):
        assert not is_script_url(uri.decode("latin-1")), uri


# French ---------------------------------------------------------------------------------

_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")
_ENGLISH = re.compile(
    r"\b(the|this|that|ensure|enter|select|field|value|must|is|are|not|invalid|required|"
    r"characters?|allowed|bad request|server error|not found|forbidden|please|file)\b",
    re.IGNORECASE,
)
_FRENCH = re.compile(
    r"\b(le|la|les|l|un|une|des|du|de|d|ce|cet|cette|est|sont|pas|ou|au|aux|à|en|n|"
    r"ligne|colonne|montant|fichier|saisissez|caractères?)\b",
    re.IGNORECASE,
)


def is_french(message: str) -> bool:
    """A message of ours or Django's French catalog; the user's own text, which messages
    quote between « », may be anything."""
    text = _QUOTED.sub(" ", str(message)).replace("’", "'")
    return bool(_FRENCH.search(text)) and not _ENGLISH.search(text)


def assert_french(messages) -> None:
    messages = [str(m) for m in messages]
    assert messages, "un refus sans message"
    for message in messages:
        assert is_french(message), message


def form_messages(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def assert_french_refusal_page(response) -> None:
    """A 4xx page says why, in French."""
    text = response.content.decode("utf-8", errors="replace")
    assert response.status_code in (400, 403, 404, 405, 409), response.status_code
    if response.status_code == 404:
        assert "Page introuvable" in text, text[:500]
    elif response.status_code == 403:
        assert "Action non autorisée" in text, text[:500]
    else:
        # The person's own text, given back in the form to correct (a textarea, a field's
        # value), may be in any language: the page's messages are what must be French.
        body = re.sub(r"<textarea[^>]*>.*?</textarea>", " ", text, flags=re.S)
        body = re.sub(r"<[^>]+>", " ", body)
        assert is_french(body), body[:500]


def assert_exports_are_inert(client, slug="cej-loire-2014-2017") -> None:
    """Every export answers, and no cell of it can run as a formula, however the text was
    stored."""

    def download(name) -> bytes:
        response = client.get(f"/contracts/{slug}/budget/{name}")
        assert response.status_code == 200, (name, response.status_code)
        return response.content

    workbook = openpyxl.load_workbook(io.BytesIO(download("export.xlsx")))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
    workbook.close()
    for name, delimiter in (("export.csv", ";"), ("opendata.csv", ",")):
        text = download(name).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            for value in row:
                assert not value.startswith(FORMULA_TRIGGERS), value
    with zipfile.ZipFile(io.BytesIO(download("export.ods"))) as archive:
        content = archive.read("content.xml").decode()
    assert "table:formula" not in content
    for value in re.findall(r"<text:p[^>]*>([^<]*)</text:p>", content):
        assert not value.startswith(("=", "+", "-", "@")), value


def tally(name: str) -> None:
    """Count this outcome in hypothesis' statistics (--hypothesis-show-statistics), when a
    hypothesis example is running."""
    if currently_in_test_context():
        event(name)


# Database -------------------------------------------------------------------------------


@contextmanager
def isolated_example():
    """One hypothesis example, in a savepoint rolled back at its end: the examples of one
    test do not see each other's writes. The page cache is emptied on both sides (its keys
    carry the contract's token, which the rollback restores)."""
    cache.clear()
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        cache.clear()


def budget_state(contract):
    """Everything a budget write could change: lines, contributions, entries, versions."""
    return (
        sorted(
            BudgetLine.objects.filter(contract=contract).values_list(
                "pk",
                "year",
                "post_id",
                "fiche_id",
                "annex_convention_id",
                "label",
                "amount",
                "version",
            )
        ),
        sorted(
            Contribution.objects.filter(line__contract=contract).values_list(
                "line_id", "partner_id", "amount"
            )
        ),
        sorted(
            ExecutionEntry.objects.filter(line__contract=contract).values_list(
                "pk", "line_id", "kind", "date", "amount", "reference", "note"
            )
        ),
        BudgetLineVersion.objects.filter(contract=contract).count(),
    )


def fiche_state(contract):
    return (
        sorted(
            Fiche.objects.filter(contract=contract).values_list(
                "pk",
                "number",
                "title",
                "findings",
                "goals",
                "actions",
                "target_public",
                "calendar",
                "indicators",
                "budget_note",
                "version",
                "status",
            )
        ),
        FicheVersion.objects.filter(fiche__contract=contract).count(),
    )


def documents_state(contract):
    return (
        sorted(Signature.objects.filter(contract=contract).values_list("pk", "place", "signed_on")),
        sorted(Document.objects.filter(contract=contract).values_list("pk", "title", "sha256")),
    )
