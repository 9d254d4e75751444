from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The Loire demo (`load_demo`) and the national scale data (`generate_scale_data`):
    built through the apps' services, above every other layer."""

    name = "demo"
    verbose_name = _("Données de démonstration")
