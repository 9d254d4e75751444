"""Forms of the contract's signature and document space. Domain rules (who may sign, when,
what a PDF is) stay in `pilotage.signing` and `cej.documents`; the views attach their messages."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cej.documents import human_size
from cej.form_renderer import QuickSelect
from cej.html import refuse_unprintable
from cej.models import ContractStatus, DocumentKind

# What an id column holds (a 64-bit integer); a forged id beyond it cannot be compared.
ID_RANGE = range(-(2**63), 2**63)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of objects. A forged value too big for an id column (10^30) is an invalid
    choice before it reaches the database: `pk__in` does not guard it as `pk=` does, and
    SQLite overflows on it while PostgreSQL refuses it."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number at all: Django says so
            if number not in ID_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(pk) if len(str(pk)) <= 20 else f"{str(pk)[:20]}…"},
                )
        return super()._check_values(value)


class _ReadChoiceIterator(ModelChoiceIterator):
    """The choices of a `ReadModelChoiceField`: from the objects given, without a query."""

    def __iter__(self):
        if self.field.read is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.read:
            yield self.choice(obj)

    def __len__(self):
        if self.field.read is None:
            return super().__len__()
        return len(self.field.read) + (self.field.empty_label is not None)


class ReadModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options can come from objects the page has read already (`read`),
    instead of a query per field when the form is shown. A submitted value is still checked
    against the queryset."""

    iterator = _ReadChoiceIterator
    read = None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SignatureForm(forms.Form):
    signatory = forms.ModelChoiceField(
        label=_("Représentant"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Ce représentant a déjà signé ou n'existe pas.")},
    )
    signed_on = forms.DateField(
        label=_("Signé le"),
        widget=DateInput(),
        error_messages={"invalid": _("Saisissez une date valide (jj/mm/aaaa).")},
    )
    place = forms.CharField(label=_("Lieu"), max_length=120, validators=[refuse_unprintable])

    def __init__(self, *args, signatories, default_place="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["signatory"]
        field.queryset = signatories
        field.label_from_instance = lambda s: (
            f"{s.full_name} — {s.function} ({s.partner.short_name})"
        )
        self.fields["place"].initial = default_place
        self.fields["signed_on"].initial = timezone.localdate()


# Only deposits a person makes by hand: the signed contract itself is produced by the seal.
DEPOSIT_KINDS = [
    (DocumentKind.SCANNED_ORIGINAL, DocumentKind.SCANNED_ORIGINAL.label),
    (DocumentKind.ANNEX_CONVENTION, DocumentKind.ANNEX_CONVENTION.label),
    (DocumentKind.AMENDMENT, DocumentKind.AMENDMENT.label),
]


class DepositForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature"), choices=DEPOSIT_KINDS)
    title = forms.CharField(
        label=_("Titre"),
        max_length=250,
        validators=[refuse_unprintable],
        help_text=_("Par exemple : « Contrat signé — exemplaire original de la CAF »."),
    )
    dated = forms.DateField(
        label=_("Date de signature de l'original"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Saisissez une date valide (jj/mm/aaaa).")},
    )
    amendment = ReadModelChoiceField(
        label=_("Avenant concerné"),
        queryset=None,
        required=False,
        empty_label=_("(aucun)"),
    )
    file = forms.FileField(
        label=_("Fichier PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Choisissez le fichier PDF à déposer."),
            "empty": _("Le fichier est vide."),
        },
    )

    def __init__(self, *args, amendments, read_amendments=None, **kwargs):
        """`read_amendments`: the same amendments, read already, to offer without a query."""
        super().__init__(*args, **kwargs)
        self.fields["amendment"].queryset = amendments
        self.fields["amendment"].read = read_amendments
        self.fields["file"].help_text = _("PDF uniquement, %(limit)s au plus.") % {
            "limit": human_size(settings.DOCUMENT_UPLOAD_MAX_BYTES)
        }

    def clean_dated(self):
        dated = self.cleaned_data["dated"]
        if dated and dated > timezone.localdate():
            raise forms.ValidationError(_("La date de signature ne peut pas être future."))
        return dated

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == DocumentKind.AMENDMENT and not cleaned.get("amendment"):
            self.add_error("amendment", _("Indiquez l'avenant dont c'est l'original."))
        return cleaned


class ContractFilterForm(forms.Form):
    """Filters of the contracts list, for those who see many (a region, the whole country).
    Applied to the rows already in the user's scope; an invalid value is reported in French
    and ignored, never a server error."""

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    territory = forms.TypedChoiceField(
        label=_("Territoire"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,  # up to a hundred territories
        error_messages={"invalid_choice": _("Ce territoire n'est pas parmi les vôtres.")},
    )
    status = forms.ChoiceField(label=_("Statut"), required=False)

    def __init__(self, *args, territories, **kwargs):
        """`territories`: (pk, name) of the territories whose contracts the user sees."""
        super().__init__(*args, **kwargs)
        # Lazily: a national administrator's hundred territories are only listed when the
        # form is shown or checked, not on every page served from the cache.
        self.fields["territory"].choices = lambda: [("", _("Tous")), *territories]
        self.fields["status"].choices = [("", _("Tous")), *ContractStatus.choices]

    def keep(self, row) -> bool:
        """Whether a visible contract (cej.selectors.VisibleContract) passes."""
        if not self.is_bound:
            return True
        self.is_valid()  # the valid filters apply; the others are reported, not applied
        data = self.cleaned_data
        return (
            (not data.get("q") or data["q"].casefold() in row.title.casefold())
            and (data.get("territory") is None or row.territory_id == data["territory"])
            and (not data.get("status") or row.status == data["status"])
        )
