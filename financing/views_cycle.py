"""Pages of the money cycle of a contract: each funder's payments and supporting documents
per year, the forms that record them, and the « situation financière » PDF per funder and
year. Thin: scope through the contract (out of scope is 404), permissions through
financing.permissions (refused is 403 with the reason), changes through
financing.cycle_services, figures from financing.cycle_selectors."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.models import ContractParty, PartyRole
from cej.money import format_eur
from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.permissions import member_partner_ids
from cej.view_helpers import add_errors, require, scoped_contract
from financing import cycle_services
from financing.cycle_selectors import contract_cycle
from financing.forms_cycle import FunderPaymentForm, SupportingDocumentForm
from financing.models import BudgetLine, FunderPayment
from financing.permissions import can_record_funder_payment, can_record_supporting_document
from financing.terms import contract_terms
from partners.models import Partner


def _payments_url(contract) -> str:
    return reverse("funder_payments", kwargs={"slug": contract.slug})


def _allowed_funders(request, contract, funders, predicate) -> list:
    """The funders this user may record for; 403 with the predicate's reason if none."""
    decisions = [(funder, predicate(request.user, contract, funder.pk)) for funder in funders]
    allowed = [funder for funder, (ok, _reason) in decisions if ok]
    if not allowed:
        if not decisions:
            require((False, _("Ce contrat n'a aucun financeur.")))
        # The reason given for the user's own organisation, if it is one of the funders.
        own = member_partner_ids(request.user)
        require(next((d for f, d in decisions if f.pk in own), decisions[0][1]))
    return allowed


def _funders(contract) -> list[Partner]:
    terms = contract_terms(contract.pk)
    partners = Partner.objects.in_bulk(list(terms.funder_ids))
    return [partners[pk] for pk in terms.funder_ids if pk in partners]


def _initial(request, contract) -> dict:
    """`?funder=<id>&year=<year>` from a row of the payments page, when usable."""
    initial = {}
    for name in ("funder", "year"):
        raw = request.GET.get(name, "")
        if re.fullmatch(r"[0-9]{1,9}", raw):
            initial[name] = int(raw)
    return initial


@login_required
def funder_payments(request, slug):
    """Each funder, each year: its position, the movements recorded, the documents; with
    the links this user may follow. The body is cached like the budget page's: per state of
    the contract, per day (what is late changes with the date), per what the viewer may
    record."""
    contract = scoped_contract(request, slug)
    today = timezone.localdate()
    user = request.user
    funder_ids = list(
        ContractParty.objects.filter(contract_id=contract.pk, role=PartyRole.FUNDER)
        .order_by("partner_id")
        .values_list("partner_id", flat=True)
    )
    record = [pk for pk in funder_ids if can_record_funder_payment(user, contract, pk)[0]]
    record_document = [
        pk for pk in funder_ids if can_record_supporting_document(user, contract, pk)[0]
    ]

    def build_context():
        cycle = contract_cycle(contract, today=today)
        return {
            "contract": contract,
            "cycle": cycle,
            "funders": [
                {"funder": funder, "positions": cycle.for_funder(funder.pk)}
                for funder in cycle.funders
            ],
        }

    body = cached_fragment(
        request,
        contract,
        "financing/_funder_payments_body.html",
        build_context,
        viewer={
            "today": today.isoformat(),
            "record": record,
            "record_document": record_document,
        },
    )
    return render(
        request,
        "financing/funder_payments.html",
        {
            "contract": contract,
            "body": body,
            "can_record_any": bool(record),
            "can_record_document_any": bool(record_document),
        },
    )


@login_required
def funder_payment_create(request, slug):
    contract = scoped_contract(request, slug)
    funders = _allowed_funders(request, contract, _funders(contract), can_record_funder_payment)
    form = FunderPaymentForm(
        request.POST or None,
        contract=contract,
        funders=funders,
        initial={"received_on": timezone.localdate(), **_initial(request, contract)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = cycle_services.funder_payment_record(payment=form.payment(), by=request.user)
        except ValidationError as error:
            add_errors(form, error, field_map={"contract": None, "recorded_by": None})
        else:
            messages.success(
                request,
                _("%(kind)s de %(amount)s enregistré : %(funder)s, exercice %(year)s.")
                % {
                    "kind": payment.get_kind_display(),
                    "amount": format_eur(payment.amount),
                    "funder": payment.funder.name,
                    "year": payment.year,
                },
            )
            return redirect(_payments_url(contract))
    return render(
        request,
        "financing/cycle_form.html",
        {
            "contract": contract,
            "form": form,
            "title": _("Enregistrer un versement ou un reversement"),
            "here": _("Versement"),
        },
    )


@login_required
def funder_payment_delete(request, slug, pk):
    contract = scoped_contract(request, slug)
    payment = get_object_or_404(
        FunderPayment.objects.filter(contract=contract).select_related("funder", "recorded_by"),
        pk=pk,
    )
    require(can_record_funder_payment(request.user, contract, payment.funder_id))
    if request.method == "POST":
        cycle_services.funder_payment_delete(payment=payment, by=request.user)
        messages.success(
            request,
            _("%(kind)s de %(amount)s du %(date)s supprimé.")
            % {
                "kind": payment.get_kind_display(),
                "amount": format_eur(payment.amount),
                "date": format_date_long(payment.received_on),
            },
        )
        return redirect(_payments_url(contract))
    return render(
        request,
        "financing/funder_payment_confirm_delete.html",
        {"contract": contract, "payment": payment},
    )


@login_required
def supporting_document_create(request, slug):
    contract = scoped_contract(request, slug)
    funders = _allowed_funders(
        request, contract, _funders(contract), can_record_supporting_document
    )
    form = SupportingDocumentForm(
        request.POST or None,
        contract=contract,
        funders=funders,
        initial={"received_on": timezone.localdate(), **_initial(request, contract)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = cycle_services.supporting_document_record(
                document=form.document(), by=request.user
            )
        except ValidationError as error:
            add_errors(form, error, field_map={"contract": None, "recorded_by": None})
        else:
            messages.success(
                request,
                _("Justificatif enregistré : %(kind)s, %(funder)s, exercice %(year)s.")
                % {
                    "kind": document.get_kind_display(),
                    "funder": document.funder.name,
                    "year": document.year,
                },
            )
            return redirect(_payments_url(contract))
    return render(
        request,
        "financing/cycle_form.html",
        {
            "contract": contract,
            "form": form,
            "title": _("Enregistrer un justificatif reçu"),
            "here": _("Justificatif"),
        },
    )


@login_required
def funder_situation_pdf(request, slug, funder_slug, year):
    """« Situation financière » of one funder for one year, as of today: what was due
    (advances, balance on the actual figures), paid, remains, to recover; the supporting
    documents; the PSEJ per line, forecast and actual. Out of the contract's years, or not
    one of its funders: 404."""
    contract = scoped_contract(request, slug)
    year = int(year)
    if not contract.covers_year(year):
        raise Http404(_("Le contrat ne couvre pas cet exercice."))
    today = timezone.localdate()
    cycle = contract_cycle(contract, today=today)
    funder = next((f for f in cycle.funders if f.slug == funder_slug), None)
    if funder is None:
        raise Http404(_("Cet organisme ne finance pas ce contrat."))
    position = cycle.position(funder.pk, year)
    parties = Partner.objects.prefetch_related("former_names").in_bulk(
        [funder.pk] + ([cycle.beneficiary.pk] if cycle.beneficiary else [])
    )
    beneficiary = parties.get(cycle.beneficiary.pk) if cycle.beneficiary else None
    lines = []
    for line in (
        BudgetLine.objects.filter(contract=contract, year=year)
        .select_related("post", "fiche")
        .order_by("annex_convention_id", "post__order", "fiche__number", "pk")
    ):
        plan = cycle.plans.get(line.pk)
        if plan is None:
            continue
        lines.append(
            {
                "line": line,
                "plan": plan,
                "forecast": plan.forecast.psej.get(funder.pk, 0),
                "actual": None if plan.actual is None else plan.actual.psej.get(funder.pk, 0),
            }
        )
    pdf = render_pdf(
        "financing/pdf/funder_situation.html",
        {
            "contract": contract,
            "year": year,
            "funder_name": parties[funder.pk].name_on(today),
            "beneficiary_name": beneficiary.name_on(today) if beneficiary else "",
            "item": position,
            "position": position.position,
            "lines": lines,
            "is_draft": False,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
        },
    )
    return pdf_response(pdf, f"{contract.slug}-situation-{funder.slug}-{year}.pdf")
