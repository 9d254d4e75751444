"""The final evaluation's forms: its text with each fiche's lessons and recommendation, and
its adoption on the CDAJE's opinion."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cej.forms import DateInput
from reviews.models import Recommendation

TEXT_LIMIT = 20000


class PlenaryDateField(forms.DateField):
    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                _("La date de la plénière ne peut pas être dans le futur."), code="future"
            )


def lessons_name(fiche_id: int) -> str:
    return f"lessons_{fiche_id}"


def recommendation_name(fiche_id: int) -> str:
    return f"recommendation_{fiche_id}"


class EvaluationForm(forms.Form):
    """The evaluation's synthesis and opinion, and for each fiche (`fiches`) what was learnt
    and what the evaluation recommends for the next contract."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    summary = forms.CharField(
        label=_("Synthèse des quatre années"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    opinion = forms.CharField(
        label=_("Avis de la CDAJE"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opinion_on = PlenaryDateField(label=_("Avis rendu en plénière le"), required=False)

    def __init__(self, *args, fiches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fiche_ids = []
        for fiche in fiches:
            self.fiche_ids.append(fiche.pk)
            self.fields[lessons_name(fiche.pk)] = forms.CharField(
                label=_("Enseignements — fiche n° %(number)s") % {"number": fiche.number},
                required=False,
                max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[recommendation_name(fiche.pk)] = forms.ChoiceField(
                label=_("Recommandation — fiche n° %(number)s") % {"number": fiche.number},
                choices=Recommendation.choices,
            )

    def notes(self) -> dict:
        data = self.cleaned_data
        return {
            fiche_id: (data[lessons_name(fiche_id)], data[recommendation_name(fiche_id)])
            for fiche_id in self.fiche_ids
        }

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("summary", "opinion", "opinion_on")}


def evaluation_initial(evaluation, fiche_rows) -> dict:
    initial = {"version": 0}
    if evaluation is not None:
        initial.update(
            version=evaluation.version,
            summary=evaluation.summary,
            opinion=evaluation.opinion,
            opinion_on=evaluation.opinion_on,
        )
    for row in fiche_rows:
        initial[lessons_name(row.fiche.pk)] = row.lessons
        initial[recommendation_name(row.fiche.pk)] = row.recommendation
    return initial


class AdoptForm(forms.Form):
    opinion_on = PlenaryDateField(label=_("Avis de la CDAJE rendu en plénière le"))
