from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CejConfig(AppConfig):
    name = "cej"
    verbose_name = _("Contrats")
