from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotageConfig(AppConfig):
    """The pages and services that combine the contract's apps: the contract list and
    dashboard, the documents and their signing, the contract document."""

    name = "pilotage"
    verbose_name = _("Pilotage du contrat")

    def ready(self):
        # Comments name what they are about by kind and id (the comments app sits below the
        # fiches, avenants and reviews): this app, which sees them all, says what each is.
        from pilotage.comment_targets import register_targets

        register_targets()
