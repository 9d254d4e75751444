"""Forms of the budget: a line's forecast, its actual figures, and a commitment or payment.
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


class BudgetLineForm(forms.Form):
    """A budget line's forecast: what the contract allocates to it (*prévu*), the receipts
    other than the PSEJ, and whether the action was already in the previous contract. Who
    finances what is not asked: `financing.services.budget_line_save` computes each party's
    share from the contract's funding terms. `version` (edits only) is the version the editor
    started from: a save based on an older one is refused, nothing is lost."""

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
        help_text=_(
            "Les dépenses prévues de l'action, par exemple 45 000,50. L'enveloppe annuelle "
            "du contrat est contrôlée."
        ),
    )
    other_receipts = MoneyField(
        label=_("Autres recettes prévues (€)"),
        required=False,
        help_text=_(
            "Recettes hors PSEJ : participations des familles, autres subventions… Vide : aucune."
        ),
    )
    continued = forms.BooleanField(
        label=_("Action antérieure"),
        required=False,
        help_text=_(
            "Cochez si l'action était déjà financée par le contrat précédent : les financeurs "
            "l'aident à leur taux des actions antérieures."
        ),
    )

    # Form field → key of a version snapshot (`financing.services.line_snapshot`), and the
    # value a version saved before the key existed stands for (the fields' defaults).
    SNAPSHOT_KEYS = {"post": "post_id", "fiche": "fiche_id"}
    SNAPSHOT_DEFAULTS = {"other_receipts": "0.00", "continued": False}
    MONEY_FIELDS = ("amount", "other_receipts")

    def __init__(self, *args, contract, line: BudgetLine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract, self.line = contract, line
        self.fields["year"].choices = [(year, str(year)) for year in contract.years]
        self.fields["post"].queryset = BudgetPost.objects.order_by("-instrument", "order", "label")
        self.fields["fiche"].queryset = Fiche.objects.filter(contract=contract).order_by("number")
        if line is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial.update(
                {
                    "version": line.version,
                    "year": line.year,
                    "post": line.post_id,
                    "fiche": line.fiche_id,
                    "label": line.label,
                    "amount": line.amount,
                    "other_receipts": line.other_receipts,
                    "continued": line.continued,
                }
            )

    @property
    def line_fields(self):
        return [self[name] for name in self.fields if name != "version"]

    @property
    def general_errors(self) -> list[str]:
        """Errors of the whole line (a duplicate, say)."""
        return list(self.non_field_errors())

    def apply_to(self, line: BudgetLine) -> BudgetLine:
        data = self.cleaned_data
        line.year, line.post, line.fiche = data["year"], data["post"], data["fiche"]
        line.label, line.amount = data["label"].strip(), data["amount"]
        line.other_receipts = data.get("other_receipts") or Decimal("0.00")
        line.continued = bool(data.get("continued"))
        # The model picks the annex convention from the post and the year: keep the current
        # one only while it still fits, so that changing either re-chooses it.
        annex = line.annex_convention if line.annex_convention_id else None
        if not (
            annex and line.post.instrument == Instrument.ANNEX and annex.covers_year(line.year)
        ):
            line.annex_convention = None
        return line

    # --- merging a refused save (see views_lines.rebase_on_current) ----------------------

    def snapshot_value(self, name: str, snapshot: dict):
        """The value of form field `name` in a version snapshot, comparable with
        `typed_value`. A version saved before a field existed holds its default."""
        key = self.SNAPSHOT_KEYS.get(name, name)
        return snapshot.get(key, self.SNAPSHOT_DEFAULTS.get(name))

    def typed_value(self, name: str):
        value = self.cleaned_data.get(name)
        if name in self.MONEY_FIELDS:
            return str(round_money(value or 0))
        if name in ("post", "fiche"):
            return value.pk if value else None
        if name == "label":
            return (value or "").strip()
        if name == "continued":
            return bool(value)
        return value

    def input_value(self, name: str, value) -> str | None:
        """A snapshot value as the form posts it; None for an unticked box (not posted)."""
        if name == "continued":
            return "on" if value else None
        if value is None:
            return ""
        if name in self.MONEY_FIELDS:
            return format_number(Decimal(value))
        return str(value)

    @property
    def mergeable_fields(self) -> list[str]:
        return [name for name in self.fields if name != "version"]


class LineActualsForm(forms.Form):
    """A line's actual figures (*réalisé*), declared after the year: the expenses and the
    receipts other than the PSEJ, both or neither (both empty withdraws a declaration). The
    rules and their messages are the model's (`BudgetLine._clean_actuals`); `version` is the
    version of the line the officer started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    actual_expenses = MoneyField(
        label=_("Dépenses réalisées (€)"),
        required=False,
        help_text=_("Les dépenses de l'action sur l'année, par exemple 118 450,20."),
    )
    actual_receipts = MoneyField(
        label=_("Autres recettes réalisées (€)"),
        required=False,
        help_text=_("Recettes hors PSEJ réellement perçues ; 0 s'il n'y en a pas."),
    )

    MONEY_FIELDS = ("actual_expenses", "actual_receipts")

    def __init__(self, *args, line: BudgetLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        if not self.is_bound:
            self.initial.update(
                {
                    "version": line.version,
                    "actual_expenses": line.actual_expenses,
                    "actual_receipts": line.actual_receipts,
                }
            )

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.MONEY_FIELDS):
            return cleaned
        figures = BudgetLine(
            actual_expenses=cleaned.get("actual_expenses"),
            actual_receipts=cleaned.get("actual_receipts"),
        )
        try:
            figures._clean_actuals()
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    # --- merging a refused save, as BudgetLineForm -----------------------------------------

    def snapshot_value(self, name: str, snapshot: dict):
        return snapshot.get(name)

    def typed_value(self, name: str):
        value = self.cleaned_data.get(name)
        return None if value is None else str(round_money(value))

    def input_value(self, name: str, value) -> str:
        return "" if value is None else format_number(Decimal(value))

    @property
    def mergeable_fields(self) -> list[str]:
        return list(self.MONEY_FIELDS)


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
