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


def signed(world):
    return world.contract


def preparing(world):
    return world.preparation


def page(url_name: str, *, on=signed, **params):
    """The URL of `url_name` on a Loire contract (`on`: the signed one unless said); `params`
    are functions of the world."""

    def build(world):
        kwargs = {"slug": on(world).slug, **{k: v(world) for k, v in params.items()}}
        return reverse(url_name, kwargs=kwargs)

    return build


def in_preparation(url_name: str, **params):
    """The URL of `url_name` on the Loire contract in preparation."""
    return page(url_name, on=preparing, **params)


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


def _signed_fiche(world):
    return world.signed_fiche.number


def _fiche_count(on):
    def count(world, client, viewer):
        from fiches.models import Fiche

        return Fiche.objects.filter(contract=on(world)).count()

    return count


def _fiche_state(number, on=preparing):
    def state(world, client, viewer):
        from fiches.models import Fiche

        fiche = Fiche.objects.get(contract=on(world), number=number(world))
        return fiche.status, fiche.version, fiche.title

    return state


def _fiche_form(fiche_of):
    def data(world, viewer):
        from fiches.models import Fiche

        fiche = Fiche.objects.get(pk=fiche_of(world).pk)
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

    return data


def _new_fiche(fiche_of):
    def data(world, viewer):
        title = "Fiche ajoutée par la matrice"
        return {"version": 1, "objective": fiche_of(world).objective_id, "title": title}

    return data


def _fiche_status(status):
    def prepare(world):
        from fiches.models import Fiche

        Fiche.objects.filter(pk=world.fiche.pk).update(status=status)

    return prepare


def transition(name: str, *, prepare=None, data=None, number=_fiche, on=preparing) -> Scenario:
    return Scenario(
        url=page("fiche_transition", on=on, number=number, name=lambda w: name),
        prepare=prepare,
        data=data,
        effect=_fiche_state(number, on),
    )


# --- budget ----------------------------------------------------------------------------


def _line(world):
    return world.line.pk


def _signed_line(world):
    return world.signed_line.pk


def _line_form(line_of):
    def data(world, viewer=None, **fields):
        from financing.forms import CONTRIBUTION_PREFIX
        from financing.models import BudgetLine
        from partners.models import Partner

        line = BudgetLine.objects.get(pk=line_of(world).pk)
        caf = Partner.objects.get(slug="caf42")
        return {
            "version": line.version,
            "year": line.year,
            "post": line.post_id,
            "fiche": line.fiche_id or "",
            "label": line.label,
            "amount": "12 000,00",
            f"{CONTRIBUTION_PREFIX}{caf.pk}": "12 000,00",
            **fields,
        }

    return data


def _new_line(on, line_of):
    """A communication line of the contract's second year, funding its fiche n° 2."""

    def data(world, viewer):
        from fiches.models import Fiche
        from financing.models import BudgetPost

        contract = on(world)
        data = _line_form(line_of)(
            world,
            year=contract.start_year + 1,
            post=BudgetPost.objects.get(code="communication").pk,
            fiche=Fiche.objects.get(contract=contract, number=2).pk,
            label="Ligne créée par la matrice",
        )
        del data["version"]
        return data

    return data


def _lines(on):
    def lines(world, client, viewer):
        """The contract's lines and their versions: a line created, changed or deleted
        shows."""
        from financing.models import BudgetLine

        return sorted(BudgetLine.objects.filter(contract=on(world)).values_list("pk", "version"))

    return lines


def _entries(world, client, viewer):
    from financing.models import ExecutionEntry

    return ExecutionEntry.objects.filter(line__contract=world.contract).count()


def _entry(world, viewer):
    return {"date": "2017-06-01", "kind": "commitment", "amount": "1 000,00", "reference": "BC-1"}


def _upload(world, viewer=None):
    return {"file": SimpleUploadedFile("budget.xlsx", world.workbook)}


def _pending_import(world, client, viewer):
    from financing.views_exchange import SESSION_KEY

    return (session_data(client) or {}).get(SESSION_KEY)


def _previewed_by_finance(world, client) -> dict:
    """The import previewed by the finance officer on the contract in preparation (the real
    upload), handed to this viewer's session: only the confirmation's own checks stand
    between it and the budget."""
    from financing.views_exchange import SESSION_KEY

    finance = Client()
    log_in(finance, world, "finance")
    preview = finance.post(in_preparation("budget_import")(world), _upload(world))
    assert preview.status_code == 200, preview.status_code
    session = client.session
    session[SESSION_KEY] = session_data(finance)[SESSION_KEY]
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return {"fingerprint": preview.context["fingerprint"]}


def _previewed_then_signed(world, client) -> dict:
    """The same preview, and the contract signed before it is confirmed."""
    from cej.models import Contract, ContractStatus

    fingerprint = _previewed_by_finance(world, client)
    Contract.objects.filter(pk=world.preparation.pk).update(
        status=ContractStatus.SIGNED, signed_on=datetime.date(2018, 1, 15)
    )
    return fingerprint


# --- documents and signatures ----------------------------------------------------------


def _in_signature(world):
    """The contract before its last signatures: its fiches all validated, two
    representatives still to sign (the world's signature stays recorded)."""
    from cej.models import Contract, ContractStatus, Signature

    Contract.objects.filter(pk=world.contract.pk).update(
        status=ContractStatus.IN_SIGNATURE, signed_on=None
    )
    others = Signature.objects.filter(contract=world.contract).exclude(pk=world.signature.pk)
    Signature.objects.filter(
        pk__in=list(others.order_by("-pk").values_list("pk", flat=True)[:2])
    ).delete()


def _amendment_not_sealed(world):
    """Avenant n° 1 as signed when the seal was unavailable: its act not sealed yet."""
    from cej.models import Document

    Document.objects.filter(amendment=world.amendment).delete()


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


# Rows are named as in the MATRIX. Reading, documents, signatures and execution are the signed
# contract's; a write to its content (fiches, planned lines) is the contract in preparation's,
# and the signed one's in the rows marked `[signed]`. `[Rhône]`: a Loire object's id at the
# Rhône's address.
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
        url=page("amendment_seal", number=lambda w: w.amendment.number),
        prepare=_amendment_not_sealed,
        effect=_documents,
    ),
    # Fiches: read on the signed contract
    "fiche_list": read("fiche_list"),
    "fiche_detail": read("fiche_detail", number=_signed_fiche),
    "fiche_pdf": read("fiche_pdf", number=_signed_fiche),
    "fiche_history": read("fiche_history", number=_signed_fiche),
    # … written on the contract in preparation
    "fiche_create": Scenario(
        url=in_preparation("fiche_create"),
        data=_new_fiche(lambda w: w.fiche),
        effect=_fiche_count(preparing),
    ),
    "fiche_edit": Scenario(
        url=in_preparation("fiche_edit", number=_fiche),
        data=_fiche_form(lambda w: w.fiche),
        effect=_fiche_state(_fiche),
    ),
    "fiche_restore": Scenario(
        url=in_preparation("fiche_restore", number=_fiche, version=lambda w: 1),
        effect=_fiche_state(_fiche),
    ),
    "fiche_transition[submit]": transition("submit"),
    "fiche_transition[to_draft]": transition("return_to_draft", prepare=_fiche_status("submitted")),
    "fiche_transition[validate]": transition(
        "validate",
        prepare=_fiche_status("submitted"),
        data=lambda w, v: {"plenary_date": "2017-12-12"},
    ),
    "fiche_transition[reopen]": transition("reopen", number=lambda w: w.validated_fiche.number),
    "fiche_transition[withdraw]": transition("withdraw"),
    "fiche_transition[reinstate]": transition("reinstate", prepare=_fiche_status("withdrawn")),
    "fiche_transition[unknown]": transition("publish"),
    # … and not on the signed one: fiche n° 4, revised by avenant n° 1
    "fiche_create[signed]": Scenario(
        url=page("fiche_create"),
        data=_new_fiche(lambda w: w.signed_fiche),
        effect=_fiche_count(signed),
    ),
    "fiche_edit[signed]": Scenario(
        url=page("fiche_edit", number=_signed_fiche),
        data=_fiche_form(lambda w: w.signed_fiche),
        effect=_fiche_state(_signed_fiche, signed),
    ),
    # Its text as first signed, before the avenant: only another avenant brings it back.
    "fiche_restore[signed]": Scenario(
        url=page("fiche_restore", number=_signed_fiche, version=lambda w: 1),
        effect=_fiche_state(_signed_fiche, signed),
    ),
    # Validated in plenary, as every fiche of a signed contract: reopening it for revision.
    "fiche_transition[signed]": transition("reopen", number=_signed_fiche, on=signed),
    # Budget: read on the signed contract
    "budget": read("budget"),
    "budget_report_pdf": read("budget_report_pdf"),
    "budget_line_history": read("budget_line_history", pk=_signed_line),
    "budget_line_history[Rhône]": Scenario(url=via_rhone("budget_line_history", pk=_signed_line)),
    "budget_export_xlsx": read("budget_export_xlsx"),
    "budget_export_csv": read("budget_export_csv"),
    "budget_export_ods": read("budget_export_ods"),
    "budget_opendata_csv": read("budget_opendata_csv"),
    # … its execution recorded there
    "budget_entry_create": Scenario(
        url=page("budget_entry_create", pk=_signed_line), data=_entry, effect=_entries
    ),
    "budget_entry_create[Rhône]": Scenario(
        url=via_rhone("budget_entry_create", pk=_signed_line), data=_entry, effect=_entries
    ),
    # … its plan written on the contract in preparation
    "budget_line_create": Scenario(
        url=in_preparation("budget_line_create"),
        data=_new_line(preparing, lambda w: w.line),
        effect=_lines(preparing),
    ),
    "budget_line_edit": Scenario(
        url=in_preparation("budget_line_edit", pk=_line),
        data=_line_form(lambda w: w.line),
        effect=_lines(preparing),
    ),
    "budget_line_edit[Rhône]": Scenario(
        url=via_rhone("budget_line_edit", pk=_line),
        data=_line_form(lambda w: w.line),
        effect=_lines(preparing),
    ),
    "budget_line_delete": Scenario(
        url=in_preparation("budget_line_delete", pk=_line),
        data=lambda w, v: {"version": w.line.version},
        effect=_lines(preparing),
    ),
    "budget_line_delete[Rhône]": Scenario(
        url=via_rhone("budget_line_delete", pk=_line),
        data=lambda w, v: {"version": w.line.version},
        effect=_lines(preparing),
    ),
    "budget_import": Scenario(
        url=in_preparation("budget_import"), data=_upload, effect=_pending_import
    ),
    "budget_import_confirm": Scenario(
        url=in_preparation("budget_import_confirm"),
        before=_previewed_by_finance,
        effect=_lines(preparing),
    ),
    "budget_import_confirm[Rhône]": Scenario(
        url=via_rhone("budget_import_confirm"),
        before=_previewed_by_finance,
        effect=_lines(preparing),
    ),
    # … and not on the signed one (its line with nothing committed: only the signature
    # keeps it)
    "budget_line_create[signed]": Scenario(
        url=page("budget_line_create"),
        data=_new_line(signed, lambda w: w.signed_line),
        effect=_lines(signed),
    ),
    "budget_line_edit[signed]": Scenario(
        url=page("budget_line_edit", pk=_signed_line),
        data=_line_form(lambda w: w.signed_line),
        effect=_lines(signed),
    ),
    "budget_line_delete[signed]": Scenario(
        url=page("budget_line_delete", pk=_signed_line),
        data=lambda w, v: {"version": w.signed_line.version},
        effect=_lines(signed),
    ),
    "budget_import[signed]": Scenario(
        url=page("budget_import"), data=_upload, effect=_pending_import
    ),
    # Previewed while in preparation, confirmed once signed.
    "budget_import_confirm[signed]": Scenario(
        url=in_preparation("budget_import_confirm"),
        before=_previewed_then_signed,
        effect=_lines(preparing),
    ),
}
