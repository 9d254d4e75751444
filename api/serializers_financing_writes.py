"""What a partner's information system pushes: a line's actual figures, a payment received.
Checked here for shape (an amount, a date, a choice among the contract's), in the pages'
words; the rules themselves (both actual figures or neither, receipts within expenses, a
payback within what was paid, who may) stay in the services, whose French messages reach
the client on the field they name (`django_errors`).

Amounts: a decimal string with a dot (`"36512.40"`), or a JSON number read from its
shortest text (0.1 is « 0.1 »). Refused with the pages' messages: negative, beyond 12
digits, more than two decimals — where the pages round a typed third of a cent (a
spreadsheet's), a program sending more decimals has a bug or a float's artefact
(0.1 + 0.2 is 0.30000000000000004), and rounding it would hide that —; and what is no
plain number (a French « 36 512,40 », `1e3`, `NaN`: a program sends one format, and a
guess would be a wrong amount)."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers_financing import choice
from cej.html import refuse_unprintable
from cej.money import MAX_AMOUNT
from financing.models import FunderPaymentKind

_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
        "example": "36512.40",
    }
)
class AmountField(serializers.Field):
    """An amount in euros, as a decimal string or an integer; `""` and null mean none
    (when `allow_null`)."""

    default_error_messages = {
        "invalid": _(
            "Montant attendu : une chaîne décimale avec un point, par exemple « 45000.50 »."
        ),
        "negative": _("Un montant ne peut pas être négatif."),
        "decimals": _("Un montant s'arrête aux centimes : deux chiffres après la virgule."),
        "too_large": _("Ce montant est trop grand."),
        "null": _("Indiquez le montant."),
    }

    def to_internal_value(self, data):
        if data == "" and self.allow_null:
            return None
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float):
            # The shortest text of the float: 0.1 is « 0.1 », 0.1 + 0.2 is not two decimals.
            text = repr(data)
        elif isinstance(data, int):
            text = str(data)
        elif isinstance(data, str):
            text = data.strip()
        else:
            self.fail("invalid")
        if not _PLAIN_DECIMAL.fullmatch(text):
            self.fail("invalid")
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover — the pattern lets only numbers through
            self.fail("invalid")
        if amount < 0:
            self.fail("negative")
        if amount.as_tuple().exponent < -2:
            self.fail("decimals")
        if amount > MAX_AMOUNT:
            self.fail("too_large")
        return amount.quantize(Decimal("0.01"))

    def to_representation(self, value):
        return None if value is None else f"{value:.2f}"


class IndicatorValueField(AmountField):
    """An indicator's figure (places, families, a rate…): the rules of an amount, in the
    indicator page's words (`fiches.indicator_forms.ValueField`)."""

    default_error_messages = {
        "invalid": _("Nombre attendu : une chaîne décimale avec un point, par exemple « 12.5 »."),
        "negative": _("La valeur ne peut pas être négative."),
        "decimals": _("Deux chiffres après la virgule au plus."),
        "too_large": _("Cette valeur est trop grande."),
        "null": _("Indiquez la valeur."),
    }


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, validators=[refuse_unprintable], trim_whitespace=True, **kwargs
    )


class LineActualsInputSerializer(serializers.Serializer):
    # What the page's form takes (`financing.forms.LineActualsForm`); the docstring is the
    # schema's description.
    """Réalisé d'une ligne : dépenses et autres recettes réalisées, les deux (ou les deux
    vides pour retirer une déclaration), avec la version de la ligne lue (verrou optimiste :
    une version dépassée est refusée, 409)."""

    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="Version de la ligne lue (champ `version`)."
    )
    actual_expenses = AmountField(
        allow_null=True, help_text="Dépenses réalisées, par exemple « 36512.40 » ; null : retrait."
    )
    actual_receipts = AmountField(
        allow_null=True,
        help_text="Autres recettes réalisées (hors PSEJ), « 0.00 » s'il n'y en a pas.",
    )


class FunderPaymentInputSerializer(serializers.Serializer):
    # As the money-cycle page records it (`financing.forms_cycle.FunderPaymentForm`);
    # context: `funders`, the contract's funders by slug; `years`, its years.
    """Versement reçu d'un financeur (acompte, solde) ou somme qui lui est reversée
    (reversement)."""

    funder = serializers.CharField(max_length=60, help_text="Identifiant (slug) du financeur.")
    year = serializers.IntegerField(help_text="Exercice.")
    kind = choice(
        FunderPaymentKind.values,
        max_length=20,
        help_text="advance (acompte), balance (solde) ou refund (reversement).",
    )
    amount = AmountField(help_text="Montant, par exemple « 61267.50 ».")
    received_on = serializers.DateField(
        input_formats=["iso-8601"], help_text="Date de réception (AAAA-MM-JJ)."
    )
    reference = _text(100, help_text="N° du mandat, de l'ordre de reversement…")
    note = _text(2000, required=False, allow_blank=True, default="")

    def validate_funder(self, value):
        if value not in self.context["funders"]:
            raise serializers.ValidationError(_("Choisissez un financeur de ce contrat."))
        return self.context["funders"][value]

    def validate_kind(self, value):
        if value not in FunderPaymentKind.values:
            raise serializers.ValidationError(
                _("Choisissez la nature : advance (acompte), balance (solde) ou refund.")
            )
        return value

    def validate_year(self, value):
        if value not in self.context["years"]:
            raise serializers.ValidationError(_("Choisissez un exercice du contrat."))
        return value

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("Un versement est un montant positif."))
        return value


def django_errors(error, fields=(), field_map=None) -> serializers.ValidationError:
    """A service's Django ValidationError as the API's 400: each message on the field it
    names when that field is one the client sent (`fields`), else on `non_field_errors`;
    `field_map` renames model fields (`{"contract": None}`: not the client's)."""
    field_map = field_map or {}
    errors: dict[str, list[str]] = {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            field = field_map.get(field, field)
            key = field if field in fields and field != NON_FIELD_ERRORS else "non_field_errors"
            errors.setdefault(key, []).extend(messages)
    else:
        errors["non_field_errors"] = list(error.messages)
    return serializers.ValidationError(errors)


class IndicatorActualInputSerializer(serializers.Serializer):
    # As the indicator's page takes it (`fiches.indicator_forms.ActualForm`), without the
    # evidence file (uploaded on the page).
    """Réalisé d'un indicateur pour une année : la valeur (null ou "" : pas encore mesurée)
    et son commentaire, avec la version de l'indicateur lue (verrou optimiste)."""

    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="Version de l'indicateur lue."
    )
    year = serializers.IntegerField(min_value=1990, max_value=2100, help_text="Année mesurée.")
    actual = IndicatorValueField(allow_null=True, help_text="Valeur, par exemple « 42 ».")
    comment = _text(2000, required=False, allow_blank=True, default="")
