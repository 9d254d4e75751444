"""Who may read and write what, URL by URL: every pattern of the resolver, by GET and by POST,
for seven viewers. A URL added without a row here fails, naming its pattern.

The viewers (columns): nobody logged in; the Loire's CDAJE agent (`cdaje`, writer and
coordinator); its finance officer (`finance`); a partner party to the contract
(`partner-caf`); a member of a partner party to no Loire contract (`outsider`, CAF du Rhône);
staff of another territory holding every staff role (`elsewhere`, Rhône); the administrator.

What a cell says:
- 200; 403: the viewer sees the contract, not the action; 404: out of scope, the contract
  does not exist for them (the page is byte for byte the one of a slug that never existed,
  and no page shows them the contract's title); 405: not by this method;
- LOGIN: to /accounts/login/?next=<the page>; →/path: a redirect there;
- DONE (HELD for the import preview, which keeps the upload in the session): the write
  happened, its effect read before and after. Any other outcome must leave that effect
  unchanged: a refused write writes nothing, and neither does a GET.

- AVENANT: 403, and the page says the contract is signed, that its content changes only
  through an avenant, and where to open or find it — what whoever could make the change on a
  contract in preparation is told on a signed one.

The Loire has two contracts here: the demo's, signed (avenant n° 1 signed, n° 2 open), whose
pages are read, documents signed and sealed, execution recorded; and its successor, still in
preparation, on which the rows that write a fiche or the budget plan prove who may. A row is a
URL pattern, or a pattern in a given state: `[signing]` the signed contract before its last
signatures; `[signed]` the signed contract, for the signature rows after its last signature,
for the fiche and budget rows the same write refused there (`SIGNED_ROWS`); `[Rhône]` a Loire
object's id at the address of the Rhône contract, where `elsewhere` holds every right. Each
cell is its own test in its own savepoint, on a world built once for the module (tests/authz/:
the world, each row's URL, payload and effect, the admin's rules).

The avenants are the signed contract's: avenant n° 2, open, is read and written through its
pages (its state set per row: `[approval]` after the CDAJE's opinion, and for the decision and
signature rows too; the signature recorded is never the last, which would apply and seal it),
each write checked in the avenant and, unchanged, in the signed contract (`kept`); n° 1,
signed, is refused every change (`[signed]`) and its sealed act served (`[sealed]`).

A URL pattern added to the project fails here, one cell per method, until it has its rows
below and its scenarios in tests/authz/scenarios.py.
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.authz import rows_comments, rows_evaluation, rows_indicators, rows_reviews
from tests.authz.admin import admin_models, admin_page, admin_url, database_counts
from tests.authz.cells import (
    ADMIN_LOGIN,
    AVENANT,
    DONE,
    GET,
    HELD,
    LOGIN,
    POST,
    Expect,
    as_expect,
    check_cell,
    to,
    url_patterns,
)
from tests.authz.scenarios import SCENARIOS
from tests.authz.world import FLAGGED, VIEWERS, build_world, log_in

pytestmark = pytest.mark.django_db

HOME = to("/contracts/")
ROOT = to("/")
BYE = to("/accounts/login/")
AGAIN = to("/contracts/cej-rhone-2015-2018/budget/import/")

CHANGE_PAGE = "→ the object's change page"

# Refused for the avenant's state, to whoever could act on it otherwise: signed, it changes no
# more; once the CDAJE has given its opinion, neither do its proposals; and a contract not
# signed yet changes directly, not by avenant.
CLOSED = Expect(403, says=("L'avenant est signé : il ne change plus.",), label="CLOSED")
FIXED = Expect(403, says=("La CDAJE a rendu son avis sur l'avenant",), label="FIXED")
UNSIGNED = Expect(403, says=("Le contrat n'est pas encore signé",), label="UNSIGNED")
KEPT = CHANGE_PAGE

# fmt: off
MATRIX = {
    # row                            method  anon.   cdaje   finance partner outsid. elsew.  admin
    ("/",                            GET):  (HOME,   HOME,   HOME,   HOME,   HOME,   HOME,   HOME),
    ("/",                            POST): (HOME,   HOME,   HOME,   HOME,   HOME,   HOME,   HOME),
    ("login",                        GET):  (200,    200,    200,    200,    200,    200,    200),
    # Logging in as partner-caf: already so, the partner keeps their session.
    ("login",                        POST): (DONE,   DONE,   DONE,   HOME,   DONE,   DONE,   DONE),
    ("logout",                       GET):  (405,    405,    405,    405,    405,    405,    405),
    ("logout",                       POST): (BYE,    DONE,   DONE,   DONE,   DONE,   DONE,   DONE),
    ("password_change",              GET):  (LOGIN,  200,    200,    200,    200,    200,    200),
    ("password_change",              POST): (LOGIN,  DONE,   DONE,   DONE,   DONE,   DONE,   DONE),
    ("password_change_done",         GET):  (LOGIN,  200,    200,    200,    200,    200,    200),
    ("password_change_done",         POST): (LOGIN,  405,    405,    405,    405,    405,    405),
    ("set_language",                 GET):  (ROOT,   ROOT,   ROOT,   ROOT,   ROOT,   ROOT,   ROOT),
    ("set_language",                 POST): (DONE,   DONE,   DONE,   DONE,   DONE,   DONE,   DONE),
    ("contract_list",                GET):  (LOGIN,  200,    200,    200,    200,    200,    200),
    ("contract_list",                POST): (LOGIN,  200,    200,    200,    200,    200,    200),
    ("contract_dashboard",           GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("contract_dashboard",           POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("contract_pdf",                 GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("contract_pdf",                 POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    # Documents and signatures
    ("contract_documents",           GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("contract_documents",           POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("document_download",            GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("document_download",            POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("document_download[Rhône]",     GET):  (LOGIN,  404,    404,    404,    404,    404,    404),
    ("signature_record[signing]",    GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("signature_record[signing]",    POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("signature_record[signed]",     POST): (LOGIN,  403,    403,    403,    404,    404,    403),
    ("signature_cancel[signing]",    GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("signature_cancel[signing]",    POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("signature_cancel[signed]",     POST): (LOGIN,  403,    403,    403,    404,    404,    403),
    ("signature_cancel[Rhône]",      POST): (LOGIN,  404,    404,    404,    403,    404,    404),
    ("document_deposit",             GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("document_deposit",             POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_seal",               GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_seal",               POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    # Avenants: read by whoever sees the contract; prepared by the CDAJE, their budget lines
    # by the CDAJE and finance officers; the opinion by the CDAJE coordination
    ("amendment_list",               GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_list",               POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_open",               GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_open",               POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("contract_decision",            GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("contract_decision",            POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_detail",             GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_detail",             POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_pdf",                GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_pdf",                POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_pdf[sealed]",        GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("amendment_edit",               GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("amendment_edit",               POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_fiche_add",          GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("amendment_fiche_add",          POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_fiche_edit",         GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("amendment_fiche_edit",         POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_fiche_withdraw",     GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_fiche_withdraw",     POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_line_add",           GET):  (LOGIN,  200,    200,    403,    404,    404,    200),
    ("amendment_line_add",           POST): (LOGIN,  DONE,   DONE,   403,    404,    404,    DONE),
    ("amendment_line_edit",          GET):  (LOGIN,  200,    200,    403,    404,    404,    200),
    ("amendment_line_edit",          POST): (LOGIN,  DONE,   DONE,   403,    404,    404,    DONE),
    ("amendment_line_remove",        GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_line_remove",        POST): (LOGIN,  DONE,   DONE,   403,    404,    404,    DONE),
    ("amendment_added_line_edit",    GET):  (LOGIN,  200,    200,    403,    404,    404,    200),
    ("amendment_added_line_edit",    POST): (LOGIN,  DONE,   DONE,   403,    404,    404,    DONE),
    ("amendment_change_cancel[fiche]", GET): (LOGIN, 405,    405,    405,    405,    405,    405),
    ("amendment_change_cancel[fiche]", POST): (LOGIN, DONE,  403,    403,    404,    404,    DONE),
    ("amendment_change_cancel[line]", POST): (LOGIN, DONE,   DONE,   403,    404,    404,    DONE),
    ("amendment_change_cancel[representative]", POST):
                                            (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    # … a Loire line or proposal at the Rhône's avenant, where `elsewhere` may write
    ("amendment_line_edit[Rhône]",   POST): (LOGIN,  404,    404,    404,    403,    404,    404),
    ("amendment_line_remove[Rhône]", POST): (LOGIN,  404,    404,    404,    403,    404,    404),
    ("amendment_added_line_edit[Rhône]", POST): (LOGIN, 404, 404,    404,    403,    404,    404),
    ("amendment_change_cancel[Rhône]", POST): (LOGIN, 404,   404,    404,    403,    404,    404),
    ("amendment_representative_add", GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("amendment_representative_add", POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_opinion",            GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_opinion",            POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_reopen",             GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_reopen",             POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_decision",           GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_decision",           POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_signature",          GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_signature",          POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_abandon",            GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("amendment_abandon",            POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    # … not once the avenant is signed, nor its proposals once the CDAJE has given its
    # opinion; none opened on a contract in preparation (it changes directly)
    ("amendment_edit[signed]",       POST): (LOGIN, CLOSED, 403,    403,   404,   404,   CLOSED),
    ("amendment_line_add[signed]",   POST): (LOGIN, CLOSED, CLOSED, 403,   404,   404,   CLOSED),
    ("amendment_line_add[approval]", POST): (LOGIN, FIXED,  FIXED,  403,   404,   404,   FIXED),
    ("amendment_open[preparation]",  POST): (LOGIN, UNSIGNED, 403,  403,   404,   404,   UNSIGNED),
    ("contract_consolidated_pdf",    GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("contract_consolidated_pdf",    POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    # Fiches: read on the signed contract, written on the one in preparation
    ("fiche_list",                   GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_list",                   POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_create",                 GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("fiche_create",                 POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_detail",                 GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_detail",                 POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_edit",                   GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("fiche_edit",                   POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_pdf",                    GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_pdf",                    POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_history",                GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_history",                POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_restore",                GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("fiche_restore",                POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[submit]",     GET):  (LOGIN,  405,    405,    405,    405,    405,    405),
    ("fiche_transition[submit]",     POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[to_draft]",   POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[validate]",   POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[reopen]",     POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[withdraw]",   POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[reinstate]",  POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("fiche_transition[unknown]",    POST): (LOGIN,  404,    404,    404,    404,    404,    404),
    # … and on the signed one, only through an avenant
    ("fiche_create[signed]",          GET):  (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    ("fiche_create[signed]",          POST): (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    ("fiche_edit[signed]",            GET):  (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    ("fiche_edit[signed]",            POST): (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    ("fiche_restore[signed]",         POST): (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    ("fiche_transition[signed]",      POST): (LOGIN, AVENANT, 403,   403,   404,   404,   AVENANT),
    # Budget: read, and its execution recorded, on the signed contract
    ("budget",                       GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget",                       POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_report_pdf",            GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_report_pdf",            POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_line_history",          GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_line_history",          POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_line_history[Rhône]",   GET):  (LOGIN,  404,    404,    404,    404,    404,    404),
    ("budget_entry_create",          GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_entry_create",          POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    ("budget_entry_create[Rhône]",   POST): (LOGIN,  404,    404,    404,    404,    404,    404),
    ("budget_export_xlsx",           GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_export_xlsx",           POST): (405,    405,    405,    405,    405,    405,    405),
    ("budget_export_csv",            GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_export_csv",            POST): (405,    405,    405,    405,    405,    405,    405),
    ("budget_export_ods",            GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_export_ods",            POST): (405,    405,    405,    405,    405,    405,    405),
    ("budget_opendata_csv",          GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("budget_opendata_csv",          POST): (405,    405,    405,    405,    405,    405,    405),
    # The money cycle: payments by the funder's finance officers (partner-caf), supporting
    # documents by them or the territory's finance officer
    ("funder_payments",              GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("funder_payments",              POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("funder_payment_create",        GET):  (LOGIN,  403,    403,    200,    404,    404,    200),
    ("funder_payment_create",        POST): (LOGIN,  403,    403,    DONE,   404,    404,    DONE),
    ("funder_payment_delete",        GET):  (LOGIN,  403,    403,    200,    404,    404,    200),
    ("funder_payment_delete",        POST): (LOGIN,  403,    403,    DONE,   404,    404,    DONE),
    ("funder_payment_delete[Rhône]", POST): (LOGIN,  404,    404,    404,    404,    404,    404),
    ("supporting_document_create",   GET):  (LOGIN,  403,    200,    200,    404,    404,    200),
    ("supporting_document_create",   POST): (LOGIN,  403,    DONE,   DONE,   404,    404,    DONE),
    ("funder_situation_pdf",         GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("funder_situation_pdf",         POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    ("funder_situation_pdf[outside]", GET): (LOGIN,  404,    404,    404,    404,    404,    404),
    ("funder_situation_pdf[Rhône]",  GET):  (LOGIN,  404,    404,    404,    404,    404,    404),
    # … its plan written on the contract in preparation
    ("budget_line_create",           GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_line_create",           POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    ("budget_line_edit",             GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_line_edit",             POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    ("budget_line_edit[Rhône]",      GET):  (LOGIN,  404,    404,    404,    404,    404,    404),
    ("budget_line_edit[Rhône]",      POST): (LOGIN,  404,    404,    404,    404,    404,    404),
    ("budget_line_delete",           GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_line_delete",           POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    ("budget_line_delete[Rhône]",    POST): (LOGIN,  404,    404,    404,    404,    404,    404),
    ("budget_import",                GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_import",                POST): (LOGIN,  403,    HELD,   403,    404,    404,    HELD),
    ("budget_import_confirm",        GET):  (405,    405,    405,    405,    405,    405,    405),
    ("budget_import_confirm",        POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    # The Loire preview, confirmed at the Rhône's address: the upload is bound to its contract.
    ("budget_import_confirm[Rhône]", POST): (LOGIN,  404,    404,    404,    403,    AGAIN,  AGAIN),
    # … and on the signed one, only through an avenant
    ("budget_line_create[signed]",    GET):  (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_line_create[signed]",    POST): (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_line_actuals",          GET):  (LOGIN,  403,    200,    403,    404,    404,    200),
    ("budget_line_actuals",          POST): (LOGIN,  403,    DONE,   403,    404,    404,    DONE),
    ("budget_line_edit[signed]",      GET):  (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_line_edit[signed]",      POST): (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_line_delete[signed]",    GET):  (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_line_delete[signed]",    POST): (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_import[signed]",         GET):  (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    ("budget_import[signed]",         POST): (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
    # Previewed while the contract was in preparation, confirmed once it is signed.
    ("budget_import_confirm[signed]", POST): (LOGIN, 403,   AVENANT, 403,   404,   404,   AVENANT),
}
# Issue 19: indicators, annual reviews, the final evaluation and renewal, each in its module.
for _rows in (rows_indicators, rows_reviews, rows_evaluation, rows_comments):
    MATRIX.update(_rows.MATRIX_ROWS)
# The direct edits refused on the signed contract, each with the row that proves who may make
# it on a contract in preparation: whoever that row lets through is told the avenant route
# (AVENANT), everyone else is refused as there.
SIGNED_ROWS = {
    "fiche_create[signed]": "fiche_create",
    "fiche_edit[signed]": "fiche_edit",
    "fiche_restore[signed]": "fiche_restore",
    "fiche_transition[signed]": "fiche_transition[reopen]",
    "budget_line_create[signed]": "budget_line_create",
    "budget_line_edit[signed]": "budget_line_edit",
    "budget_line_delete[signed]": "budget_line_delete",
    "budget_import[signed]": "budget_import",
    "budget_import_confirm[signed]": "budget_import_confirm",
}

# The admin is for the administrator. Every model it shows has a row: what the administrator
# gets on its pages (change, delete and history on a real object: the first of its model, a
# row of the expired or the signed Loire contract). What only the application writes
# (signatures, deliberations, versions, stored documents, the download log) is read-only
# there, and contributions are edited with their line (they add up to it; its version records
# them). KEPT: the row of a signed or ended contract is not offered for deletion — back to its
# change page, which says why.
ADMIN_MODELS = {
    # model                        changelist add   change delete history
    "auth.group":                  (200,      200,  200,   200,   200),
    "auth.user":                   (200,      200,  200,   200,   200),
    "axes.accessattempt":          (200,      403,  200,   200,   200),
    "axes.accessfailurelog":       (200,      403,  200,   200,   200),
    "axes.accesslog":              (200,      403,  200,   200,   200),
    "cej.territory":               (200,      200,  200,   200,   200),
    "cej.contract":                (200,      200,  200,   KEPT,  200),
    "cej.contractparty":           (200,      200,  200,   KEPT,  200),
    "cej.signature":               (200,      403,  200,   403,   200),
    "cej.annexconvention":         (200,      200,  200,   KEPT,  200),
    "cej.amendment":               (200,      403,  200,   403,   200),  # through its pages
    "cej.partnerdecision":         (200,      403,  200,   403,   200),
    "cej.amendmentsignature":      (200,      403,  200,   403,   200),
    "cej.document":                (200,      403,  200,   403,   200),
    "cej.documentdownload":        (200,      403,  200,   403,   200),
    "partners.partner":            (200,      200,  200,   200,   200),
    "partners.signatory":          (200,      200,  200,   200,   200),
    "fiches.aim":                  (200,      200,  200,   200,   200),
    "fiches.objective":            (200,      200,  200,   KEPT,  200),
    "fiches.fiche":                (200,      200,  200,   200,   200),
    "fiches.ficheversion":         (200,      403,  200,   403,   200),
    # Indicators through their services; their years with them, read-only (targets by
    # avenant once signed, actuals on the fiche's pages).
    "fiches.indicator":            (200,      200,  200,   200,   200),
    "fiches.indicatorversion":     (200,      403,  200,   403,   200),
    "financing.budgetpost":        (200,      200,  200,   200,   200),
    "financing.budgetline":        (200,      200,  200,   200,   200),
    "financing.contribution":      (200,      403,  200,   403,   200),  # with their line
    "financing.executionentry":    (200,      200,  200,   200,   200),
    "financing.budgetlineversion": (200,      403,  200,   403,   200),
    # The money cycle, each save through its service; terms and schedules are contract
    # content, never deleted here.
    "financing.fundingterms":      (200,      200,  200,   403,   200),
    "financing.paymentschedule":   (200,      200,  200,   403,   200),
    "financing.funderpayment":     (200,      200,  200,   200,   200),
    "financing.supportingdocument": (200,     200,  200,   200,   200),
}
for _rows in (rows_indicators, rows_reviews, rows_evaluation, rows_comments):
    ADMIN_MODELS.update(getattr(_rows, "ADMIN_MODELS", {}))
# The other admin pages, for the administrator.
ADMIN_SITE = {
    "index":                       200,
    "app_list":                    200,
    "login":                       to("/admin/"),
    "logout":                      405,  # POST only
    "password_change":             200,
    "password_change_done":        200,
    "jsi18n":                      200,
    "autocomplete":                200,
    "view_on_site":                to("/contracts/cej-loire-2014-2017/"),
    "catch_all":                   404,
    "object":                      CHANGE_PAGE,  # /admin/<app>/<model>/<pk>/
    "auth_user_password_change":   200,
    "financing_budgetline_export": 200,
}
# Everyone else, by GET and by POST, on every admin page: the admin's login page, except the
# login page itself and the logout (back to the index, hence to log in). Everyone else
# includes a Loire agent with every staff role *and* the staff flag (`flagged`): the admin is
# not scoped to a territory, so their group permissions would open every territory's rows.
ADMIN_OTHERS = {"login": 200, "logout": to("/admin/")}
# fmt: on

PATTERNS = url_patterns()
SITE = [p for p in PATTERNS if not p.is_admin]
ADMIN = [p for p in PATTERNS if p.is_admin]


def pattern_of(label: str) -> str:
    return label.split("[")[0]


def site_cells():
    """(row, method, viewer, expected) for every pattern of the site; a pattern with no row
    for a method gives one cell that fails, named after it."""
    for pattern in SITE:
        for method in (GET, POST):
            labels = [row for row, m in MATRIX if m == method and pattern_of(row) == pattern.key]
            if not labels:
                yield pytest.param(pattern.key, method, None, None, id=f"{pattern.key}-{method}")
            for label in labels:
                for viewer, expected in zip(VIEWERS, MATRIX[label, method], strict=True):
                    yield pytest.param(
                        label, method, viewer, expected, id=f"{label}-{method}-{viewer}"
                    )


@pytest.fixture(scope="module")
def world(django_db_setup, sealed_world, django_db_blocker, seal_certificate, tmp_path_factory):
    """The Loire demo with its sealed documents, and what the rows need, built once: each
    test runs in a savepoint of this transaction, rolled back after it."""
    cert, key, passphrase = seal_certificate
    private = tmp_path_factory.mktemp("matrix-private")
    storage = {"location": private, "base_url": None}
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            SEAL_CERTIFICATE_PATH=str(cert),
            SEAL_KEY_PATH=str(key),
            SEAL_KEY_PASSPHRASE=passphrase,
            PRIVATE_STORAGE_ROOT=private,
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": storage,
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world(django_db_setup, sealed_world)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_storage():
    """Replaces conftest's per-test folder: the world's documents live in the module's."""


# --- the site ------------------------------------------------------------------------------


@pytest.mark.parametrize("label, method, viewer, expected", list(site_cells()))
def test_site(world, client, label, method, viewer, expected):
    if viewer is None:
        pytest.fail(
            f"The URL pattern {label!r} has no expectation for {method}: add its row to "
            "MATRIX in tests/test_authorization_matrix.py and its scenario to "
            "tests/authz/scenarios.py."
        )
    if label not in SCENARIOS:
        pytest.fail(f"Row {label!r} has no scenario in tests/authz/scenarios.py.")
    problems = check_cell(client, world, SCENARIOS[label], method, viewer, expected)
    assert not problems, "\n".join(problems)


def test_every_row_names_a_pattern_and_every_viewer():
    keys = {p.key for p in SITE}
    for label, method in MATRIX:
        assert pattern_of(label) in keys, f"MATRIX row {label!r}: no such URL pattern"
        assert method in (GET, POST)
        assert len(MATRIX[label, method]) == len(VIEWERS), f"MATRIX row {label!r}, {method}"
    assert set(SCENARIOS) == {label for label, _method in MATRIX}


def test_the_matrix_checks_every_kind_of_write():
    """Each write the issue names succeeds for someone, and has an effect to check: what
    it changes for them, and leaves unchanged for every viewer it refuses."""
    for label in [
        "fiche_create",
        "fiche_edit",
        "fiche_transition[submit]",
        "fiche_restore",
        "budget_line_create",
        "budget_line_edit",
        "budget_line_delete",
        "budget_entry_create",
        "budget_import",
        "budget_import_confirm",
        "funder_payment_create",
        "funder_payment_delete",
        "supporting_document_create",
        "signature_record[signing]",
        "signature_cancel[signing]",
        "document_deposit",
        "amendment_seal",
        "amendment_open",
        "contract_decision",
        "amendment_edit",
        "amendment_fiche_add",
        "amendment_fiche_edit",
        "amendment_fiche_withdraw",
        "amendment_line_add",
        "amendment_line_edit",
        "amendment_line_remove",
        "amendment_added_line_edit",
        "amendment_change_cancel[fiche]",
        "amendment_change_cancel[line]",
        "amendment_change_cancel[representative]",
        "amendment_representative_add",
        "amendment_opinion",
        "amendment_reopen",
        "amendment_decision",
        "amendment_signature",
        "amendment_abandon",
        "set_language",
        "logout",
        "password_change",
    ]:
        row = [as_expect(e) for e in MATRIX[label, POST]]
        assert any(e.done for e in row), label
        assert SCENARIOS[label].effect is not None, label


def test_on_the_signed_contract_only_an_avenant_changes_the_content():
    """Every direct edit of a signed contract's content is refused, to everyone: whoever may
    make it on a contract in preparation is told the avenant route, the others are refused
    as there; nothing is written."""
    assert {pattern_of(label) for label in SIGNED_ROWS} >= {
        "fiche_create",
        "fiche_edit",
        "fiche_restore",
        "fiche_transition",
        "budget_line_create",
        "budget_line_edit",
        "budget_line_delete",
        "budget_import",
        "budget_import_confirm",
    }
    for label, preparation in SIGNED_ROWS.items():
        methods = [m for m in (GET, POST) if (label, m) in MATRIX]
        assert POST in methods, label
        for method in methods:
            cells = zip(VIEWERS, MATRIX[preparation, method], MATRIX[label, method], strict=True)
            for viewer, there, here in cells:
                there = as_expect(there)
                allowed = there.done or there.status == 200
                assert as_expect(here) == (AVENANT if allowed else there), (label, viewer)
        assert SCENARIOS[label].effect is not None, label


def test_the_signed_contracts_execution_stays_open(world):
    from cej.models import ContractStatus

    assert world.contract.status == ContractStatus.SIGNED
    assert f"/{world.contract.slug}/" in SCENARIOS["budget_entry_create"].url(world)
    finance = as_expect(MATRIX["budget_entry_create", POST][VIEWERS.index("finance")])
    assert finance.done


# --- the admin -----------------------------------------------------------------------------


def admin_expectation(kind: str, label: str | None, viewer: str, world):
    if viewer != "admin":
        return ADMIN_OTHERS.get(kind, ADMIN_LOGIN)
    if kind in ADMIN_SITE:
        expected = ADMIN_SITE[kind]
        return to(admin_url("change", label, world)) if expected == CHANGE_PAGE else expected
    columns = ("changelist", "add", "change", "delete", "history")
    expected = ADMIN_MODELS[label][columns.index(kind)]
    return to(admin_url("change", label, world)) if expected == CHANGE_PAGE else expected


@pytest.mark.admin_templates
@pytest.mark.parametrize("pattern", ADMIN, ids=[p.key for p in ADMIN])
def test_admin(world, pattern):
    """Every admin page: the administrator gets it; everyone else gets the admin's login
    page, by GET and by POST, and their POST changes nothing."""
    page = admin_page(pattern)
    if page is None:
        pytest.fail(f"No rule for the admin pattern {pattern.key!r} ({pattern.route}).")
    kind, label = page
    if label is not None and label not in ADMIN_MODELS:
        pytest.fail(f"The admin pattern {pattern.key!r} shows {label}: add it to ADMIN_MODELS.")
    url = admin_url(kind, label, world)
    problems = []
    counts = database_counts()
    for viewer in (*VIEWERS, FLAGGED):
        client = Client()
        log_in(client, world, viewer)
        expected = as_expect(admin_expectation(kind, label, viewer, world))
        methods = (GET,) if viewer == "admin" else (GET, POST)
        for method in methods:
            response = client.get(url) if method == GET else client.post(url, {})
            found = expected.mismatches(response, url)
            problems += [f"{method} {url} as {viewer}: {problem}" for problem in found]
    if database_counts() != counts:
        problems.append(f"POST {url} by someone other than the administrator changed the database")
    assert not problems, "\n".join(problems)


def test_every_admin_model_has_a_row():
    assert set(admin_models()) == set(ADMIN_MODELS)


def test_only_the_administrator_and_the_flagged_agent_are_staff(world):
    for viewer, user in world.users.items():
        if user is not None:
            assert user.is_staff == (viewer in ("admin", FLAGGED)), viewer
            assert user.is_superuser == (viewer == "admin"), viewer
