"""The forms of the indicators: an indicator's definition with one target per year of its
contract (also the avenant's target form, `TargetsForm`), and a year's actual value with its
comment and evidence. Values are read by `cej.money.parse_amount` (« 12,5 », « 1 250 »)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cej.html import refuse_unprintable
from cej.money import AmountError, format_number, parse_amount
from fiches.indicator_evidence import evidence_content
from fiches.models import Indicator

COMMENT_MAX_LENGTH = 2_000


class ValueInput(forms.TextInput):
    input_type = "text"

    def format_value(self, value):
        if isinstance(value, Decimal | int):
            return format_number(value)
        return super().format_value(value)


class ValueField(forms.DecimalField):
    """A figure of an indicator (places, families, a rate…), two decimals at most."""

    widget = ValueInput
    default_error_messages = {
        "invalid": _("Saisissez un nombre, par exemple 12 ou 12,5."),
        "min_value": _("La valeur ne peut pas être négative."),
        "max_decimal_places": _("Deux chiffres après la virgule au plus."),
        "max_digits": _("Cette valeur est trop grande."),
        "max_whole_digits": _("Cette valeur est trop grande."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        if not value.strip():
            return None
        try:
            return parse_amount(value[:60])
        except AmountError as exc:
            message = str(exc).replace("montant", "nombre")
            raise forms.ValidationError(capfirst(message), code=exc.code) from exc


class TargetsMixin:
    """One optional `target_<year>` field per year of the contract."""

    def add_target_fields(self, years, initial: dict) -> None:
        self.years = list(years)
        for year in self.years:
            self.fields[f"target_{year}"] = ValueField(
                label=_("Cible %(year)s") % {"year": year}, initial=initial.get(year)
            )

    def targets(self) -> dict:
        return {year: self.cleaned_data.get(f"target_{year}") for year in self.years}

    def target_fields(self):
        return [self[f"target_{year}"] for year in self.years]


class IndicatorForm(TargetsMixin, forms.ModelForm):
    """An indicator as CDAJE staff define it, with its target per year. `version` is the
    version the editor started from (no lost update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    baseline_value = ValueField(label=_("Valeur de référence"))

    class Meta:
        model = Indicator
        fields = ["name", "unit", "source", "direction", "baseline_year", "baseline_value"]
        help_texts = {
            "name": _("« Nombre de places créées », « Taux de couverture »…"),
            "baseline_year": _(
                "L'année de la valeur de départ, souvent celle qui précède le contrat."
            ),
        }

    def __init__(self, *args, contract, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_target_fields(contract.years, targets or {})
        for name in ("name", "unit", "source"):
            self.fields[name].validators.append(refuse_unprintable)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TargetsForm(TargetsMixin, forms.Form):
    """The targets an avenant proposes for an indicator of its signed contract."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, years, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_target_fields(years, targets or {})


class ActualForm(forms.Form):
    """A year's actual value (*réalisé*), its comment and, optionally, its evidence."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    actual = ValueField(label=_("Réalisé"))
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH), refuse_unprintable],
    )
    evidence = forms.FileField(
        label=_("Pièce justificative"),
        required=False,
        help_text=_("PDF, XLSX ou CSV ; vérifiée à partir de son contenu."),
    )

    def clean_evidence(self):
        uploaded = self.cleaned_data.get("evidence")
        if not uploaded:
            return None
        return evidence_content(uploaded)
