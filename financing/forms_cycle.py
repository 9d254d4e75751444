"""Forms of the money cycle: a payment received from a funder (or a sum paid back to it),
and a supporting document the funder received. Amounts are read by `cej.money.parse_amount`
(the budget forms' `MoneyField`); the rules of the cycle (the funder is one of the
contract's, the year one of its years, a payback within what was paid) stay in
`financing.cycle_services`, whose messages the views put on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cej.html import refuse_unprintable
from financing.forms import MoneyField
from financing.models import (
    FunderPayment,
    FunderPaymentKind,
    SupportingDocument,
    SupportingDocumentKind,
)

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez la date de réception."),
            "invalid": _("Saisissez une date, par exemple 30/06/2015."),
        },
    )


class _CycleForm(forms.Form):
    """Funder and year chosen among the contract's; `funders`: the Partners this user may
    record for."""

    funder = forms.TypedChoiceField(
        label=_("Financeur"),
        coerce=int,
        error_messages={
            "required": _("Choisissez le financeur."),
            "invalid_choice": _("Choisissez un financeur de ce contrat."),
        },
    )
    year = forms.TypedChoiceField(
        label=_("Exercice"),
        coerce=int,
        error_messages={
            "required": _("Choisissez l'exercice."),
            "invalid_choice": _("Choisissez un exercice du contrat."),
        },
    )

    def __init__(self, *args, contract, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.fields["funder"].choices = [("", "—")] + [(f.pk, f.name) for f in funders]
        self.fields["year"].choices = [("", "—")] + [(y, str(y)) for y in contract.years]

    def error_summary(self) -> list[str]:
        """« Montant : … » for each field in error, then the form's own errors: the message
        names the field, in the summary as next to it."""
        summary = [
            f"{self.fields[name].label} : {' '.join(errors)}"
            for name, errors in self.errors.items()
            if name in self.fields
        ]
        return summary + list(self.non_field_errors())


class FunderPaymentForm(_CycleForm):
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=FunderPaymentKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez la nature : acompte, solde ou reversement."),
            "invalid_choice": _("Choisissez la nature : acompte, solde ou reversement."),
        },
        help_text=_("Un reversement est une somme rendue au financeur (ordre de reversement)."),
    )
    amount = MoneyField(
        label=_("Montant (€)"),
        help_text=_("Par exemple 61 267,50."),
        error_messages={"required": _("Indiquez le montant.")},
    )
    received_on = _date_field(_("Reçu le"))
    reference = forms.CharField(
        label=_("Référence"),
        max_length=100,
        validators=[refuse_unprintable],
        help_text=_("N° du mandat, de l'ordre de reversement…"),
        error_messages={"required": _("Indiquez la référence du versement.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        validators=[refuse_unprintable],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def payment(self) -> FunderPayment:
        data = self.cleaned_data
        return FunderPayment(
            contract=self.contract,
            funder_id=data["funder"],
            year=data["year"],
            kind=data["kind"],
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"].strip(),
            note=data["note"].strip(),
        )


class SupportingDocumentForm(_CycleForm):
    kind = forms.ChoiceField(
        label=_("Pièce"),
        choices=SupportingDocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez la pièce reçue."),
            "invalid_choice": _("Choisissez la pièce reçue."),
        },
    )
    received_on = _date_field(_("Reçu le"))
    reference = forms.CharField(
        label=_("Référence"), max_length=100, required=False, validators=[refuse_unprintable]
    )

    def document(self) -> SupportingDocument:
        data = self.cleaned_data
        return SupportingDocument(
            contract=self.contract,
            funder_id=data["funder"],
            year=data["year"],
            kind=data["kind"],
            received_on=data["received_on"],
            reference=data["reference"].strip(),
        )
