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


# --- the money cycle (on the signed contract) ------------------------------------------

MATRIX_REFERENCE = "MANDAT-MATRICE"


def _caf(world):
    from partners.models import Partner

    return Partner.objects.get(slug="caf42")


def _payment_form(world, viewer):
    """An advance from the CAF for the contract's first year."""
    return {
        "funder": _caf(world).pk,
        "year": world.contract.start_year,
        "kind": "advance",
        "amount": "1 000,00",
        "received_on": f"{world.contract.start_year}-07-15",
        "reference": MATRIX_REFERENCE,
        "note": "",
    }


def _payments(world, client, viewer):
    from financing.models import FunderPayment

    return sorted(FunderPayment.objects.filter(contract=world.contract).values_list("pk", "amount"))


def _a_payment(world):
    """A CAF payment on the signed contract, for the delete rows."""
    from financing.models import FunderPayment

    FunderPayment.objects.create(
        contract=world.contract,
        funder=_caf(world),
        year=world.contract.start_year,
        kind="advance",
        amount="500.00",
        received_on=datetime.date(world.contract.start_year, 7, 1),
        reference=MATRIX_REFERENCE,
    )


def _payment_pk(world):
    from financing.models import FunderPayment

    return FunderPayment.objects.get(contract=world.contract, reference=MATRIX_REFERENCE).pk


def _document_form(world, viewer):
    return {
        "funder": _caf(world).pk,
        "year": world.contract.start_year,
        "kind": "activity",
        "received_on": f"{world.contract.start_year + 1}-04-15",
        "reference": "BILAN-MATRICE",
    }


def _supporting_documents(world, client, viewer):
    from financing.models import SupportingDocument

    return SupportingDocument.objects.filter(contract=world.contract).count()


# --- budget ----------------------------------------------------------------------------


def _line(world):
    return world.line.pk


def _signed_line(world):
    return world.signed_line.pk


def _line_form(line_of):
    def data(world, viewer=None, **fields):
        from financing.models import BudgetLine

        line = BudgetLine.objects.get(pk=line_of(world).pk)
        return {
            "version": line.version,
            "year": line.year,
            "post": line.post_id,
            "fiche": line.fiche_id or "",
            "label": line.label,
            "amount": "12 000,00",
            "other_receipts": "",
            **fields,
        }

    return data


def _actuals_form(world, viewer=None):
    from financing.models import BudgetLine

    line = BudgetLine.objects.get(pk=world.signed_line.pk)
    return {
        "version": line.version,
        "actual_expenses": "36 512,40",
        "actual_receipts": "2 950,00",
    }


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


# --- avenants ---------------------------------------------------------------------------
# Written on avenant n° 2 (open, revising fiche 14); n° 1 is signed and sealed. Dates follow
# n° 2's path: opened 19 September 2016, the CDAJE's plenary in October, the boards in
# November, the signatures in December.

OPINION_ON = datetime.date(2016, 10, 11)
# Each party's board: slug → (body, reference, date).
DECISIONS = {
    "cg42": ("Commission permanente du Département", "CP-2016-11-0388", "2016-11-14"),
    "caf42": ("Conseil d'administration de la CAF", "2016-064", "2016-11-08"),
    "msa-adl": ("Conseil d'administration de la MSA", "CA-2016-41", "2016-11-17"),
}


def _open(world):
    return world.open_amendment.number


def avenant(url_name: str, **params):
    """The URL of `url_name` for avenant n° 2 of the signed contract."""
    return page(url_name, number=_open, **params)


def _fiche_13(world):
    """A fiche of the signed contract that avenant n° 2 leaves alone and no line funds."""
    from fiches.models import Fiche

    return Fiche.objects.get(contract=world.contract, number=13)


def _amendments(world, client, viewer):
    """The signed contract's avenants: one opened, or n° 2's title or status changed,
    shows."""
    return list(
        world.contract.amendments.order_by("number").values_list(
            "number", "status", "title", "summary", "opinion_on"
        )
    )


def _avenant_state(world, client, viewer, number=_open):
    """Avenant n° 2 (or `number`) as stored: its status, title and opinion, its proposals
    (fiches, lines, representatives, each with its version), the parties' decisions and the
    signatures."""
    from cej.models import Amendment

    amendment = Amendment.objects.get(contract=world.contract, number=number(world))
    return (
        (amendment.status, amendment.title, amendment.opinion_on, amendment.abandon_reason),
        sorted(amendment.fiche_changes.values_list("number", "kind", "version")),
        sorted(amendment.line_changes.values_list("line", "kind", "version")),
        sorted(amendment.representative_changes.values_list("leaving", "last_name")),
        sorted(amendment.decisions.values_list("partner", "reference")),
        sorted(amendment.signatures.values_list("signatory", flat=True)),
    )


def _signed_content(world):
    """The signed contract's content: its fiches, planned lines (each with its version) and
    annex convention, and the parties' representatives. Nothing an avenant proposes moves
    it before its last signature."""
    from financing.models import BudgetLine
    from partners.models import Signatory

    contract = world.contract
    return (
        sorted(contract.fiches.values_list("number", "status", "version")),
        sorted(BudgetLine.objects.filter(contract=contract).values_list("pk", "version")),
        sorted(contract.annex_conventions.values_list("pk", "end_year")),
        sorted(
            Signatory.objects.filter(
                is_active=True, partner__contract_parties__contract=contract
            ).values_list("pk", flat=True)
        ),
    )


def _contract_decisions(world, client, viewer):
    from cej.models import PartnerDecision

    decisions = PartnerDecision.objects.filter(contract=world.contract, amendment=None)
    return sorted(decisions.values_list("partner__slug", "reference"))


def _caf_undecided(world):
    """The CAF's deliberation approving the contract not recorded yet."""
    from cej.models import PartnerDecision

    PartnerDecision.objects.filter(
        contract=world.contract, amendment=None, partner__slug="caf42"
    ).delete()


def _decision_form(slug):
    def data(world, viewer):
        from partners.models import Partner

        body, reference, day = DECISIONS[slug]
        return {
            "partner": Partner.objects.get(slug=slug).pk,
            "body": body,
            "reference": reference,
            "decided_on": day,
        }

    return data


def _contract_decision_form(world, viewer):
    from partners.models import Partner

    return {
        "partner": Partner.objects.get(slug="caf42").pk,
        "body": "Conseil d'administration de la CAF",
        "reference": "2014-051",
        "decided_on": "2014-09-09",
    }


def _abandoned(world):
    """Avenant n° 2 abandoned: another one may be opened."""
    from cej.models import Amendment, AmendmentStatus

    Amendment.objects.filter(pk=world.open_amendment.pk).update(
        status=AmendmentStatus.ABANDONED,
        abandoned_on=datetime.date(2016, 10, 3),
        abandon_reason="Remplacé par la matrice.",
    )


def _in_approval(world):
    """The CDAJE gave its opinion on avenant n° 2: the parties may decide."""
    from cej.models import Amendment, AmendmentStatus

    Amendment.objects.filter(pk=world.open_amendment.pk).update(
        status=AmendmentStatus.APPROVAL, opinion_on=OPINION_ON
    )


def _avenant_in_signature(world):
    """Avenant n° 2 approved by every party: its representatives may sign, five of them, so
    the one the row records is not the last (the last would apply and seal the avenant)."""
    from cej.models import PartnerDecision
    from partners.models import Partner

    _in_approval(world)
    for slug, (body, reference, day) in DECISIONS.items():
        PartnerDecision.objects.create(
            contract=world.contract,
            amendment=world.open_amendment,
            partner=Partner.objects.get(slug=slug),
            body=body,
            reference=reference,
            decided_on=datetime.date.fromisoformat(day),
        )
    assert len(_pending_signatories(world)) > 1


def _pending_signatories(world):
    from cej.models import Amendment
    from pilotage.amendment_selectors import amendment_page

    amendment = Amendment.objects.select_related("contract").get(pk=world.open_amendment.pk)
    return amendment_page(amendment).missing_signatories


def _amendment_signature_form(world, viewer):
    signatory = _pending_signatories(world)[0]
    return {"signatory": signatory.pk, "signed_on": "2016-12-05", "place": "Saint-Étienne"}


def _line_shares(world, amount: str, **fields) -> dict:
    """An avenant's line form: `amount` all paid by the CAF, the other parties' shares
    empty."""
    from partners.models import Partner

    shares = {
        f"share_{partner.pk}": amount if partner.slug == "caf42" else ""
        for partner in Partner.objects.filter(contract_parties__contract=world.contract)
    }
    return {"amount": amount, "label": "", "fiche_number": "", **shares, **fields}


def _new_avenant_line(world, viewer):
    """A 2017 communication line funding no fiche: the contract has none."""
    from financing.models import BudgetPost

    post = BudgetPost.objects.get(code="communication")
    return _line_shares(world, "1 000,00", year=2017, post=post.pk, label="Ligne de l'avenant")


def _reallocated_line(world, viewer):
    """The signed contract's 2017 communication line (fiche 14), 38 000 € brought down to
    30 000 €: nothing is committed on it."""
    line = world.signed_line
    return _line_shares(
        world, "30 000,00", year=line.year, post=line.post_id, fiche_number=line.fiche.number
    )


def _line_added(world):
    """Avenant n° 2 adds a 2017 communication line funding no fiche."""
    from financing.models import BudgetPost
    from partners.models import Partner
    from pilotage.models import AmendmentLineChange, ChangeKind

    caf = Partner.objects.get(slug="caf42")
    AmendmentLineChange.objects.create(
        amendment=world.open_amendment,
        kind=ChangeKind.ADD,
        proposed={
            "year": 2017,
            "post_id": BudgetPost.objects.get(code="communication").pk,
            "fiche_number": None,
            "label": "Ligne ajoutée par l'avenant",
            "amount": "1000.00",
            "contributions": {str(caf.pk): "1000.00"},
        },
    )


def _added_line(world):
    from pilotage.models import AmendmentLineChange, ChangeKind

    return AmendmentLineChange.objects.get(amendment=world.open_amendment, kind=ChangeKind.ADD).pk


def _added_line_form(world, viewer):
    from financing.models import BudgetPost
    from pilotage.models import AmendmentLineChange

    change = AmendmentLineChange.objects.get(pk=_added_line(world))
    post = BudgetPost.objects.get(code="communication")
    return _line_shares(world, "2 000,00", year=2017, post=post.pk, version=change.version)


def _fiche_change(world):
    """Avenant n° 2's revision of fiche 14."""
    return world.open_amendment.fiche_changes.get(number=14).pk


def _representative_replaced(world):
    """Avenant n° 2 replaces the MSA's first representative."""
    from pilotage.models import AmendmentRepresentativeChange

    AmendmentRepresentativeChange.objects.create(
        amendment=world.open_amendment,
        leaving=_msa_representative(world),
        civility="Mme",
        first_name="Claire",
        last_name="Bonnefoy",
    )


def _msa_representative(world):
    from partners.models import Signatory

    return Signatory.objects.filter(is_active=True, partner__slug="msa-adl").order_by("pk")[0]


def _representative_change(world):
    return world.open_amendment.representative_changes.get().pk


def _representative_form(world, viewer):
    return {
        "leaving": _msa_representative(world).pk,
        "civility": "Mme",
        "first_name": "Claire",
        "last_name": "Bonnefoy",
    }


def cancel(kind: str, prepare=None) -> Scenario:
    """Dropping one of avenant n° 2's proposals: a fiche's, a line's, a representative's."""
    changes = {
        "fiche": _fiche_change,
        "line": _added_line,
        "representative": _representative_change,
    }
    return Scenario(
        url=avenant("amendment_change_cancel", kind=lambda w: kind, pk=changes[kind]),
        prepare=prepare,
        effect=_avenant_state,
        kept=_signed_content,
    )


def on_avenant(url_name: str, *, prepare=None, data=None, number=_open, **params) -> Scenario:
    """A write to avenant n° 2 (or `number`): it shows in the avenant, never in the signed
    contract."""
    return Scenario(
        url=page(url_name, number=number, **params),
        prepare=prepare,
        data=data,
        effect=lambda w, c, v: _avenant_state(w, c, v, number),
        kept=_signed_content,
    )


def _rhone_avenant(world):
    """The Rhône contract signed, its avenant n° 2 open: `elsewhere` may write to it."""
    from cej.models import Amendment, AmendmentStatus, Contract, ContractStatus

    rhone = Contract.objects.get(slug=RHONE_SLUG)
    Contract.objects.filter(pk=rhone.pk).update(
        status=ContractStatus.SIGNED, signed_on=datetime.date(2014, 10, 1)
    )
    Amendment.objects.create(
        contract=rhone, number=2, title="Avenant du Rhône", status=AmendmentStatus.DRAFT
    )


def _every_proposal(world, client, viewer):
    """Every avenant's proposals, whatever the contract."""
    from pilotage.models import (
        AmendmentFicheChange,
        AmendmentLineChange,
        AmendmentRepresentativeChange,
    )

    return (
        sorted(AmendmentFicheChange.objects.values_list("amendment", "number", "version")),
        sorted(AmendmentLineChange.objects.values_list("amendment", "pk", "version")),
        sorted(AmendmentRepresentativeChange.objects.values_list("amendment", "pk")),
    )


def via_rhone_avenant(url_name: str, *, prepare=None, data=None, **params) -> Scenario:
    """A Loire line's or proposal's id at the address of the Rhône's avenant n° 2."""

    def setup(world):
        _rhone_avenant(world)
        if prepare:
            prepare(world)

    return Scenario(
        url=via_rhone(url_name, number=_open, **params),
        prepare=setup,
        data=data,
        effect=_every_proposal,
        kept=_signed_content,
    )


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
    # Avenants of the signed contract: read by whoever sees it; n° 2 written through its
    # pages, the signed contract untouched
    "amendment_list": read("amendment_list"),
    "amendment_open": Scenario(
        url=page("amendment_open"),
        prepare=_abandoned,
        data=lambda w, v: {"title": "Avenant ouvert par la matrice", "summary": "Motifs."},
        effect=_amendments,
        kept=_signed_content,
    ),
    "contract_decision": Scenario(
        url=page("contract_decision"),
        prepare=_caf_undecided,
        data=_contract_decision_form,
        effect=_contract_decisions,
        kept=_signed_content,
    ),
    "amendment_detail": read("amendment_detail", number=_open),
    # n° 2's draft, rendered on request (laid out for the partner: the same pages for every
    # reader); n° 1's act, sealed and stored, served as it is
    "amendment_pdf": Scenario(url=page("amendment_pdf", number=_open), layout=("partner",)),
    "amendment_pdf[sealed]": read("amendment_pdf", number=lambda w: w.amendment.number),
    "amendment_edit": on_avenant(
        "amendment_edit",
        data=lambda w, v: {"title": "Avenant renommé par la matrice", "new_end_year": ""},
    ),
    "amendment_fiche_add": on_avenant(
        "amendment_fiche_add", data=_new_fiche(lambda w: w.signed_fiche)
    ),
    "amendment_fiche_edit": on_avenant(
        "amendment_fiche_edit",
        fiche_number=lambda w: _fiche_13(w).number,
        data=_fiche_form(_fiche_13),
    ),
    "amendment_fiche_withdraw": on_avenant(
        "amendment_fiche_withdraw", fiche_number=lambda w: _fiche_13(w).number
    ),
    "amendment_line_add": on_avenant("amendment_line_add", data=_new_avenant_line),
    "amendment_line_edit": on_avenant(
        "amendment_line_edit", line_pk=_signed_line, data=_reallocated_line
    ),
    "amendment_line_remove": on_avenant("amendment_line_remove", line_pk=_signed_line),
    "amendment_added_line_edit": on_avenant(
        "amendment_added_line_edit",
        prepare=_line_added,
        change_pk=_added_line,
        data=_added_line_form,
    ),
    "amendment_change_cancel[fiche]": cancel("fiche"),
    "amendment_change_cancel[line]": cancel("line", prepare=_line_added),
    "amendment_change_cancel[representative]": cancel(
        "representative", prepare=_representative_replaced
    ),
    # … at the Rhône's avenant, a Loire line's or proposal's id: not the Rhône's
    "amendment_line_edit[Rhône]": via_rhone_avenant(
        "amendment_line_edit", line_pk=_signed_line, data=_reallocated_line
    ),
    "amendment_line_remove[Rhône]": via_rhone_avenant(
        "amendment_line_remove", line_pk=_signed_line
    ),
    "amendment_added_line_edit[Rhône]": via_rhone_avenant(
        "amendment_added_line_edit",
        prepare=_line_added,
        change_pk=_added_line,
        data=_added_line_form,
    ),
    "amendment_change_cancel[Rhône]": via_rhone_avenant(
        "amendment_change_cancel", kind=lambda w: "fiche", pk=_fiche_change
    ),
    "amendment_representative_add": on_avenant(
        "amendment_representative_add", data=_representative_form
    ),
    "amendment_opinion": on_avenant(
        "amendment_opinion", data=lambda w, v: {"plenary_date": OPINION_ON.isoformat()}
    ),
    "amendment_reopen": on_avenant("amendment_reopen", prepare=_in_approval),
    "amendment_decision": on_avenant(
        "amendment_decision", prepare=_in_approval, data=_decision_form("caf42")
    ),
    "amendment_signature": on_avenant(
        "amendment_signature", prepare=_avenant_in_signature, data=_amendment_signature_form
    ),
    "amendment_abandon": on_avenant(
        "amendment_abandon", data=lambda w, v: {"reason": "Abandonné par la matrice."}
    ),
    # … and nobody changes an avenant once signed, its proposals once the CDAJE has given its
    # opinion, nor opens one on a contract not signed yet
    "amendment_edit[signed]": on_avenant(
        "amendment_edit",
        number=lambda w: w.amendment.number,
        data=lambda w, v: {"title": "Avenant renommé par la matrice", "new_end_year": ""},
    ),
    "amendment_line_add[signed]": on_avenant(
        "amendment_line_add", number=lambda w: w.amendment.number, data=_new_avenant_line
    ),
    "amendment_line_add[approval]": on_avenant(
        "amendment_line_add", prepare=_in_approval, data=_new_avenant_line
    ),
    "amendment_open[preparation]": Scenario(
        url=in_preparation("amendment_open"),
        data=lambda w, v: {"title": "Avenant ouvert par la matrice"},
        effect=lambda w, c, v: w.preparation.amendments.count(),
    ),
    # Laid out by WeasyPrint, the contract as amended takes ≈ 5 s a cell: its HTML is rendered
    # for each viewer, its pages checked in tests/pilotage/test_amendment_documents.py.
    "contract_consolidated_pdf": Scenario(url=page("contract_consolidated_pdf"), layout=False),
    # Fiches: read on the signed contract
    "fiche_list": read("fiche_list"),
    "fiche_detail": read("fiche_detail", number=_signed_fiche),
    # Laid out by WeasyPrint for the partner only (tests/authz/cells.py, `layout`): its HTML
    # is rendered for every viewer; tests/fiches/test_fiche_pdf.py reads the PDF itself.
    "fiche_pdf": Scenario(url=page("fiche_pdf", number=_signed_fiche), layout=("partner",)),
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
    # Laid out for the partner only, as fiche_pdf (tests/financing/test_report_pdf.py reads it).
    "budget_report_pdf": Scenario(url=page("budget_report_pdf"), layout=("partner",)),
    "budget_line_history": read("budget_line_history", pk=_signed_line),
    "budget_line_history[Rhône]": Scenario(url=via_rhone("budget_line_history", pk=_signed_line)),
    "budget_export_xlsx": read("budget_export_xlsx"),
    "budget_export_csv": read("budget_export_csv"),
    "budget_export_ods": read("budget_export_ods"),
    "budget_opendata_csv": read("budget_opendata_csv"),
    # The money cycle: read by whoever sees the contract, payments recorded by the funder's
    # finance officers, supporting documents by them or the territory's
    "funder_payments": read("funder_payments"),
    "funder_payment_create": Scenario(
        url=page("funder_payment_create"), data=_payment_form, effect=_payments
    ),
    "funder_payment_delete": Scenario(
        url=page("funder_payment_delete", pk=_payment_pk), prepare=_a_payment, effect=_payments
    ),
    "funder_payment_delete[Rhône]": Scenario(
        url=via_rhone("funder_payment_delete", pk=_payment_pk),
        prepare=_a_payment,
        effect=_payments,
    ),
    "supporting_document_create": Scenario(
        url=page("supporting_document_create"), data=_document_form, effect=_supporting_documents
    ),
    "funder_situation_pdf": Scenario(
        url=page(
            "funder_situation_pdf",
            funder_slug=lambda w: "caf42",
            year=lambda w: w.contract.start_year,
        ),
        layout=("partner",),
    ),
    # A year the contract does not cover, a funder it does not have: no such page.
    "funder_situation_pdf[outside]": Scenario(
        url=page("funder_situation_pdf", funder_slug=lambda w: "caf42", year=lambda w: 2030)
    ),
    "funder_situation_pdf[Rhône]": Scenario(
        url=page("funder_situation_pdf", funder_slug=lambda w: "caf69", year=lambda w: 2015)
    ),
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
    # The actual figures of the signed contract's line: execution, open after signature.
    "budget_line_actuals": Scenario(
        url=page("budget_line_actuals", pk=_signed_line),
        data=_actuals_form,
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

# Issues 19 and 20's pages, each in its module (tests/authz/rows_*.py).
from tests.authz import (  # noqa: E402
    rows_agenda,
    rows_api_core,
    rows_api_financing,
    rows_api_platform,
    rows_comments,
    rows_dossier,
    rows_evaluation,
    rows_indicators,
    rows_notifications,
    rows_plenary,
    rows_reviews,
)

# The modules of rows, one per feature since issue 19 (the matrix reads the same tuple).
ROW_MODULES = (
    rows_indicators,
    rows_reviews,
    rows_evaluation,
    rows_notifications,
    rows_plenary,
    rows_agenda,
    rows_comments,
    rows_api_core,
    rows_api_financing,
    rows_dossier,
    rows_api_platform,
)
for _rows in ROW_MODULES:
    SCENARIOS.update(_rows.SCENARIOS)
