"""Forms of the budget: a line with its partner contributions, and a commitment or payment.
Amounts are typed the French way (« 45 000,50 ») or with a dot (« 45000.50 ») and read as the
budget import reads them (`cej.money.parse_amount`); the domain
rules themselves (envelope, annex convention, duplicates, execution) stay in the models and
services, whose messages the views attach to the fields."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cej.html import refuse_unprintable
from cej.money import AmountError, format_number, parse_amount, round_money
from fiches.models import Fiche
from financing.models import BudgetLine, BudgetPost, ExecutionEntry, ExecutionKind, Instrument
from partners.models import Partner


class MoneyInput(forms.TextInput):
    """A text input (not type=number, which refuses the decimal comma in some browsers) that
    shows stored amounts as « 45 000,00 »."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int):
            return format_number(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """An amount typed in euros, read by `cej.money.parse_amount` as the budget import reads
    a cell: same amounts accepted, same refusals with the same messages."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Saisissez un montant en euros, par exemple 45 000,50."),
        "min_value": _("Un montant ne peut pas être négatif."),
        "max_decimal_places": _(
            "Un montant s'arrête aux centimes : deux chiffres après la virgule."
        ),
        "max_digits": _("Ce montant est trop grand."),
        "max_whole_digits": _("Ce montant est trop grand."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        if not value.strip():
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise forms.ValidationError(capfirst(str(exc)), code=exc.code) from exc


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.instrument == Instrument.ANNEX:
            return _("%(post)s (convention annexe)") % {"post": obj.label}
        return _("%(post)s (CEJ)") % {"post": obj.label}


class FicheChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(number)s. %(title)s") % {"number": obj.number, "title": obj.title}


CONTRIBUTION_PREFIX = "contribution_"


class BudgetLineForm(forms.Form):
    """A budget line and, in the same form, how much each party to the contract contributes
    to it. `version` (edits only) is the version the editor started from: a save based on an
    older one is refused, nothing is lost (see financing.services.budget_line_save)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    year = forms.TypedChoiceField(label=_("Année"), coerce=int)
    post = PostChoiceField(
        label=_("Poste"),
        queryset=BudgetPost.objects.none(),
        empty_label=None,
        help_text=_(
            "Une ligne d'un poste de la convention annexe est rattachée à la convention "
            "qui couvre l'année."
        ),
    )
    fiche = FicheChoiceField(
        label=_("Fiche financée"),
        queryset=Fiche.objects.none(),
        required=False,
        empty_label=_("— aucune fiche —"),
    )
    label = forms.CharField(
        label=_("Libellé"),
        max_length=250,
        required=False,
        validators=[refuse_unprintable],
        help_text=_("Facultatif : précise la ligne dans les tableaux et les exports."),
    )
    amount = MoneyField(
        label=_("Montant prévu (€)"),
        help_text=_("Par exemple 45 000,50. L'enveloppe annuelle du contrat est contrôlée."),
    )

    def __init__(self, *args, contract, line: BudgetLine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract, self.line = contract, line
        self.contributions_error = ""
        self.fields["year"].choices = [(year, str(year)) for year in contract.years]
        self.fields["post"].queryset = BudgetPost.objects.order_by("-instrument", "order", "label")
        self.fields["fiche"].queryset = Fiche.objects.filter(contract=contract).order_by("number")
        self.partners = list(
            Partner.objects.filter(contract_parties__contract=contract).order_by(
                "contract_parties__order", "name"
            )
        )
        for partner in self.partners:
            self.fields[f"{CONTRIBUTION_PREFIX}{partner.pk}"] = MoneyField(
                label=_("Contribution %(partner)s (€)") % {"partner": partner.name},
                required=False,
            )
        if line is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial.update(self._initial_from(line))

    def _initial_from(self, line: BudgetLine) -> dict:
        initial = {
            "version": line.version,
            "year": line.year,
            "post": line.post_id,
            "fiche": line.fiche_id,
            "label": line.label,
            "amount": line.amount,
        }
        for contribution in line.contributions.all():
            initial[f"{CONTRIBUTION_PREFIX}{contribution.partner_id}"] = contribution.amount
        return initial

    @property
    def line_fields(self):
        return [self[name] for name in ("year", "post", "fiche", "label", "amount")]

    @property
    def contribution_fields(self):
        return [self[f"{CONTRIBUTION_PREFIX}{p.pk}"] for p in self.partners]

    def clean(self):
        cleaned = super().clean()
        names = [f"{CONTRIBUTION_PREFIX}{p.pk}" for p in self.partners]
        if cleaned.get("amount") is None or any(name in self.errors for name in names):
            return cleaned
        amounts = [cleaned.get(name) for name in names]
        error = BudgetLine(amount=cleaned["amount"]).contributions_error(amounts)
        if error:
            self.contributions_error = error
            self.add_error(None, error)
        return cleaned

    @property
    def general_errors(self) -> list[str]:
        """Errors of the whole line (a duplicate, say); the contributions' own is shown in
        their fieldset."""
        return [e for e in self.non_field_errors() if e != self.contributions_error]

    def contributions(self) -> dict[Partner, Decimal]:
        """Partner → amount, for the partners that contribute something."""
        data = self.cleaned_data
        return {
            p: data[f"{CONTRIBUTION_PREFIX}{p.pk}"]
            for p in self.partners
            if data.get(f"{CONTRIBUTION_PREFIX}{p.pk}")
        }

    def apply_to(self, line: BudgetLine) -> BudgetLine:
        data = self.cleaned_data
        line.year, line.post, line.fiche = data["year"], data["post"], data["fiche"]
        line.label, line.amount = data["label"].strip(), data["amount"]
        # The model picks the annex convention from the post and the year: keep the current
        # one only while it still fits, so that changing either re-chooses it.
        annex = line.annex_convention if line.annex_convention_id else None
        if not (
            annex and line.post.instrument == Instrument.ANNEX and annex.covers_year(line.year)
        ):
            line.annex_convention = None
        return line

    # --- merging a refused save (see views_lines._rebase_on_current) ----------------------

    def snapshot_value(self, name: str, snapshot: dict):
        """The value of form field `name` in a version snapshot, comparable with
        `typed_value`."""
        if name.startswith(CONTRIBUTION_PREFIX):
            partner_id = name.removeprefix(CONTRIBUTION_PREFIX)
            return snapshot.get("contributions", {}).get(partner_id, "0.00")
        key = {"post": "post_id", "fiche": "fiche_id"}.get(name, name)
        return snapshot.get(key)

    def typed_value(self, name: str):
        value = self.cleaned_data.get(name)
        if name.startswith(CONTRIBUTION_PREFIX) or name == "amount":
            return str(round_money(value or 0))
        if name in ("post", "fiche"):
            return value.pk if value else None
        if name == "label":
            return (value or "").strip()
        return value

    @staticmethod
    def input_value(name: str, value) -> str:
        """A snapshot value as the form posts it."""
        if value is None:
            return ""
        if name.startswith(CONTRIBUTION_PREFIX) or name == "amount":
            return format_number(Decimal(value))
        return str(value)

    @property
    def mergeable_fields(self) -> list[str]:
        return [name for name in self.fields if name != "version"]


class ExecutionEntryForm(forms.ModelForm):
    """A commitment (*engagement*) or payment (*paiement*) against a line. The model checks
    paid ≤ committed ≤ planned while the form validates, and the service again under lock."""

    kind = forms.ChoiceField(
        label=_("Nature"), choices=ExecutionKind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = MoneyField(label=_("Montant (€)"), help_text=_("Par exemple 12 500,00."))

    class Meta:
        model = ExecutionEntry
        fields = ["date", "kind", "amount", "reference", "note"]
        labels = {"reference": _("Référence"), "note": _("Note")}
        help_texts = {"reference": _("N° de bon de commande, de mandat…")}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reference", "note"):
            self.fields[name].validators.append(refuse_unprintable)
