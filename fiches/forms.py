from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from cej.forms import IdsChoiceField, ReadModelChoiceField
from cej.html import refuse_unprintable
from fiches.models import Aim, Fiche, FicheStatus, Objective
from fiches.selectors import FicheFilters, FicheList
from fiches.services import RICH_TEXT_FIELDS
from partners.models import Partner

# A fiche's section is a few paragraphs; the demo's longest is under 400 characters.
# The cap keeps a pasted book (or a forged megabyte) out of the page and the PDF.
RICH_TEXT_MAX_LENGTH = 20_000
RICH_TEXT_HELP = _(
    "Paragraphes, listes, gras, italique et liens. Toute autre mise en forme est retirée."
)


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FicheForm(forms.ModelForm):
    """The fiche as CDAJE staff write it. `version` is the version the editor started from:
    a save based on an older one is refused (no lost update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Fiche
        fields = [
            "objective",
            "title",
            "findings",
            "goals",
            "actions",
            "target_public",
            "lead_partner",
            "associated_partners",
            "calendar",
            "indicators",
            "budget_note",
            "aims",
        ]
        widgets = {
            **{
                field: forms.Textarea(attrs={"rows": 6, "data-rich-text": "true"})
                for field in RICH_TEXT_FIELDS
            },
            "budget_note": forms.Textarea(attrs={"rows": 2}),
            "associated_partners": forms.CheckboxSelectMultiple,
            "aims": forms.CheckboxSelectMultiple,
        }
        field_classes = {"associated_partners": IdsChoiceField, "aims": IdsChoiceField}
        help_texts = {
            **dict.fromkeys(RICH_TEXT_FIELDS, RICH_TEXT_HELP),
            "title": _("Un intitulé court, tel qu'il figurera au contrat."),
            "objective": _("L'objectif du contrat sous lequel la fiche est présentée."),
            "lead_partner": _("Le partenaire qui pilote l'action."),
            "budget_note": _("Montant indicatif et financeurs, en une ou deux phrases."),
            "aims": _("Les finalités de la CDAJE que l'action sert."),
        }

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        parties = Partner.objects.filter(contract_parties__contract=contract).order_by(
            "contract_parties__order"
        )
        self.fields["objective"].queryset = Objective.objects.filter(contract=contract)
        self.fields["objective"].empty_label = None
        self.fields["lead_partner"] = PartnerChoiceField(
            queryset=parties,
            required=False,
            label=_("Pilote"),
            help_text=self.Meta.help_texts["lead_partner"],
            empty_label=_("— à désigner —"),
        )
        self.fields["associated_partners"].queryset = parties
        self.fields["associated_partners"].label_from_instance = lambda p: p.name
        self.fields["aims"].queryset = Aim.objects.all()
        self.fields["aims"].label_from_instance = lambda a: a.description
        # Plain text goes to exports and PDFs as it is: no invisible control character.
        # Rich text is cleaned of them by the sanitizer.
        for name in ("title", "budget_note"):
            self.fields[name].validators.append(refuse_unprintable)
        for name in RICH_TEXT_FIELDS:
            self.fields[name].validators.append(MaxLengthValidator(RICH_TEXT_MAX_LENGTH))
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        lead, associated = cleaned.get("lead_partner"), cleaned.get("associated_partners")
        if lead and associated and lead in associated:
            self.add_error(
                "associated_partners",
                _("%(partner)s pilote déjà la fiche : ne le cochez pas aussi comme associé.")
                % {"partner": lead.short_name},
            )
        return cleaned

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            field: data[field]
            for field in self.Meta.fields
            if field not in ("associated_partners", "aims")
        }


class FicheFilterForm(forms.Form):
    """The filters of the fiche list; any invalid value is reported, never a server error."""

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    objective = ReadModelChoiceField(
        label=_("Objectif"),
        queryset=Objective.objects.none(),
        required=False,
        empty_label=_("Tous"),
    )
    status = forms.ChoiceField(label=_("Statut"), required=False)
    aim = ReadModelChoiceField(
        label=_("Finalité"), queryset=Aim.objects.all(), required=False, empty_label=_("Toutes")
    )
    lead = ReadModelChoiceField(
        label=_("Pilote"), queryset=Partner.objects.none(), required=False, empty_label=_("Tous")
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(contract=contract)
        self.fields["objective"].label_from_instance = lambda o: (
            _("Objectif %(n)s") % {"n": o.number}
        )
        self.fields["status"].choices = [("", _("Tous")), *FicheStatus.choices]
        self.fields["lead"].queryset = Partner.objects.filter(contract_parties__contract=contract)
        self.fields["lead"].label_from_instance = lambda p: p.short_name

    def offer(self, listing: FicheList) -> None:
        """Show as choices the objectives, aims and partners the list has read."""
        self.fields["objective"].read = [objective for objective, _rows in listing.objectives]
        self.fields["aim"].read = listing.aims
        self.fields["lead"].read = listing.leads

    def filters(self) -> FicheFilters:
        """The filters to apply: none while any is invalid (the errors are shown instead)."""
        if not self.is_bound or not self.is_valid():
            return FicheFilters()
        return FicheFilters(**self.cleaned_data)


class TransitionForm(forms.Form):
    plenary_date = forms.DateField(
        label=_("Date de la plénière de la CDAJE"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
