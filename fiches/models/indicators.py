"""Evaluation indicators of a fiche: what is measured, from which baseline, the target of
each year of the contract and what was actually measured."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned, VersionRecord
from fiches.models.fiches import Fiche
from fiches.querysets import IndicatorQuerySet, IndicatorYearQuerySet

YEARS = [MinValueValidator(1990), MaxValueValidator(2100)]
# Indicators count places, families, sessions, or rates: two decimals cover them all.
VALUE = {"max_digits": 12, "decimal_places": 2}


class IndicatorDirection(models.TextChoices):
    """Which way is progress: the review colours a variance by it."""

    UP = "up", _("À la hausse (plus est mieux)")
    DOWN = "down", _("À la baisse (moins est mieux)")


class Indicator(Versioned):
    """*Indicateur d'évaluation*: one measure of a fiche's results (« Nombre de places
    d'accueil créées », « Taux de couverture »), with its unit, where the figure comes from
    (*source*) and its starting point (*valeur de référence*, a year and a value). The
    targets (*cibles*) are contract content: on a signed contract they change only through an
    avenant. The actual values (*réalisé*) are execution, entered each year by the CDAJE staff
    or the fiche's lead partner. Every saved change is versioned (`IndicatorVersion`)."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="indicators",
        editable=False,
    )
    fiche = models.ForeignKey(
        Fiche,
        verbose_name=_("fiche"),
        on_delete=models.CASCADE,
        related_name="indicator_set",
    )
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    name = models.CharField(_("intitulé"), max_length=250)
    unit = models.CharField(
        _("unité"), max_length=40, help_text=_("« places », « familles », « % », « séances »…")
    )
    source = models.CharField(
        _("source"),
        max_length=250,
        blank=True,
        help_text=_("D'où vient le chiffre : « CAF, données SIAM », « enquête PMI »…"),
    )
    direction = models.CharField(
        _("sens de progression"),
        max_length=4,
        choices=IndicatorDirection.choices,
        default=IndicatorDirection.UP,
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("année de référence"), null=True, blank=True, validators=YEARS
    )
    baseline_value = models.DecimalField(_("valeur de référence"), **VALUE, null=True, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["fiche__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "number"],
                name="indicator_number_unique_per_fiche",
                violation_error_message=_("Ce numéro d'indicateur existe déjà dans la fiche."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(baseline_value__isnull=False),
                name="indicator_baseline_complete",
                violation_error_message=_("Une valeur de référence porte une année et une valeur."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The contract is the fiche's: kept here so scoping needs no join through the fiche.
        if self.fiche_id:
            self.contract_id = self.fiche.contract_id
        super().save(*args, **kwargs)


class IndicatorYear(models.Model):
    """One year of an indicator: its target (*cible*, contract content) and its actual value
    (*réalisé*, execution) with a comment and, optionally, the evidence it rests on (a PDF,
    XLSX or CSV stored as a document of the contract, checked by content on upload)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEARS)
    target = models.DecimalField(_("cible"), **VALUE, null=True, blank=True)
    actual = models.DecimalField(_("réalisé"), **VALUE, null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    evidence = models.ForeignKey(
        "cej.Document",
        verbose_name=_("pièce justificative"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actual_recorded_at = models.DateTimeField(_("réalisé saisi le"), null=True, blank=True)
    actual_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réalisé saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = IndicatorYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("année d'indicateur")
        verbose_name_plural = _("années d'indicateurs")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="indicator_year_unique",
                violation_error_message=_("Cette année de l'indicateur existe déjà."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} — {self.year}"


class IndicatorVersion(VersionRecord):
    """*Version d'indicateur*: an indicator as it stood after one saved change — definition,
    targets and actual values per year — with who made the change and when."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        verbose_name = _("version d'indicateur")
        verbose_name_plural = _("versions d'indicateurs")
        ordering = ["indicator", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "number"],
                name="indicator_version_number_unique",
                violation_error_message=_("Cette version de l'indicateur existe déjà."),
            ),
        ]
