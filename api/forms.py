"""The form that asks for a new personal access token. Its limits (a name, an expiry date
tomorrow at the earliest and a year away at the latest) are `api.tokens.create_token`'s,
which says why in French; the form only proposes the defaults."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.tokens import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS
from cej.forms import DateInput


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("L'outil ou le programme qui l'utilisera, pour le reconnaître ensuite."),
    )
    expires_on = forms.DateField(
        label=_("Expire le"),
        widget=DateInput(),
        help_text=_("Au plus tard dans un an. Le jeton est valable jusqu'à ce jour inclus."),
    )
    read_only = forms.BooleanField(
        label=_("Lecture seule"),
        required=False,
        initial=True,
        help_text=_(
            "Un jeton en lecture seule ne peut rien modifier. Décochez seulement si le "
            "programme doit saisir l'exécution (réalisé, paiements reçus) : il n'aura jamais "
            "plus de droits que vous."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + datetime.timedelta(days=DEFAULT_LIFETIME_DAYS)
        self.fields["expires_on"].widget.attrs.update(
            min=(today + datetime.timedelta(days=1)).isoformat(),
            max=(today + datetime.timedelta(days=MAX_LIFETIME_DAYS)).isoformat(),
        )
