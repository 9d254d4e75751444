from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    """Comments on fiches, avenants and annual reviews, as the CDAJE and the partners prepare
    them together: threads anchored to a section, visible to the CDAJE staff only or shared
    with the contract's partners, resolved before the plenary."""

    name = "comments"
    verbose_name = _("Commentaires")
