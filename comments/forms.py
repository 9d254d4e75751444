"""The comment forms. The page that shows a target offers its sections (`anchor`) and, to
the CDAJE staff only, the CDAJE-only visibility; the services check both again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Visibility

BODY_HELP = _(
    "Mise en forme légère : gras, italique, listes, liens. Mentionnez une personne qui voit "
    "ce contrat par son identifiant, par exemple @partner-caf."
)


class BodyForm(forms.Form):
    body = forms.CharField(
        label=_("Commentaire"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=BODY_HELP,
        max_length=10_000,
    )


class CommentForm(BodyForm):
    target_kind = forms.CharField(widget=forms.HiddenInput, max_length=16)
    target_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    anchor = forms.ChoiceField(label=_("À propos de"), required=False)
    visibility = forms.ChoiceField(
        label=_("Lu par"), choices=Visibility.choices, initial=Visibility.SHARED
    )

    field_order = ["anchor", "body", "visibility"]

    def __init__(self, *args, target, staff: bool, **kwargs):
        initial = {"target_kind": target.kind, "target_id": target.pk, **kwargs.pop("initial", {})}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["anchor"].choices = [("", _("L'ensemble")), *target.anchors()]
        if not staff:
            self.fields["visibility"].choices = [(Visibility.SHARED.value, Visibility.SHARED.label)]
        self.auto_id = f"id_comment_{target.kind}_%s"
