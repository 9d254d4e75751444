"""The money cycle as it happens: what each funder paid the beneficiary (advances, balances)
and what the beneficiary paid back (*reversements*), and the supporting documents the
beneficiary sent. What was *due* is never stored: `financing.cycle` derives it from the
terms, the schedule and the financing plans."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.money import format_eur
from cej.querysets import ScopedByContractQuerySet
from financing.models.lines import MONEY

YEAR_RANGE = [MinValueValidator(1990), MaxValueValidator(2100)]


class FunderPaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Acompte")
    BALANCE = "balance", _("Solde")
    REFUND = "refund", _("Reversement")


class FunderPaymentQuerySet(ScopedByContractQuerySet):
    pass


class FunderPayment(models.Model):
    """*Versement*: money that moved between a funder and the beneficiary for one year's
    PSEJ. An advance or a balance is paid by the funder; a *reversement* is paid back by the
    beneficiary once an *ordre de reversement* asked for a sum unduly received. Recorded by
    the finance officers as it arrives: amount, date, reference of the payment order."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="funder_payments",
    )
    funder = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="funder_payments",
    )
    year = models.PositiveSmallIntegerField(_("exercice"), validators=YEAR_RANGE)
    kind = models.CharField(_("nature"), max_length=10, choices=FunderPaymentKind.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY, validators=[MinValueValidator(0)])
    received_on = models.DateField(_("reçu le"))
    reference = models.CharField(
        _("référence"), max_length=100, help_text=_("N° du mandat, de l'ordre de reversement…")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    objects = FunderPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("versement d'un financeur")
        verbose_name_plural = _("versements des financeurs")
        ordering = ["contract", "funder__name", "year", "received_on", "pk"]
        indexes = [
            models.Index(fields=["contract", "funder", "year"], name="funderpayment_position")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="funder_payment_amount_positive",
                violation_error_message=_("Un versement est un montant positif."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} — {self.funder} : {format_eur(self.amount)}"


class SupportingDocumentKind(models.TextChoices):
    ACTUAL_FIGURES = "actual_figures", _("Bilan financier (dépenses et recettes réalisées)")
    ACTIVITY = "activity", _("Données d'activité")


class SupportingDocument(models.Model):
    """*Justificatif*: one document a funder expects from the beneficiary for one year — the
    actual figures, the activity data —, recorded when received. Its deadline comes from the
    funder's `PaymentSchedule`; the balance is computed on the actual figures."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="supporting_documents",
    )
    funder = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="supporting_documents",
    )
    year = models.PositiveSmallIntegerField(_("exercice"), validators=YEAR_RANGE)
    kind = models.CharField(_("pièce"), max_length=20, choices=SupportingDocumentKind.choices)
    received_on = models.DateField(_("reçu le"))
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("justificatif reçu")
        verbose_name_plural = _("justificatifs reçus")
        ordering = ["contract", "year", "funder__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "funder", "year", "kind"],
                name="supporting_document_once",
                violation_error_message=_("Ce justificatif est déjà enregistré comme reçu."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} — {self.funder}"
