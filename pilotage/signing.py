"""The signature of a contract, and the sealed documents it produces.

Each representative's signature is recorded (date, place). When the last one is recorded, the
contract becomes signed and its final PDF is rendered once — PDF/A-3b, tagged —, sealed
(PAdES) and stored with its SHA-256. That stored document is what partners download from then
on: editing a fiche or a budget line later never touches it. An amendment (*avenant*) gets its
own sealed document beside it.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.documents import document_store, validate_pdf_upload
from cej.locking import lock_contract
from cej.models import (
    Amendment,
    AmendmentStatus,
    AnnexConvention,
    Contract,
    ContractStatus,
    Document,
    DocumentKind,
    Signature,
)
from cej.page_cache import mark_contract_changed
from cej.pdf import render_pdf
from cej.sealing import seal_pdf
from cej.selectors import missing_signatories, signing_parties
from pilotage.amendment_documents import amendment_act_context
from pilotage.contract_articles import Articles
from pilotage.contract_financing import annex_financing
from pilotage.selectors import contract_document

logger = logging.getLogger(__name__)


def _locked(contract: Contract) -> Contract:
    """The contract row, locked until the end of the transaction (`cej.locking`): two staff
    members recording the last two signatures at once must not both (or neither) seal it."""
    locked = lock_contract(contract.pk)
    if locked is None:
        raise Contract.DoesNotExist(contract.pk)
    return locked


@transaction.atomic
def signature_record(*, contract, signatory, signed_on, place: str, by) -> Signature:
    contract = _locked(contract)
    if contract.status == ContractStatus.SIGNED:
        raise ValidationError(_("Le contrat est signé : ses signatures ne changent plus."))
    if contract.status == ContractStatus.EXPIRED:
        raise ValidationError(_("Le contrat est arrivé à échéance."))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("La date de signature ne peut pas être future.")})
    if signed_on.year > contract.end_year:
        raise ValidationError(
            {
                "signed_on": _("Le contrat s'achève en %(end)s : il ne peut plus être signé.")
                % {"end": contract.end_year}
            }
        )
    if not signatory.is_active:
        raise ValidationError(
            {"signatory": _("%(person)s n'est plus en fonction.") % {"person": signatory}}
        )
    signature = Signature(
        contract=contract,
        signatory=signatory,
        signed_on=signed_on,
        place=place.strip(),
        recorded_by=by,
    )
    signature.full_clean()
    signature.save()
    if contract.status == ContractStatus.DRAFT:
        contract.status = ContractStatus.IN_SIGNATURE
        contract.save(update_fields=["status", "updated_at"])
    if not missing_signatories(contract):
        contract_finalise(contract, by=by)
    mark_contract_changed(contract.pk)
    return signature


@transaction.atomic
def signature_cancel(*, signature: Signature, by) -> None:
    """Undo a signature recorded by mistake, while the contract is not signed (nor expired:
    expired contracts are frozen)."""
    contract = _locked(signature.contract)
    if contract.status == ContractStatus.SIGNED:
        raise ValidationError(_("Le contrat est signé : ses signatures ne changent plus."))
    if contract.status == ContractStatus.EXPIRED:
        raise ValidationError(
            _("Le contrat est arrivé à échéance : ses signatures ne changent plus.")
        )
    logger.info(
        "Signature annulée : %s sur %s, par %s", signature.signatory, contract, by.get_username()
    )
    signature.delete()
    if not contract.signatures.exists() and contract.status == ContractStatus.IN_SIGNATURE:
        contract.status = ContractStatus.DRAFT
        contract.save(update_fields=["status", "updated_at"])
    mark_contract_changed(contract.pk)


@transaction.atomic
def contract_finalise(contract, *, by=None) -> Document:
    """Mark the contract signed (dated by its last signature) and produce its sealed PDF, with
    those of the annex conventions signed with it."""
    contract = _locked(contract)
    last = contract.signatures.order_by("-signed_on", "-recorded_at").first()
    if last is None or missing_signatories(contract):
        raise ValidationError(_("Tous les représentants n'ont pas encore signé."))
    contract.status = ContractStatus.SIGNED
    contract.signed_on = last.signed_on
    contract.signing_place = last.place
    contract.save(update_fields=["status", "signed_on", "signing_place", "updated_at"])
    document = contract_seal(contract, by=by)
    for annex in contract.annex_conventions.all():
        if annex.signed_on is None:
            # Annexed to the contract, it is signed in the same act (as in the Loire, 2014).
            annex.signed_on = contract.signed_on
            annex.save(update_fields=["signed_on"])
        annex_convention_seal(annex, by=by)
    mark_contract_changed(contract.pk)
    return document


def _render_seal_store(*, template: str, context: dict, reason: str, contract, **document):
    """Render the act as PDF/A-3b, seal it and store it: the one path of every sealed
    document. `document` carries the Document fields (kind, title, filename, dated, …)."""
    pdf = render_pdf(template, context, archival=True)
    sealed = seal_pdf(pdf, reason=reason, location=contract.signing_place)
    return document_store(contract=contract, content=sealed, sealed=True, **document)


def _act_context(contract, by, *, on, parties, **extra) -> dict:
    """What an annex convention or an amendment prints besides itself: its parties (named as
    on the act's date `on`, which the template's partner names follow too), when and by whom
    the document was made."""
    return {
        "contract": contract,
        "parties": parties,
        "named_on": on,
        "is_draft": False,
        "generated_at": timezone.localtime(),
        "generated_by": by,
        **extra,
    }


def contract_seal(contract, *, by=None) -> Document:
    """The contract's sealed PDF: rendered and stored the first time, returned as stored ever
    after (the database also refuses a second signed-contract document)."""
    existing = Document.objects.filter(contract=contract, kind=DocumentKind.SIGNED_CONTRACT).first()
    if existing is not None:
        return existing
    if contract.status != ContractStatus.SIGNED or contract.signed_on is None:
        raise ValidationError(_("Seul un contrat signé reçoit son document scellé."))
    return _render_seal_store(
        template="pilotage/pdf/contract.html",
        context=contract_document(contract, generated_by=by),
        reason=_("Contrat signé le %(date)s par l'ensemble des représentants des partenaires")
        % {"date": format_date_long(contract.signed_on)},
        contract=contract,
        kind=DocumentKind.SIGNED_CONTRACT,
        title=_("%(title)s — contrat signé") % {"title": contract.title},
        filename=f"{contract.slug}-signe.pdf",
        by=by,
        dated=contract.signed_on,
    )


def annex_convention_seal(annex: AnnexConvention, *, by=None) -> Document:
    existing = Document.objects.filter(
        annex_convention=annex, kind=DocumentKind.ANNEX_CONVENTION, sealed=True
    ).first()
    if existing is not None:
        return existing
    contract = annex.contract
    lines = list(
        annex.budget_lines.select_related("post", "fiche").prefetch_related("contributions")
    )
    on = annex.signed_on or timezone.localdate()
    parties = signing_parties(
        contract,
        on=on,
        # Signed with the contract, in the same act: the deliberations that approved the
        # contract authorised its signature. Signed later, it would carry its own.
        decisions=annex.signed_on is not None and annex.signed_on == contract.signed_on,
    )
    return _render_seal_store(
        template="pilotage/pdf/annex_convention.html",
        context=_act_context(
            contract,
            by,
            on=on,
            parties=parties,
            annex=annex,
            lines=lines,
            financing=annex_financing(annex, parties, lines),
            contract_articles=Articles(),
        ),
        reason=_("Convention annexe signée le %(date)s")
        % {"date": format_date_long(annex.signed_on)},
        contract=contract,
        kind=DocumentKind.ANNEX_CONVENTION,
        title=_("Convention annexe %(period)s — signée") % {"period": annex.period_label},
        filename=f"{contract.slug}-convention-annexe-{annex.period_label}.pdf",
        by=by,
        dated=annex.signed_on,
        annex_convention=annex,
    )


def amendment_seal(amendment: Amendment, *, by=None) -> Document:
    """The sealed document of a signed amendment, beside the contract's (which never changes)."""
    existing = Document.objects.filter(
        amendment=amendment, kind=DocumentKind.AMENDMENT, sealed=True
    ).first()
    if existing is not None:
        return existing
    if amendment.status != AmendmentStatus.SIGNED:
        raise ValidationError(_("Seul un avenant signé reçoit son document scellé."))
    if amendment.signed_on is None:
        raise ValidationError(
            _("Indiquez la date de signature de l'avenant avant d'en établir le document scellé.")
        )
    contract = amendment.contract
    return _render_seal_store(
        template="pilotage/pdf/amendment.html",
        context=amendment_act_context(amendment, generated_by=by),
        reason=_("Avenant n° %(number)s signé le %(date)s")
        % {"number": amendment.number, "date": format_date_long(amendment.signed_on)},
        contract=contract,
        kind=DocumentKind.AMENDMENT,
        title=_("Avenant n° %(number)s — %(title)s")
        % {"number": amendment.number, "title": amendment.title},
        filename=f"{contract.slug}-avenant-{amendment.number}.pdf",
        by=by,
        dated=amendment.signed_on,
        amendment=amendment,
    )


def scanned_original_deposit(
    *, contract, uploaded, title: str, kind: str, dated: datetime.date | None, amendment, by
) -> Document:
    """A scan of a paper original (contract, annex convention or amendment), checked to be a
    PDF within the size limit, stored with its hash."""
    content = validate_pdf_upload(uploaded)
    if amendment is not None and amendment.contract_id != contract.pk:
        raise ValidationError({"amendment": _("Cet avenant relève d'un autre contrat.")})
    return document_store(
        contract=contract,
        kind=kind,
        title=title.strip(),
        content=content,
        filename=uploaded.name or "original.pdf",
        by=by,
        dated=dated,
        amendment=amendment,
    )
