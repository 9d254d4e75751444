from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The contract's life after the signature: the annual reviews (*bilans annuels*) with
    the CDAJE's report on needs and supply, and the final evaluation that prepares the next
    contract."""

    name = "reviews"
    verbose_name = _("Bilans et évaluation")
