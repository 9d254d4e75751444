"""The forms of an avenant's pages. They parse and check what a person typed; the services
(`pilotage.amendments`, `pilotage.amendment_apply`) check every rule again inside their
transaction."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cej.forms import DateInput
from financing.forms import MoneyField
from financing.models import BudgetPost
from partners.models import Partner, Signatory

PAST_DATE_ERROR = _("La date ne peut pas être future.")


class PastDateField(forms.DateField):
    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(PAST_DATE_ERROR, code="future")


class AmendmentOpenForm(forms.Form):
    title = forms.CharField(
        label=_("Objet de l'avenant"),
        max_length=250,
        help_text=_("Par exemple : Prolongation de la convention annexe 2016–2017."),
    )
    summary = forms.CharField(
        label=_("Exposé des motifs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Pourquoi le contrat signé doit changer : il sera repris dans l'avenant."),
    )


class AmendmentEditForm(AmendmentOpenForm):
    new_end_year = forms.TypedChoiceField(
        label=_("Convention annexe prolongée jusqu'en"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, contract, annex, **kwargs):
        super().__init__(*args, **kwargs)
        if annex is None:
            del self.fields["new_end_year"]
            return
        choices = [("", _("— sans changement (%(end)s) —") % {"end": annex.end_year})]
        choices += [(year, str(year)) for year in range(annex.end_year + 1, contract.end_year + 1)]
        self.fields["new_end_year"].choices = choices
        self.fields["new_end_year"].help_text = _(
            "La convention annexe couvre aujourd'hui %(period)s ; le contrat s'achève en %(end)s."
        ) % {"period": annex.period_label, "end": contract.end_year}


class AmendmentLineForm(forms.Form):
    """A planned line as the avenant will have it: year, *poste*, fiche (by number: it may
    be one the avenant adds), label, forecast expenses and other receipts, and whether the
    action is carried over from the previous contract. Its financing (each funder's PSEJ,
    the beneficiary's share) is not typed: the contract's terms give it."""

    year = forms.TypedChoiceField(label=_("Année"), coerce=int)
    post = forms.ModelChoiceField(
        label=_("Poste"),
        queryset=BudgetPost.objects.order_by("instrument", "order"),
        empty_label=None,
    )
    fiche_number = forms.TypedChoiceField(
        label=_("Fiche financée"), coerce=int, empty_value=None, required=False
    )
    label = forms.CharField(label=_("Libellé"), max_length=250, required=False)
    amount = MoneyField(
        label=_("Dépenses prévues (€)"),
        help_text=_("Le montant que le contrat alloue à l'action cette année."),
    )
    other_receipts = MoneyField(
        label=_("Autres recettes prévues (€)"),
        required=False,
        help_text=_("Participations des familles, autres subventions… hors PSEJ."),
    )
    continued = forms.BooleanField(
        label=_("Action reconduite du contrat précédent (action antérieure)"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, contract, fiche_titles: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in contract.years]
        self.fields["fiche_number"].choices = [("", _("— aucune —"))] + [
            (number, _("Fiche %(number)s : %(title)s") % {"number": number, "title": title})
            for number, title in fiche_titles.items()
        ]

    def line_fields(self):
        return [self[name] for name in ("year", "post", "fiche_number", "label")]

    def financing_fields(self):
        return [self[name] for name in ("amount", "other_receipts", "continued")]


class RepresentativeChangeForm(forms.Form):
    leaving = forms.ModelChoiceField(
        label=_("Représentant remplacé"), queryset=Signatory.objects.none(), empty_label=None
    )
    civility = forms.ChoiceField(
        label=_("Civilité"), choices=[("", "—"), ("M.", "M."), ("Mme", "Mme")], required=False
    )
    first_name = forms.CharField(label=_("Prénom du nouveau représentant"), max_length=100)
    last_name = forms.CharField(label=_("Nom du nouveau représentant"), max_length=100)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaving"].queryset = Signatory.objects.filter(
            is_active=True, partner__contract_parties__contract=contract
        ).select_related("partner")
        self.fields["leaving"].label_from_instance = lambda s: f"{s.full_name}, {s.function}"


class OpinionForm(forms.Form):
    plenary_date = PastDateField(
        label=_("Date de la séance plénière de la CDAJE"),
        help_text=_("La CDAJE rend son avis sur l'avenant en séance plénière."),
    )


class DecisionForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partie"), queryset=Partner.objects.none(), empty_label=None
    )
    body = forms.CharField(
        label=_("Instance"),
        max_length=200,
        help_text=_("Commission permanente, conseil d'administration…"),
    )
    reference = forms.CharField(label=_("Numéro de la délibération"), max_length=60)
    decided_on = PastDateField(label=_("Date de la délibération"))

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner"].label_from_instance = lambda p: p.name


class AmendmentSignatureForm(forms.Form):
    signatory = forms.ModelChoiceField(
        label=_("Représentant"), queryset=Signatory.objects.none(), empty_label=None
    )
    signed_on = PastDateField(label=_("Date de signature"))
    place = forms.CharField(label=_("Lieu"), max_length=120)

    def __init__(self, *args, pending, default_place="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = Signatory.objects.filter(
            pk__in=[s.pk for s in pending]
        ).select_related("partner")
        self.fields["signatory"].label_from_instance = lambda s: (
            f"{s.full_name}, {s.function} ({s.partner.short_name})"
        )
        self.fields["place"].initial = default_place


class AbandonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'abandon"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
