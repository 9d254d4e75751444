"""The pages of a contract's avenants: the list (and opening one), the avenant page with its
changes against the signed contract, the forms that propose them, the approval path
(opinion, decisions, signatures), the act (`avenant.pdf`) and the consolidated contract.

Thin: scope through `scoped_contract` (404 out of scope), permissions through
`pilotage.permissions` (403 with the reason), writes through `pilotage.amendments` and
`pilotage.amendment_apply`, reads through `pilotage.amendment_selectors`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej.document_serving import serve_document
from cej.models import Amendment, AmendmentStatus, Document, DocumentKind
from cej.pdf import pdf_response, render_pdf
from cej.sealing import SealUnavailable
from cej.selectors import PartyBlock
from cej.view_helpers import add_errors, require, scoped_contract
from comments.embedding import comment_block
from comments.models import TargetKind
from fiches.forms import FicheForm
from fiches.models import Fiche
from financing.models import BudgetLine
from partners.models import Partner
from pilotage import amendment_apply, amendments
from pilotage.amendment_documents import amendment_act_context, consolidated_context
from pilotage.amendment_selectors import amendment_page, proposed_fiche_numbers
from pilotage.contract_financing import terms_sentences
from pilotage.forms_amendments import (
    AbandonForm,
    AmendmentEditForm,
    AmendmentLineForm,
    AmendmentOpenForm,
    AmendmentSignatureForm,
    DecisionForm,
    OpinionForm,
    RepresentativeChangeForm,
)
from pilotage.models import (
    AmendmentFicheChange,
    AmendmentIndicatorChange,
    AmendmentLineChange,
    AmendmentRepresentativeChange,
    ChangeKind,
)
from pilotage.permissions import (
    can_abandon_amendment,
    can_edit_amendment,
    can_edit_amendment_budget,
    can_open_amendment,
    can_record_amendment_decision,
    can_record_amendment_opinion,
    can_record_contract_decision,
)


def _amendment(contract, number) -> Amendment:
    amendment = get_object_or_404(
        Amendment.objects.select_related("annex_convention", "opened_by"),
        contract=contract,
        number=number,
    )
    amendment.contract = contract
    return amendment


def _detail(amendment):
    return redirect("amendment_detail", slug=amendment.contract.slug, number=amendment.number)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The list, opening, the contract's own decisions ------------------------------------------


@login_required
def amendment_list(request, slug, *, open_form=None, decision_form=None, status=200):
    contract = scoped_contract(request, slug)
    can_open = can_open_amendment(request.user, contract)
    can_decide = can_record_contract_decision(request.user, contract)[0]
    decisions = {d.partner_id: d for d in contract.decisions.filter(amendment=None)}
    parties = Partner.objects.filter(contract_parties__contract=contract).order_by(
        "contract_parties__order"
    )
    undecided = parties.exclude(pk__in=list(decisions))
    return render(
        request,
        "pilotage/amendment_list.html",
        {
            "contract": contract,
            "amendments": contract.amendments.order_by("number"),
            "can_open": can_open[0],
            "open_refusal": can_open[1],
            "open_form": open_form or (AmendmentOpenForm() if can_open[0] else None),
            "contract_decisions": [(p, decisions.get(p.pk)) for p in parties],
            "decision_form": decision_form
            or (DecisionForm(partners=undecided) if can_decide and undecided else None),
        },
        status=status,
    )


@login_required
@require_POST
def amendment_open(request, slug):
    contract = scoped_contract(request, slug)
    require(can_open_amendment(request.user, contract))
    form = AmendmentOpenForm(request.POST)
    if form.is_valid():
        try:
            amendment = amendments.amendment_open(
                contract=contract,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Avenant n° %(number)s ouvert : proposez-y les modifications du contrat.")
                % {"number": amendment.number},
            )
            return _detail(amendment)
    return amendment_list(request, slug, open_form=form, status=400)


@login_required
@require_POST
def contract_decision(request, slug):
    contract = scoped_contract(request, slug)
    require(can_record_contract_decision(request.user, contract))
    form = DecisionForm(
        request.POST, partners=Partner.objects.filter(contract_parties__contract=contract)
    )
    if form.is_valid():
        try:
            amendments.contract_record_decision(
                contract=contract, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Délibération enregistrée."))
            return redirect("amendment_list", slug=slug)
    return amendment_list(request, slug, decision_form=form, status=400)


# The avenant page ------------------------------------------------------------------------


@login_required
def amendment_detail(request, slug, number, *, forms=None, status=200):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    page = amendment_page(amendment)
    user = request.user
    forms = forms or {}
    can_edit = can_edit_amendment(user, amendment)
    can_budget = can_edit_amendment_budget(user, amendment)
    can_opinion = can_record_amendment_opinion(user, amendment)
    can_decide = can_record_amendment_decision(user, amendment)
    context = {
        "contract": contract,
        "amendment": amendment,
        "page": page,
        "can_edit": can_edit[0],
        "edit_refusal": can_edit[1],
        "can_budget": can_budget[0],
        "can_opinion": can_opinion[0],
        "can_abandon": can_abandon_amendment(user, amendment)[0],
        "fiches": page.fiches,
        "lines": page.lines,
        "changed_fiche_ids": {c.change.fiche_id for c in page.fiche_changes},
        "changed_line_ids": {c.change.line_id for c in page.line_changes},
        "changed_indicator_ids": {c.change.indicator_id for c in page.indicator_changes},
        **comment_block(request, kind=TargetKind.AMENDMENT, obj=amendment, contract=contract),
    }
    if can_opinion[0] and amendment.status == AmendmentStatus.DRAFT:
        context["opinion_form"] = forms.get("opinion") or OpinionForm()
    if can_decide[0]:
        missing = [p.pk for p in page.missing_decisions]
        if missing:
            context["decision_form"] = forms.get("decision") or DecisionForm(
                partners=Partner.objects.filter(pk__in=missing)
            )
        elif page.missing_signatories:
            context["signature_form"] = forms.get("signature") or AmendmentSignatureForm(
                pending=page.missing_signatories, default_place=contract.signing_place
            )
    if context["can_abandon"]:
        context["abandon_form"] = forms.get("abandon") or AbandonForm()
    return render(request, "pilotage/amendment_detail.html", context, status=status)


@login_required
def amendment_edit(request, slug, number):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment(request.user, amendment))
    annex = contract.annex_conventions.order_by("start_year").last()
    initial = {
        "title": amendment.title,
        "summary": amendment.summary,
        "new_end_year": amendment.new_end_year,
    }
    form = AmendmentEditForm(request.POST or None, initial=initial, contract=contract, annex=annex)
    if request.method == "POST" and form.is_valid():
        try:
            amendments.amendment_update(
                amendment=amendment,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                new_end_year=form.cleaned_data.get("new_end_year"),
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Avenant enregistré."))
            return _detail(amendment)
    return render(
        request,
        "pilotage/amendment_form.html",
        {"contract": contract, "amendment": amendment, "form": form, "what": "amendment"},
    )


# Fiches ----------------------------------------------------------------------------------


def _fiche_change(amendment, fiche_number):
    """The fiche of the contract and the avenant's proposal for it (either may be None: a
    fiche the avenant adds has no fiche yet)."""
    fiche = (
        Fiche.objects.filter(contract=amendment.contract, number=fiche_number)
        .prefetch_related("associated_partners", "aims")
        .first()
    )
    change = amendment.fiche_changes.filter(number=fiche_number).first()
    if fiche is None and change is None:
        raise Http404(_("Aucune fiche n° %(number)s dans ce contrat.") % {"number": fiche_number})
    return fiche, change


def _fiche_form(request, contract, fiche, change):
    """The fiche form filled with what the avenant proposes, else with the fiche as signed."""
    values = dict(change.proposed) if change is not None and change.proposed else None
    if values is None and fiche is not None:
        values = {
            "objective_id": fiche.objective_id,
            "lead_partner_id": fiche.lead_partner_id,
            "associated_partner_ids": [p.pk for p in fiche.associated_partners.all()],
            "aim_ids": [a.pk for a in fiche.aims.all()],
            **{f: getattr(fiche, f) for f in amendments.CONTENT_FIELDS},
        }
    instance = Fiche(contract=contract)
    initial = {"version": change.version if change is not None else 1}
    if values:
        for name in amendments.CONTENT_FIELDS:
            setattr(instance, name, values.get(name, ""))
        instance.objective_id = values.get("objective_id")
        instance.lead_partner_id = values.get("lead_partner_id")
        initial.update(
            associated_partners=values.get("associated_partner_ids", []),
            aims=values.get("aim_ids", []),
        )
    if fiche is not None:
        instance.pk, instance.number = fiche.pk, fiche.number
    return FicheForm(request.POST or None, instance=instance, contract=contract, initial=initial)


@login_required
def amendment_fiche_edit(request, slug, number, fiche_number=None):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment(request.user, amendment))
    fiche, change = (None, None) if fiche_number is None else _fiche_change(amendment, fiche_number)
    if change is not None and change.kind == ChangeKind.WITHDRAW:
        messages.error(
            request, _("L'avenant retire cette fiche : annulez le retrait pour la modifier.")
        )
        return _detail(amendment)
    form = _fiche_form(request, contract, fiche, change)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            amendments.amendment_fiche_propose(
                amendment=amendment,
                fiche=fiche,
                changes=form.changes(),
                associated_partners=form.cleaned_data["associated_partners"],
                aims=form.cleaned_data["aims"],
                by=request.user,
                expected_version=form.cleaned_data["version"] if change is not None else None,
            )
        except amendments.ProposalConflict as error:
            conflict = {"who": error.who}
            form.add_error(
                None,
                _(
                    "%(who)s a modifié cette proposition entre-temps : rien n'a été enregistré. "
                    "Rechargez la page pour repartir de sa version."
                )
                % {"who": error.who},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Modification de la fiche proposée dans l'avenant."))
            return _detail(amendment)
    return render(
        request,
        "pilotage/amendment_form.html",
        {
            "contract": contract,
            "amendment": amendment,
            "form": form,
            "what": "fiche",
            "fiche": fiche,
            "change": change,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def amendment_fiche_withdraw(request, slug, number, fiche_number):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment(request.user, amendment))
    fiche = get_object_or_404(Fiche, contract=contract, number=fiche_number)
    try:
        amendments.amendment_fiche_withdraw(amendment=amendment, fiche=fiche, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("Retrait de la fiche n° %(number)s proposé.") % {"number": fiche_number}
        )
    return _detail(amendment)


# Budget lines ----------------------------------------------------------------------------


def _line_form(request, amendment, *, line=None, change=None):
    contract = amendment.contract
    initial = {"version": change.version if change is not None else None}
    if change is not None and change.proposed:
        p = change.proposed
        initial.update(
            year=p["year"],
            post=p["post_id"],
            fiche_number=p.get("fiche_number"),
            label=p.get("label", ""),
            amount=p["amount"],
            other_receipts=p.get("other_receipts") or "0.00",
            continued=bool(p.get("continued", False)),
        )
    elif line is not None:
        initial.update(
            year=line.year,
            post=line.post_id,
            fiche_number=line.fiche.number if line.fiche_id else None,
            label=line.label,
            amount=line.amount,
            other_receipts=line.other_receipts,
            continued=line.continued,
        )
    return AmendmentLineForm(
        request.POST or None,
        initial=initial,
        contract=contract,
        fiche_titles=proposed_fiche_numbers(amendment),
    )


def _line_page(request, slug, number, *, line_pk=None, change_pk=None):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment_budget(request.user, amendment))
    line = change = None
    if line_pk is not None:
        line = get_object_or_404(
            BudgetLine.objects.select_related("fiche"), contract=contract, pk=line_pk
        )
        change = amendment.line_changes.filter(line=line).first()
    elif change_pk is not None:
        change = get_object_or_404(
            AmendmentLineChange, amendment=amendment, pk=change_pk, kind=ChangeKind.ADD
        )
    if change is not None and change.kind == ChangeKind.WITHDRAW:
        messages.error(
            request, _("L'avenant retire cette ligne : annulez le retrait pour la modifier.")
        )
        return _detail(amendment)
    form = _line_form(request, amendment, line=line, change=change)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendments.amendment_line_propose(
                amendment=amendment,
                line=line,
                year=data["year"],
                post=data["post"],
                fiche_number=data["fiche_number"],
                label=data["label"],
                amount=data["amount"],
                other_receipts=data["other_receipts"] or 0,
                continued=data["continued"],
                by=request.user,
                expected_version=data.get("version") if change is not None else None,
                change=change if line is None else None,
            )
        except amendments.ProposalConflict as error:
            form.add_error(
                None,
                _("%(who)s a modifié cette proposition entre-temps : rien n'a été enregistré.")
                % {"who": error.who},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Ligne budgétaire proposée dans l'avenant."))
            return _detail(amendment)
    return render(
        request,
        "pilotage/amendment_form.html",
        {
            "contract": contract,
            "amendment": amendment,
            "form": form,
            "what": "line",
            "line": line,
            "funding_terms": terms_sentences(
                contract,
                [
                    PartyBlock(partner=p, signatories=[])
                    for p in Partner.objects.filter(contract_parties__contract=contract)
                ],
            ),
        },
    )


@login_required
def amendment_line_add(request, slug, number):
    return _line_page(request, slug, number)


@login_required
def amendment_line_edit(request, slug, number, line_pk):
    return _line_page(request, slug, number, line_pk=line_pk)


@login_required
def amendment_added_line_edit(request, slug, number, change_pk):
    return _line_page(request, slug, number, change_pk=change_pk)


@login_required
@require_POST
def amendment_line_remove(request, slug, number, line_pk):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment_budget(request.user, amendment))
    line = get_object_or_404(BudgetLine, contract=contract, pk=line_pk)
    try:
        amendments.amendment_line_remove(amendment=amendment, line=line, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Retrait de la ligne proposé."))
    return _detail(amendment)


# Each kind of proposal, and who may drop it: a line's, whoever may propose lines.
CHANGE_KINDS = {
    "fiche": (AmendmentFicheChange, can_edit_amendment),
    "line": (AmendmentLineChange, can_edit_amendment_budget),
    "representative": (AmendmentRepresentativeChange, can_edit_amendment),
    "indicator": (AmendmentIndicatorChange, can_edit_amendment),
}


@login_required
@require_POST
def amendment_change_cancel(request, slug, number, kind, pk):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    if kind not in CHANGE_KINDS:
        raise Http404(_("Aucune modification de ce type."))
    model, predicate = CHANGE_KINDS[kind]
    # Refused before the proposal is looked up, as every other action of these pages: who
    # may not act is not told which ids are the avenant's proposals.
    require(predicate(request.user, amendment))
    change = get_object_or_404(model, amendment=amendment, pk=pk)
    try:
        amendments.amendment_change_cancel(change=change, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Modification retirée de l'avenant."))
    return _detail(amendment)


@login_required
def amendment_representative_add(request, slug, number):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_edit_amendment(request.user, amendment))
    form = RepresentativeChangeForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            amendments.amendment_representative_change(
                amendment=amendment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Changement de représentant proposé."))
            return _detail(amendment)
    return render(
        request,
        "pilotage/amendment_form.html",
        {"contract": contract, "amendment": amendment, "form": form, "what": "representative"},
    )


# Approval path ---------------------------------------------------------------------------


def _approval_step(
    request, slug, number, *, form_class, key, predicate, action, success, **form_kwargs
):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(predicate(request.user, amendment))
    kwargs = {name: build(amendment) for name, build in form_kwargs.items()}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            action(amendment, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except SealUnavailable as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success(amendment))
            return _detail(amendment)
    return amendment_detail(request, slug, number, forms={key: form}, status=400)


@login_required
@require_POST
def amendment_opinion(request, slug, number):
    return _approval_step(
        request,
        slug,
        number,
        form_class=OpinionForm,
        key="opinion",
        predicate=can_record_amendment_opinion,
        action=lambda a, data: amendments.amendment_record_opinion(
            amendment=a, plenary_date=data["plenary_date"], by=request.user
        ),
        success=lambda a: _("Avis de la CDAJE enregistré : les parties peuvent délibérer."),
    )


@login_required
@require_POST
def amendment_reopen(request, slug, number):
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    require(can_record_amendment_opinion(request.user, amendment))
    try:
        amendments.amendment_reopen(amendment=amendment, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Avenant repassé en préparation."))
    return _detail(amendment)


@login_required
@require_POST
def amendment_decision(request, slug, number):
    return _approval_step(
        request,
        slug,
        number,
        form_class=DecisionForm,
        key="decision",
        predicate=can_record_amendment_decision,
        action=lambda a, data: amendments.amendment_record_decision(
            amendment=a, by=request.user, **data
        ),
        success=lambda a: _("Délibération enregistrée."),
        partners=lambda a: Partner.objects.filter(contract_parties__contract=a.contract),
    )


@login_required
@require_POST
def amendment_signature(request, slug, number):
    def sign(amendment, data):
        amendment_apply.amendment_record_signature(amendment=amendment, by=request.user, **data)

    def done(amendment):
        amendment.refresh_from_db()
        if amendment.status == AmendmentStatus.SIGNED:
            return _(
                "Dernière signature enregistrée : l'avenant est signé, scellé, et ses "
                "modifications sont appliquées au contrat."
            )
        return _("Signature enregistrée.")

    return _approval_step(
        request,
        slug,
        number,
        form_class=AmendmentSignatureForm,
        key="signature",
        predicate=can_record_amendment_decision,
        action=sign,
        success=done,
        pending=lambda a: amendment_page(a).missing_signatories,
    )


@login_required
@require_POST
def amendment_abandon(request, slug, number):
    return _approval_step(
        request,
        slug,
        number,
        form_class=AbandonForm,
        key="abandon",
        predicate=can_abandon_amendment,
        action=lambda a, data: amendments.amendment_abandon(
            amendment=a, reason=data["reason"], by=request.user
        ),
        success=lambda a: _("Avenant abandonné : il reste consultable, le contrat est inchangé."),
    )


# Documents -------------------------------------------------------------------------------


@login_required
def amendment_pdf(request, slug, number):
    """The signed avenant as sealed and stored once; before, its draft (« projet »)."""
    contract = scoped_contract(request, slug)
    amendment = _amendment(contract, number)
    stored = (
        Document.objects.filter(amendment=amendment, kind=DocumentKind.AMENDMENT, sealed=True)
        .select_related("contract__territory")
        .first()
    )
    if stored is not None:
        return serve_document(request, stored)
    context = amendment_act_context(amendment, generated_by=request.user)
    # A signed avenant without its stored act (signed before the application, or loaded
    # without a seal): a reconstitution, said so on every page, never the original.
    context["unsealed_copy"] = amendment.status == AmendmentStatus.SIGNED
    pdf = render_pdf("pilotage/pdf/amendment.html", context)
    suffix = "-projet" if amendment.status != AmendmentStatus.SIGNED else "-copie"
    return pdf_response(pdf, f"{contract.slug}-avenant-{amendment.number}{suffix}.pdf")


@login_required
def consolidated_pdf(request, slug):
    """The contract as amended by its signed avenants, rendered on request, marked
    « version consolidée » on every page; never stored, never the signed original."""
    contract = scoped_contract(request, slug)
    context = consolidated_context(contract, generated_by=request.user)
    pdf = render_pdf("pilotage/pdf/consolidated.html", context)
    return pdf_response(pdf, f"{contract.slug}-version-consolidee.pdf")
