from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """The calendar of obligations: what each contract owes and when (reviews, supporting
    documents, the funders' advances and balances, ends, renewal), the CDAJE's plenaries and
    their pack, deadlines added by hand, the personal iCalendar feed and the reminders."""

    name = "agenda"
    verbose_name = _("Échéances et séances")
