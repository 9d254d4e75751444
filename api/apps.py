from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API, version 1 (`/api/v1/`): the contracts as the pages show them, for the
    partners' and the Département's own information systems, read through the apps'
    selectors and written through their services, scoped like the pages. Personal access
    tokens (*jetons d'accès*) let a program act as the person who created them."""

    name = "api"
    verbose_name = _("API")

    def ready(self):
        from api import schema  # noqa: F401  (registers the token's schema extension)
