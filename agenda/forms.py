"""Forms of the calendar: a plenary, a deadline, closing a deadline, and the filter of
« Mes échéances ». Rules (who may, a responsible party of the contract, one plenary a
day) stay in `agenda.services`."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda.models import DeadlineVisibility
from agenda.selectors import Show
from cej.forms import DateInput
from cej.html import refuse_unprintable

DATE_ERRORS = {"invalid": _("Saisissez une date valide (jj/mm/aaaa).")}
# A calendar of CEJ-era contracts: a date outside these years is a typing error.
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)


def _in_range(value):
    if value and not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(_("Saisissez une date entre 1990 et 2100."))


def _date_field(label, *, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        validators=[_in_range],
    )


class PlenaryForm(forms.Form):
    held_on = _date_field(_("Date de la séance"))
    place = forms.CharField(
        label=_("Lieu"), max_length=200, required=False, validators=[refuse_unprintable]
    )
    note = forms.CharField(
        label=_("Ordre du jour complémentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_unprintable],
    )


class DeadlineForm(forms.Form):
    due_on = _date_field(pgettext_lazy("date a deadline falls on", "Échéance"))
    title = forms.CharField(label=_("Intitulé"), max_length=200, validators=[refuse_unprintable])
    description = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_unprintable],
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"),
        choices=DeadlineVisibility.choices,
        initial=DeadlineVisibility.SHARED,
        widget=forms.RadioSelect,
    )
    responsible = forms.TypedChoiceField(
        label=_("Organisme responsable"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Ses utilisateurs reçoivent les rappels, en plus de l'équipe CDAJE."),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {p.pk: p for p in partners}
        self.fields["responsible"].choices = [
            ("", _("Aucun (équipe du territoire seulement)")),
            *[(p.pk, p.name) for p in partners],
        ]

    def clean_responsible(self):
        value = self.cleaned_data.get("responsible")
        return self.partners.get(value) if value is not None else None


class CloseForm(forms.Form):
    done_on = _date_field(_("Fait le"), required=False)


class FilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[
            (Show.TODO, _("À faire (en retard ou dans les 90 jours)")),
            (Show.LATE, _("En retard seulement")),
            (Show.ALL, _("Tout")),
        ],
    )
    contract = forms.ChoiceField(label=_("Contrat"), required=False)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [
            ("", _("Tous mes contrats")),
            *[(c.slug, c.title) for c in contracts],
        ]


def as_of_of(value: str | None) -> datetime.date | None:
    """The `date` parameter of the calendar pages (YYYY-MM-DD), or None if absent or not a
    date of the calendar's range: the page then shows today."""
    if not value or len(value) != 10:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None
