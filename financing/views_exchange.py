"""Exports (XLSX, CSV, ODS, open data) and the import of a contract's budget. Thin: scope
through the contract queryset (out of scope is 404), the right to import through
`can_change_budget` (refused is 403 with the reason), the work in `financing.exports`,
`financing.opendata` and `financing.imports`.

Between the preview and the confirmation, the uploaded file waits in the documents' storage
(never under a public URL) under a random name kept in the session with its SHA-256 and the
preview's fingerprint. The confirmation reads it again, validates everything again against
the budget as it is then, and applies only if the result is still what the preview showed."""

import hashlib
import re
import secrets
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cej.security_log import log_security_event
from cej.view_helpers import require, scoped_contract
from financing.exports import (
    CSV_TYPE,
    ODS_TYPE,
    XLSX_TYPE,
    build_csv,
    build_xlsx,
    export_filename,
)
from financing.forms_exchange import ImportUploadForm
from financing.imports import ImportApplyError, apply_import, prepare_import
from financing.ods_writer import build_ods
from financing.opendata import build_opendata_csv, opendata_filename
from financing.permissions import can_change_budget
from financing.resources import ACTUAL, COMPUTED, DATA, INFO, KEY, BudgetLineResource

SESSION_KEY = "budget_import"
PENDING_MAX_AGE = 24 * 3600


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def budget_export_xlsx(request, slug):
    contract = scoped_contract(request, slug)
    return _download(build_xlsx(contract), export_filename(contract, "xlsx"), XLSX_TYPE)


@require_GET
@login_required
def budget_export_csv(request, slug):
    contract = scoped_contract(request, slug)
    return _download(build_csv(contract), export_filename(contract, "csv"), CSV_TYPE)


@require_GET
@login_required
def budget_export_ods(request, slug):
    contract = scoped_contract(request, slug)
    return _download(build_ods(contract), export_filename(contract, "ods"), ODS_TYPE)


@require_GET
@login_required
def budget_opendata_csv(request, slug):
    contract = scoped_contract(request, slug)
    return _download(build_opendata_csv(contract), opendata_filename(contract), CSV_TYPE)


# Import -------------------------------------------------------------------------------


def _log_import(event, request, contract, filename, data: bytes, issues, **counts) -> None:
    log_security_event(
        event,
        request,
        contract=contract.slug,
        filename=filename,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        issues=len(issues),
        **counts,
    )


class _Pending:
    """The uploaded file between preview and confirmation, in the documents' storage (local
    disk or S3 bucket) under `imports/`: whichever instance answers the confirmation finds
    it. Its name carries the time it was stored, so that sweeping abandoned previews takes
    one listing, not one request per file."""

    PREFIX = "imports"
    _TOKEN = re.compile(r"(\d{10})-[A-Za-z0-9_-]{32}")

    @classmethod
    def name(cls, token: str) -> str:
        return f"{cls.PREFIX}/{token}.upload"

    @classmethod
    def store(cls, request, contract, data: bytes, filename: str, fingerprint: str) -> None:
        cls.discard(request)
        cls.sweep()
        token = f"{int(time.time()):010d}-{secrets.token_urlsafe(24)}"
        default_storage.save(cls.name(token), ContentFile(data))
        request.session[SESSION_KEY] = {
            "contract": contract.pk,
            "token": token,
            "sha256": hashlib.sha256(data).hexdigest(),
            "filename": filename,
            "fingerprint": fingerprint,
        }

    @classmethod
    def sweep(cls) -> None:
        """Delete the previews abandoned for more than PENDING_MAX_AGE."""
        try:
            _folders, names = default_storage.listdir(cls.PREFIX)
        except FileNotFoundError:
            return
        cutoff = time.time() - PENDING_MAX_AGE
        for name in names:
            if not name.endswith(".upload"):
                continue
            path = f"{cls.PREFIX}/{name}"
            match = cls._TOKEN.fullmatch(name.removesuffix(".upload"))
            if match:
                stored_at = int(match.group(1))
            else:  # named before the time was part of the name: ask the storage
                try:
                    stored_at = default_storage.get_modified_time(path).timestamp()
                except OSError:
                    continue
            if stored_at < cutoff:
                default_storage.delete(path)

    @classmethod
    def load(cls, request, contract) -> tuple[dict, bytes] | None:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("contract") != contract.pk:
            return None
        if not cls._TOKEN.fullmatch(pending.get("token", "")):
            return None
        try:
            with default_storage.open(cls.name(pending["token"]), "rb") as handle:
                data = handle.read()
        except OSError:  # FileNotFoundError included: swept, or confirmed in another tab
            return None
        if hashlib.sha256(data).hexdigest() != pending["sha256"]:
            return None
        return pending, data

    @classmethod
    def refresh(cls, request, fingerprint: str) -> None:
        request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "fingerprint": fingerprint}

    @classmethod
    def discard(cls, request) -> None:
        pending = request.session.pop(SESSION_KEY, None)
        # Only a name this class made: never a path from elsewhere.
        if pending and cls._TOKEN.fullmatch(pending.get("token", "")):
            default_storage.delete(cls.name(pending["token"]))


def _nav(contract) -> dict:
    return {"budget_url": reverse("budget", kwargs={"slug": contract.slug})}


def _form_page(request, contract, form, issues, *, status=200):
    resource = BudgetLineResource(contract=contract)
    return render(
        request,
        "financing/import.html",
        {
            "contract": contract,
            "form": form,
            "issues": issues[:200],
            "more_issues": max(len(issues) - 200, 0),
            "required_columns": [
                c.column_name for c in resource.columns() if c.role in (KEY, DATA)
            ],
            "informative_columns": resource.headers_of(INFO),
            "computed_columns": resource.headers_of(COMPUTED),
            "actual_columns": resource.headers_of(ACTUAL),
            **_nav(contract),
        },
        status=status,
    )


def _preview_page(request, contract, plan, *, stale=False):
    return render(
        request,
        "financing/import_preview.html",
        {
            "contract": contract,
            "plan": plan,
            "counts": plan.counts,
            "fingerprint": plan.fingerprint(),
            "stale": stale,
            **_nav(contract),
        },
    )


@login_required
def budget_import(request, slug):
    contract = scoped_contract(request, slug)
    require(can_change_budget(request.user, contract))
    if request.method != "POST":
        return _form_page(request, contract, ImportUploadForm(), [])
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, contract, form, [])
    upload = form.cleaned_data["file"]
    data = upload.read()
    plan = prepare_import(contract=contract, data=data, filename=upload.name)
    if plan.errors:
        _Pending.discard(request)
        _log_import("import_rejected", request, contract, upload.name, data, plan.errors)
        return _form_page(request, contract, ImportUploadForm(), plan.errors)
    if plan.has_changes:
        _Pending.store(request, contract, data, upload.name, plan.fingerprint())
    else:
        _Pending.discard(request)
    return _preview_page(request, contract, plan)


@require_POST
@login_required
def budget_import_confirm(request, slug):
    contract = scoped_contract(request, slug)
    require(can_change_budget(request.user, contract))
    budget_url = reverse("budget", kwargs={"slug": contract.slug})
    if "cancel" in request.POST:
        _Pending.discard(request)
        messages.info(request, _("Import annulé : le budget n'a pas été modifié."))
        return redirect(budget_url)
    loaded = _Pending.load(request, contract)
    if loaded is None or request.POST.get("fingerprint") != loaded[0]["fingerprint"]:
        messages.error(
            request,
            _(
                "Cet aperçu n'est plus valable (import déjà appliqué, annulé ou remplacé par "
                "un autre) : envoyez le fichier à nouveau."
            ),
        )
        return redirect("budget_import", slug=contract.slug)
    pending, data = loaded
    plan = prepare_import(contract=contract, data=data, filename=pending["filename"])
    if plan.errors:
        _Pending.discard(request)
        return _form_page(request, contract, ImportUploadForm(), plan.errors)
    if plan.fingerprint() != pending["fingerprint"]:
        # The budget moved since the preview: show what the import would do now.
        if plan.has_changes:
            _Pending.refresh(request, plan.fingerprint())
        else:
            _Pending.discard(request)
        return _preview_page(request, contract, plan, stale=True)
    try:
        counts = apply_import(plan=plan, by=request.user)
    except ImportApplyError as exc:
        _Pending.discard(request)
        _log_import("import_rejected", request, contract, pending["filename"], data, exc.issues)
        return _form_page(request, contract, ImportUploadForm(), exc.issues)
    _Pending.discard(request)
    _log_import("import_applied", request, contract, pending["filename"], data, [], **counts)
    messages.success(request, applied_message(counts))
    return redirect(budget_url)


def applied_message(counts: dict) -> str:
    """« Import appliqué : 1 ligne créée, aucune ligne modifiée, 7 lignes inchangées. »"""
    new, changed, unchanged = counts["new"], counts["changed"], counts["unchanged"]
    parts = [
        ngettext("%(count)s ligne créée", "%(count)s lignes créées", new) % {"count": new}
        if new
        else _("aucune ligne créée"),
        ngettext("%(count)s ligne modifiée", "%(count)s lignes modifiées", changed)
        % {"count": changed}
        if changed
        else _("aucune ligne modifiée"),
        ngettext("%(count)s ligne inchangée", "%(count)s lignes inchangées", unchanged)
        % {"count": unchanged}
        if unchanged
        else _("aucune ligne inchangée"),
    ]
    return _("Import appliqué : %(parts)s.") % {"parts": ", ".join(parts)}
