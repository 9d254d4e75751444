from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CejConfig(AppConfig):
    name = "cej"
    verbose_name = _("Contrats")

    def ready(self):
        from cej import (
            checks,  # noqa: F401 (registers the system checks)
            page_cache,
            security_log,  # noqa: F401 (connects the security log's receivers)
        )

        page_cache.connect_signals()
