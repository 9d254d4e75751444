"""The one PDF helper: a Django template rendered to HTML, then to PDF by WeasyPrint.

WeasyPrint only ever reads the application's own static files (stylesheet, fonts): the URL
fetcher refuses every other URL — no network, no `file://` outside `static/`, no data smuggled
in through user text (which is sanitized before it reaches a template anyway).
"""

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

logger = logging.getLogger(__name__)

#: The archival variant of signed documents: PDF/A-3b (ISO 19005-3), tagged.
ARCHIVAL_VARIANT = "pdf/a-3b"


def static_roots() -> list[Path]:
    """Folders WeasyPrint may read from: the project's `static/` sources."""
    return [Path(folder).resolve() for folder in settings.STATICFILES_DIRS]


def static_base_url() -> str:
    """Base URL of the print templates: `{% pdf_static 'css/print.css' %}` and relative
    URLs inside print.css (fonts) resolve against it."""
    return path2url(str(static_roots()[0])) + "/"


class StaticOnlyFetcher(URLFetcher):
    """Serves `file://` URLs that resolve inside the static folders, and nothing else."""

    def fetch(self, url, headers=None):
        path = self._static_path(url)
        if path is None:
            logger.warning("PDF : ressource refusée (hors des fichiers statiques) : %s", url[:200])
            raise ValueError(f"Ressource refusée dans un PDF : {url[:200]}")
        mime_type, _ = mimetypes.guess_type(path.name)
        headers = {"Content-Type": mime_type or "application/octet-stream"}
        return URLFetcherResponse(path2url(str(path)), path.read_bytes(), headers)

    @staticmethod
    def _static_path(url: str) -> Path | None:
        if not url.startswith("file://"):
            return None
        candidate = Path(StaticOnlyFetcher._url_to_path(url)).resolve()
        for root in static_roots():
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None

    @staticmethod
    def _url_to_path(url: str) -> str:
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(url).path)


def render_html(template: str, context: dict) -> str:
    """The print HTML, always in French: the contract and its annexes are French acts (their
    templates say lang="fr"), whatever language the person who triggers them reads."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


def html_to_pdf(html: str, *, archival: bool = False) -> bytes:
    """WeasyPrint on final HTML. `archival` gives PDF/A-3b; every PDF is tagged (structure
    for screen readers, with the document language and title from the template)."""
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(
        pdf_variant=ARCHIVAL_VARIANT if archival else None,
        pdf_tags=True,
    )


def render_pdf(template: str, context: dict, *, archival: bool = False) -> bytes:
    return html_to_pdf(render_html(template, context), archival=archival)


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    """A PDF answer. Inline by default (opens in the browser's reader), never cached by a
    shared proxy: these documents are private."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(download, filename)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
