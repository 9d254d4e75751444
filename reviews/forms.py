"""The review's forms: opening a year, the synthesis and each fiche's state and narrative,
the needs and supply table (typed, or imported from a CSV file), the CDAJE's opinion on
adoption. `version` is the version the editor started from: a save based on an older one is
refused (no lost update)."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from cej.html import refuse_unprintable
from reviews.models import ActionState, CareType
from reviews.services import TEXT_MAX, AreaFigures

BLANK_AREA_ROWS = 3
MAX_AREA_ROWS = 60
MAX_UPLOAD_BYTES = 1024 * 1024


def _text(label, *, rows=3, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[MaxLengthValidator(TEXT_MAX), refuse_unprintable],
    )


class ReviewOpenForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Année du bilan"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class ReviewEditForm(forms.Form):
    """The synthesis, and per fiche `state_<id>` and `narrative_<id>`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, fiches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"] = _text(_("Synthèse de l'année"), rows=5)
        self.fiche_ids = []
        for fiche in fiches:
            self.fiche_ids.append(fiche.pk)
            self.fields[f"state_{fiche.pk}"] = forms.ChoiceField(
                label=_("État des actions de la fiche %(number)s") % {"number": fiche.number},
                choices=ActionState.choices,
            )
            self.fields[f"narrative_{fiche.pk}"] = _text(
                _("Ce qui a été fait (fiche %(number)s)") % {"number": fiche.number}
            )

    def fiche_fields(self, fiche_id):
        return self[f"state_{fiche_id}"], self[f"narrative_{fiche_id}"]

    def fiche_states(self) -> dict:
        data = self.cleaned_data
        return {pk: (data[f"state_{pk}"], data.get(f"narrative_{pk}", "")) for pk in self.fiche_ids}


def initial_edit(review, report) -> dict:
    initial = {"version": review.version, "summary": review.summary}
    for row in report.fiches:
        initial[f"state_{row.fiche.pk}"] = row.state
        initial[f"narrative_{row.fiche.pk}"] = row.narrative
    return initial


def as_snapshot(cleaned: dict, fiche_ids) -> dict:
    """The form's values as the keys of `reviews.services.snapshot_of`, flattened."""
    flat = {"summary": (cleaned.get("summary") or "").strip()}
    for pk in fiche_ids:
        flat[f"state_{pk}"] = cleaned.get(f"state_{pk}")
        flat[f"narrative_{pk}"] = (cleaned.get(f"narrative_{pk}") or "").strip()
    return flat


def flatten_snapshot(snapshot: dict | None) -> dict | None:
    if snapshot is None:
        return None
    flat = {"summary": snapshot.get("summary", "")}
    for pk, row in snapshot.get("fiches", {}).items():
        flat[f"state_{pk}"] = row.get("state")
        flat[f"narrative_{pk}"] = row.get("narrative", "")
    return flat


class NeedsForm(forms.Form):
    """The needs and supply table: per row an area's name, its children under three, its
    unmet requests and its places per kind of care. A row left entirely blank is ignored."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = min(rows, MAX_AREA_ROWS)
        for index in range(self.row_count):
            self.fields[f"name_{index}"] = forms.CharField(
                label=_("Zone (ligne %(n)s)") % {"n": index + 1},
                required=False,
                max_length=120,
                validators=[refuse_unprintable],
            )
            self.fields[f"children_{index}"] = self._count(
                _("Enfants de moins de 3 ans (ligne %(n)s)") % {"n": index + 1}
            )
            self.fields[f"unmet_{index}"] = self._count(
                _("Demandes non satisfaites (ligne %(n)s)") % {"n": index + 1}
            )
            for value, label in CareType.choices:
                self.fields[f"{value}_{index}"] = self._count(
                    _("%(type)s (ligne %(n)s)") % {"type": label, "n": index + 1}
                )

    @staticmethod
    def _count(label):
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=10_000_000)

    def rows(self):
        """Per row: (name field, children field, unmet field, [place fields])."""
        return [
            (
                self[f"name_{i}"],
                self[f"children_{i}"],
                self[f"unmet_{i}"],
                [self[f"{value}_{i}"] for value in CareType.values],
            )
            for i in range(self.row_count)
        ]

    def clean(self):
        data = super().clean()
        self.areas = []
        seen = set()
        for i in range(self.row_count):
            name = (data.get(f"name_{i}") or "").strip()
            numbers = [data.get(f"children_{i}"), data.get(f"unmet_{i}")]
            numbers += [data.get(f"{value}_{i}") for value in CareType.values]
            if not name and all(n is None for n in numbers):
                continue
            if not name:
                self.add_error(f"name_{i}", _("Nommez la zone de cette ligne."))
                continue
            if name.casefold() in seen:
                self.add_error(f"name_{i}", _("Cette zone figure déjà plus haut."))
                continue
            seen.add(name.casefold())
            if data.get(f"children_{i}") is None:
                self.add_error(
                    f"children_{i}", _("Indiquez le nombre d'enfants de moins de 3 ans.")
                )
                continue
            self.areas.append(
                AreaFigures(
                    name=name,
                    children_under_3=data[f"children_{i}"],
                    unmet_requests=data.get(f"unmet_{i}"),
                    places={
                        value: data[f"{value}_{i}"]
                        for value in CareType.values
                        if data.get(f"{value}_{i}")
                    },
                )
            )
        return data


def initial_needs(review, needs) -> dict:
    initial = {"version": review.version}
    for i, row in enumerate(needs.rows):
        initial[f"name_{i}"] = row.name
        initial[f"children_{i}"] = row.children_under_3
        initial[f"unmet_{i}"] = row.unmet_requests
        for (value, _label), places in zip(needs.care_types, row.places, strict=True):
            initial[f"{value}_{i}"] = places or None
    return initial


class NeedsImportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Une ligne par zone ; colonnes « Zone », « Enfants de moins de 3 ans », "
            "« Demandes non satisfaites » (facultative) et une colonne par mode d'accueil : "
            "« Accueil collectif », « Micro-crèches », « Crèches familiales », « Assistants "
            "maternels », « Garde à domicile », « École préélémentaire ». Séparateur « ; » "
            "ou « , », encodage UTF-8 ou Windows-1252. Les chiffres importés remplacent ceux "
            "du tableau."
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse 1 Mo : est-ce bien l'état des besoins ?")
            )
        return uploaded


class AdoptForm(forms.Form):
    opinion = _text(_("Avis de la CDAJE"), rows=4, required=True)
    opinion_on = forms.DateField(
        label=_("Avis rendu en plénière le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
