from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What awaits someone: notifications in the app (the count in the header, the list) and by
    e-mail, at once or in a daily digest, as each person chose per kind. Low in the layers so
    that every service that changes something worth telling can say so out loud."""

    name = "notifications"
    verbose_name = _("Notifications")
