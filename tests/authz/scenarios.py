"""For each row of the matrix: its URL, the payload of a write that succeeds when the viewer
may make it (so that a 302 is a real success, not a form error), the state it needs, and
its effect, read before and after the request."""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.authz.cells import Scenario
from tests.authz.world import PASSWORD, RHONE_SLUG, log_in, session_data
from tests.pdftools import minimal_pdf


def page(url_name: str, **params):
    """The URL of `url_name` on the Loire contract; `params` are functions of the world."""

    def build(world):
        kwargs = {"slug": world.slug, **{k: v(world) for k, v in params.items()}}
        return reverse(url_name, kwargs=kwargs)

    return build


def via_rhone(url_name: str, **params):
    """The same URL with a Loire object's id, through the Rhône contract's address."""
    return page(url_name, slug=lambda w: RHONE_SLUG, **params)


def plain(url_name: str):
    return lambda world: reverse(url_name)


def read(url_name: str, **params) -> Scenario:
    return Scenario(url=page(url_name, **params))


# --- fiches ----------------------------------------------------------------------------


def _fiche(world):
    return world.fiche.number


def _fiche_count(world, client, viewer):
    from fiches.models import Fiche

    return Fiche.objects.filter(contract=world.contract).count()


def _fiche_state(number):
    def state(world, client, viewer):
        from fiches.models import Fiche

        fiche = Fiche.objects.get(contract=world.contract, number=number(world))
        return fiche.status, fiche.version, fiche.title

    return state


def _fiche_form(world, viewer):
    from fiches.models import Fiche

    fiche = Fiche.objects.get(pk=world.fiche.pk)
    text = ("findings", "goals", "actions", "target_public", "calendar", "indicators")
    return {
        **{field: getattr(fiche, field) for field in (*text, "budget_note")},
        "version": fiche.version,
        "objective": fiche.objective_id,
        "title": "Intitulé modifié par la matrice",
        "lead_partner": fiche.lead_partner_id or "",
        "associated_partners": [p.pk for p in fiche.associated_partners.all()],
        "aims": [a.pk for a in fiche.aims.all()],
    }


def _new_fiche(world, viewer):
    title = "Fiche ajoutée par la matrice"
    return {"version": 1, "objective": world.fiche.objective_id, "title": title}


def _fiche_status(status):
    def prepare(world):
        from fiches.models import Fiche

        Fiche.objects.filter(pk=world.fiche.pk).update(status=status)

    return prepare


def transition(name: str, *, prepare=None, data=None, number=_fiche) -> Scenario:
    return Scenario(
        url=page("fiche_transition", number=number, name=lambda w: name),
        prepare=prepare,
        data=data,
        effect=_fiche_state(number),
    )


# --- budget ----------------------------------------------------------------------------


def _line(world):
    return world.line.pk


def _line_form(world, **fields):
    from financing.forms import CONTRIBUTION_PREFIX
    from financing.models import BudgetLine
    from partners.models import Partner

    line = BudgetLine.objects.get(pk=world.line.pk)
    caf = Partner.objects.get(slug="caf42")
    return {
        "version": line.version,
        "year": line.year,
        "post": line.post_id,
        "fiche": line.fiche_id,
        "label": line.label,
        "amount": "12 000,00",
        f"{CONTRIBUTION_PREFIX}{caf.pk}": "12 000,00",
        **fields,
    }


def _new_line(world, viewer):
    from fiches.models import Fiche
    from financing.models import BudgetPost

    data = _line_form(
        world,
        year=2016,
        post=BudgetPost.objects.get(code="communication").pk,
        fiche=Fiche.objects.get(contract=world.contract, number=2).pk,
        label="Ligne créée par la matrice",
    )
    del data["version"]
    return data


def _lines(world, client, viewer):
    """The Loire's lines and their versions: a line created, changed or deleted shows."""
    from financing.models import BudgetLine

    return sorted(BudgetLine.objects.filter(contract=world.contract).values_list("pk", "version"))


def _entries(world, client, viewer):
    from financing.models import ExecutionEntry

    return ExecutionEntry.objects.filter(line__contract=world.contract).count()


def _entry(world, viewer):
    return {"date": "2015-06-01", "kind": "commitment", "amount": "1 000,00", "reference": "BC-1"}


def _upload(world, viewer=None):
    return {"file": SimpleUploadedFile("budget.xlsx", world.workbook)}


def _pending_import(world, client, viewer):
    from financing.views_exchange import SESSION_KEY

    return (session_data(client) or {}).get(SESSION_KEY)


def _previewed_by_finance(world, client) -> dict:
    """The Loire import previewed by the finance officer (the real upload), handed to this
    viewer's session: only the confirmation's own checks stand between it and the budget."""
    from financing.views_exchange import SESSION_KEY

    finance = Client()
    log_in(finance, world, "finance")
    preview = finance.post(page("budget_import")(world), _upload(world))
    assert preview.status_code == 200, preview.status_code
    session = client.session
    session[SESSION_KEY] = session_data(finance)[SESSION_KEY]
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return {"fingerprint": preview.context["fingerprint"]}


# --- documents and signatures ----------------------------------------------------------


def _in_signature(world):
    """The contract before its last signatures: fiches all validated, two representatives
    still to sign (the world's signature stays recorded)."""
    from cej.models import Contract, ContractStatus, Signature
    from fiches.models import Fiche, FicheStatus

    Contract.objects.filter(pk=world.contract.pk).update(
        status=ContractStatus.IN_SIGNATURE, signed_on=None
    )
    Fiche.objects.filter(pk=world.fiche.pk).update(
        status=FicheStatus.VALIDATED, validated_on=datetime.date(2014, 9, 15)
    )
    others = Signature.objects.filter(contract=world.contract).exclude(pk=world.signature.pk)
    Signature.objects.filter(
        pk__in=list(others.order_by("-pk").values_list("pk", flat=True)[:2])
    ).delete()


def _signature_form(world, viewer):
    from cej.selectors import missing_signatories

    pending = missing_signatories(world.contract)
    signatory = pending[0] if pending else world.signature.signatory
    return {"signatory": signatory.pk, "signed_on": "2014-10-01", "place": "Saint-Étienne"}


def _signatures(world, client, viewer):
    from cej.models import Signature

    return sorted(Signature.objects.filter(contract=world.contract).values_list("pk", flat=True))


def _documents(world, client, viewer):
    from cej.models import Document

    return sorted(Document.objects.filter(contract=world.contract).values_list("pk", flat=True))


def _deposit(world, viewer):
    from cej.models import DocumentKind

    return {
        "kind": DocumentKind.SCANNED_ORIGINAL,
        "title": "Original signé de la CAF",
        "dated": "2014-10-01",
        "file": SimpleUploadedFile("original.pdf", minimal_pdf(), "application/pdf"),
    }


def _session_user(world, client, viewer):
    data = session_data(client)
    return data and (data["key"], data.get("_auth_user_id"))


def _password(world, client, viewer):
    from django.contrib.auth import get_user_model

    user = world.users[viewer]
    return user and get_user_model().objects.get(pk=user.pk).password


def _language(world, client, viewer):
    cookie = client.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie and cookie.value


def _new_password(world, viewer):
    new = "Une phrase de passe assez longue 2025"
    return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


# Rows are named as in the MATRIX; `[Rhône]`: a Loire object's id at the Rhône's address.
SCENARIOS: dict[str, Scenario] = {
    "/": Scenario(url=lambda w: "/"),
    "login": Scenario(
        url=plain("login"),
        data=lambda w, v: {"username": "partner-caf", "password": PASSWORD},
        effect=_session_user,
    ),
    "logout": Scenario(url=plain("logout"), effect=_session_user),
    "password_change": Scenario(url=plain("password_change"), data=_new_password, effect=_password),
    "password_change_done": Scenario(url=plain("password_change_done")),
    "set_language": Scenario(
        url=plain("set_language"),
        data=lambda w, v: {"language": "en", "next": "/contracts/"},
        effect=_language,
    ),
    "contract_list": Scenario(url=plain("contract_list")),
    "contract_dashboard": read("contract_dashboard"),
    "contract_pdf": read("contract_pdf"),
    # Documents and signatures
    "contract_documents": read("contract_documents"),
    "document_download": read("document_download", pk=lambda w: w.document.pk),
    "document_download[Rhône]": Scenario(
        url=via_rhone("document_download", pk=lambda w: w.document.pk)
    ),
    "signature_record[signing]": Scenario(
        url=page("signature_record"),
        prepare=_in_signature,
        data=_signature_form,
        effect=_signatures,
    ),
    "signature_record[signed]": Scenario(
        url=page("signature_record"), data=_signature_form, effect=_signatures
    ),
    "signature_cancel[signing]": Scenario(
        url=page("signature_cancel", pk=lambda w: w.signature.pk),
        prepare=_in_signature,
        effect=_signatures,
    ),
    "signature_cancel[signed]": Scenario(
        url=page("signature_cancel", pk=lambda w: w.signature.pk), effect=_signatures
    ),
    "signature_cancel[Rhône]": Scenario(
        url=via_rhone("signature_cancel", pk=lambda w: w.signature.pk),
        prepare=_in_signature,
        effect=_signatures,
    ),
    "document_deposit": Scenario(url=page("document_deposit"), data=_deposit, effect=_documents),
    "amendment_seal": Scenario(
        url=page("amendment_seal", number=lambda w: w.amendment.number), effect=_documents
    ),
    # Fiches
    "fiche_list": read("fiche_list"),
    "fiche_create": Scenario(url=page("fiche_create"), data=_new_fiche, effect=_fiche_count),
    "fiche_detail": read("fiche_detail", number=_fiche),
    "fiche_edit": Scenario(
        url=page("fiche_edit", number=_fiche), data=_fiche_form, effect=_fiche_state(_fiche)
    ),
    "fiche_pdf": read("fiche_pdf", number=_fiche),
    "fiche_history": read("fiche_history", number=_fiche),
    "fiche_restore": Scenario(
        url=page("fiche_restore", number=_fiche, version=lambda w: 1), effect=_fiche_state(_fiche)
    ),
    "fiche_transition[submit]": transition("submit"),
    "fiche_transition[to_draft]": transition("return_to_draft", prepare=_fiche_status("submitted")),
    "fiche_transition[validate]": transition(
        "validate",
        prepare=_fiche_status("submitted"),
        data=lambda w, v: {"plenary_date": "2015-03-02"},
    ),
    "fiche_transition[reopen]": transition("reopen", number=lambda w: w.validated_fiche.number),
    "fiche_transition[withdraw]": transition("withdraw"),
    "fiche_transition[reinstate]": transition("reinstate", prepare=_fiche_status("withdrawn")),
    "fiche_transition[unknown]": transition("publish"),
    # Budget
    "budget": read("budget"),
    "budget_report_pdf": read("budget_report_pdf"),
    "budget_line_create": Scenario(url=page("budget_line_create"), data=_new_line, effect=_lines),
    "budget_line_edit": Scenario(
        url=page("budget_line_edit", pk=_line), data=lambda w, v: _line_form(w), effect=_lines
    ),
    "budget_line_edit[Rhône]": Scenario(
        url=via_rhone("budget_line_edit", pk=_line), data=lambda w, v: _line_form(w), effect=_lines
    ),
    "budget_line_delete": Scenario(
        url=page("budget_line_delete", pk=_line),
        data=lambda w, v: {"version": w.line.version},
        effect=_lines,
    ),
    "budget_line_delete[Rhône]": Scenario(
        url=via_rhone("budget_line_delete", pk=_line),
        data=lambda w, v: {"version": w.line.version},
        effect=_lines,
    ),
    "budget_line_history": read("budget_line_history", pk=_line),
    "budget_line_history[Rhône]": Scenario(url=via_rhone("budget_line_history", pk=_line)),
    "budget_entry_create": Scenario(
        url=page("budget_entry_create", pk=_line), data=_entry, effect=_entries
    ),
    "budget_entry_create[Rhône]": Scenario(
        url=via_rhone("budget_entry_create", pk=_line), data=_entry, effect=_entries
    ),
    "budget_export_xlsx": read("budget_export_xlsx"),
    "budget_export_csv": read("budget_export_csv"),
    "budget_export_ods": read("budget_export_ods"),
    "budget_opendata_csv": read("budget_opendata_csv"),
    "budget_import": Scenario(url=page("budget_import"), data=_upload, effect=_pending_import),
    "budget_import_confirm": Scenario(
        url=page("budget_import_confirm"), before=_previewed_by_finance, effect=_lines
    ),
    "budget_import_confirm[Rhône]": Scenario(
        url=via_rhone("budget_import_confirm"), before=_previewed_by_finance, effect=_lines
    ),
}
