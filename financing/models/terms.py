"""The contract's financing parameters: each funder's terms (share, rates, ceiling) per
instrument, and its payment schedule (advances in the year, balance and supporting
documents the next year). They are contract content: set while the contract is prepared."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.querysets import ScopedByContractQuerySet
from financing.models.lines import MONEY, Instrument

PERCENT = {"max_digits": 5, "decimal_places": 2}
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]
DAY_VALIDATORS = [MinValueValidator(1), MaxValueValidator(31)]


def day_in_year(year: int, month: int, day: int) -> datetime.date:
    """The date `day/month` of `year`; 29 February falls on the 28th in a common year."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, month, 28)


def _check_day(month, day, field: str) -> dict:
    if month is None or day is None:
        return {}
    try:
        datetime.date(2000, month, day)  # a leap year: 29/02 is a day
    except ValueError:
        return {field: _("Le %(day)s/%(month)s n'existe pas.") % {"day": day, "month": month}}
    return {}


class FundingTerms(models.Model):
    """*Conditions de financement* of one funder for one instrument of a contract (the CEJ
    itself, or its annex convention, which has its own terms). The funder retains `share` %
    of each action's net cost (*reste à charge*), capped at `ceiling` per action and year, and
    pays its PSEJ at `rate_new` % for a new action, `rate_continued` % for an action carried
    over from the previous contract. The rules are `financing.psej` (docs/psej.md)."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="funding_terms",
    )
    instrument = models.CharField(_("instrument"), max_length=10, choices=Instrument.choices)
    funder = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="funding_terms",
    )
    share = models.DecimalField(
        _("part du reste à charge (%)"),
        **PERCENT,
        validators=PERCENT_VALIDATORS,
        help_text=_("Part du reste à charge de chaque action prise en compte par ce financeur."),
    )
    rate_new = models.DecimalField(
        _("taux, actions nouvelles (%)"), **PERCENT, validators=PERCENT_VALIDATORS
    )
    rate_continued = models.DecimalField(
        _("taux, actions antérieures (%)"), **PERCENT, validators=PERCENT_VALIDATORS
    )
    ceiling = models.DecimalField(
        _("plafond par action et par an (€)"),
        **MONEY,
        validators=[MinValueValidator(0)],
        help_text=_("Reste à charge retenu au plus, par action et par an."),
    )

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("conditions de financement")
        verbose_name_plural = _("conditions de financement")
        ordering = ["contract", "instrument", "funder__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "instrument", "funder"],
                name="funding_terms_once_per_funder",
                violation_error_message=_(
                    "Ce financeur a déjà des conditions pour cet instrument de ce contrat."
                ),
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0, share__lte=100)
                & Q(rate_new__gte=0, rate_new__lte=100)
                & Q(rate_continued__gte=0, rate_continued__lte=100)
                & Q(ceiling__gte=0),
                name="funding_terms_in_range",
                violation_error_message=_(
                    "Parts et taux sont compris entre 0 et 100 % ; le plafond est positif."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.funder} — {self.get_instrument_display()}"

    def rate_for(self, *, continued: bool) -> Decimal:
        return self.rate_continued if continued else self.rate_new


class PaymentSchedule(models.Model):
    """*Calendrier des versements* of one funder for a contract: advances (`Advance` rows,
    a % of the year's forecast PSEJ each, on a day of the year), then in the next year the
    beneficiary's supporting documents by `documents_due` and the balance on the actual
    figures by `balance_due`. Days are given as day and month, the same every year."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="payment_schedules",
    )
    funder = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="payment_schedules",
    )
    documents_due_day = models.PositiveSmallIntegerField(
        _("justificatifs dus le (jour)"), validators=DAY_VALIDATORS
    )
    documents_due_month = models.PositiveSmallIntegerField(
        _("justificatifs dus le (mois, année N+1)"), validators=MONTH_VALIDATORS
    )
    balance_due_day = models.PositiveSmallIntegerField(
        _("solde dû le (jour)"), validators=DAY_VALIDATORS
    )
    balance_due_month = models.PositiveSmallIntegerField(
        _("solde dû le (mois, année N+1)"), validators=MONTH_VALIDATORS
    )

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendrier des versements")
        verbose_name_plural = _("calendriers des versements")
        ordering = ["contract", "funder__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "funder"],
                name="payment_schedule_once_per_funder",
                violation_error_message=_("Ce financeur a déjà un calendrier pour ce contrat."),
            ),
        ]

    def __str__(self):
        return f"{self.funder} — {self.contract}"

    def clean(self):
        errors = _check_day(self.documents_due_month, self.documents_due_day, "documents_due_day")
        errors |= _check_day(self.balance_due_month, self.balance_due_day, "balance_due_day")
        if errors:
            raise ValidationError(errors)

    def documents_due(self, year: int) -> datetime.date:
        """When the beneficiary's actual figures of `year` are due (in `year` + 1)."""
        return day_in_year(year + 1, self.documents_due_month, self.documents_due_day)

    def balance_due(self, year: int) -> datetime.date:
        """When the balance of `year` is due (in `year` + 1)."""
        return day_in_year(year + 1, self.balance_due_month, self.balance_due_day)


class Advance(models.Model):
    """*Acompte*: `percent` % of the year's forecast PSEJ, due on `due_day`/`due_month` of
    the year itself."""

    schedule = models.ForeignKey(
        PaymentSchedule,
        verbose_name=_("calendrier"),
        on_delete=models.CASCADE,
        related_name="advances",
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    percent = models.DecimalField(
        _("part de la PSEJ prévisionnelle (%)"), **PERCENT, validators=PERCENT_VALIDATORS
    )
    due_day = models.PositiveSmallIntegerField(_("dû le (jour)"), validators=DAY_VALIDATORS)
    due_month = models.PositiveSmallIntegerField(_("dû le (mois)"), validators=MONTH_VALIDATORS)

    class Meta:
        verbose_name = _("acompte")
        verbose_name_plural = _("acomptes")
        ordering = ["schedule", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "number"],
                name="advance_number_unique",
                violation_error_message=_("Ce calendrier a déjà un acompte de ce numéro."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100),
                name="advance_percent_in_range",
                violation_error_message=_("Un acompte est compris entre 0 et 100 %."),
            ),
        ]

    def __str__(self):
        return _("Acompte n° %(number)s") % {"number": self.number}

    def clean(self):
        if errors := _check_day(self.due_month, self.due_day, "due_day"):
            raise ValidationError(errors)

    def due_on(self, year: int) -> datetime.date:
        return day_in_year(year, self.due_month, self.due_day)
