from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery


class PreferencesForm(forms.Form):
    """One choice per kind of notification: « Tout de suite », « Résumé quotidien »,
    « Jamais »."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for preference in preferences:
            self.fields[preference.kind] = forms.ChoiceField(
                label=preference.label,
                choices=Delivery.choices,
                initial=preference.delivery,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choisissez parmi les options proposées.")},
            )

    def deliveries(self) -> dict[str, str]:
        return dict(self.cleaned_data)
