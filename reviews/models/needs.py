"""The CDAJE's yearly report on needs and supply of childcare (*état des besoins et de
l'offre d'accueil*), part of the annual review."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reviews.models.annual import AnnualReview


class CareType(models.TextChoices):
    """The kinds of childcare the coverage rate counts (the CNAF's *taux de couverture
    global*: places for children under three, per 100 children under three)."""

    COLLECTIVE = "collective", _("Accueil collectif (crèches, multi-accueils)")
    MICRO_CRECHE = "micro_creche", _("Micro-crèches")
    FAMILY_CRECHE = "family_creche", _("Crèches familiales")
    CHILDMINDERS = "childminders", _("Assistants maternels")
    HOME_CARE = "home_care", _("Garde à domicile")
    PRESCHOOL = "preschool", _("École préélémentaire (enfants de 2 ans)")


class NeedsArea(models.Model):
    """*Zone du territoire*: one area of the département in the needs-and-supply report
    (« Roannais », « Forez », « Gier-Ondaine »…) with its children under three — the need —
    and, below, its places per kind of care — the supply."""

    review = models.ForeignKey(
        AnnualReview, verbose_name=_("bilan"), on_delete=models.CASCADE, related_name="areas"
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=1)
    name = models.CharField(_("zone"), max_length=120)
    children_under_3 = models.PositiveIntegerField(_("enfants de moins de 3 ans"))
    unmet_requests = models.PositiveIntegerField(
        _("demandes non satisfaites"),
        null=True,
        blank=True,
        help_text=_(
            "Demandes d'accueil restées sans solution dans l'année, si elles sont connues."
        ),
    )

    class Meta:
        verbose_name = _("zone de l'état des besoins")
        verbose_name_plural = _("zones de l'état des besoins")
        ordering = ["review", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "name"],
                name="needs_area_once_per_review",
                violation_error_message=_("Cette zone figure déjà dans l'état des besoins."),
            ),
        ]

    def __str__(self):
        return self.name


class NeedsPlaces(models.Model):
    """*Places d'accueil*: the places of one kind of care in one area."""

    area = models.ForeignKey(
        NeedsArea, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="places"
    )
    care_type = models.CharField(_("mode d'accueil"), max_length=20, choices=CareType.choices)
    places = models.PositiveIntegerField(_("places"))

    class Meta:
        verbose_name = _("places d'accueil")
        verbose_name_plural = _("places d'accueil")
        ordering = ["area", "care_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "care_type"],
                name="needs_places_once_per_type",
                violation_error_message=_("Ce mode d'accueil figure déjà pour cette zone."),
            ),
        ]

    def __str__(self):
        return f"{self.area} — {self.get_care_type_display()} : {self.places}"
