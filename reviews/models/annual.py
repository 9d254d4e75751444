"""The annual review (*bilan annuel*) of one contract year."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned, VersionRecord
from reviews.querysets import AnnualReviewQuerySet

YEARS = [MinValueValidator(1990), MaxValueValidator(2100)]


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    SUBMITTED = "submitted", _("Soumis à la CDAJE")
    ADOPTED = "adopted", _("Adopté")


class AnnualReview(Versioned):
    """*Bilan annuel*: what was done in one year of the contract against what it promised —
    per fiche the state of its actions, its indicators (target and actual) and its money
    (planned, committed, paid; PSEJ due and received) —, with the CDAJE's report on needs and
    supply of childcare and its opinion given in plenary. The partners review execution each
    year (the contract's evaluation article); the funders pay their balance on it. Prepared
    by the CDAJE staff (draft), submitted to the CDAJE, adopted on its opinion: the « Bilan
    annuel » PDF is then rendered once, stored with its SHA-256 and never regenerated."""

    contract = models.ForeignKey(
        "cej.Contract", verbose_name=_("contrat"), on_delete=models.PROTECT, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEARS)
    status = models.CharField(
        _("statut"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    summary = models.TextField(_("synthèse de l'année"), blank=True)
    opinion = models.TextField(_("avis de la CDAJE"), blank=True)
    opinion_on = models.DateField(_("avis rendu en plénière le"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("soumis par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopté le"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adopté par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The « Bilan annuel » PDF as adopted: rendered once, stored, never regenerated.
    document = models.OneToOneField(
        "cej.Document",
        verbose_name=_("document adopté"),
        on_delete=models.PROTECT,
        related_name="annual_review",
        null=True,
        blank=True,
    )

    objects = AnnualReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("bilan annuel")
        verbose_name_plural = _("bilans annuels")
        ordering = ["contract", "year"]
        permissions = [
            ("adopt_annualreview", _("Peut adopter un bilan annuel sur l'avis de la CDAJE")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year"],
                name="annual_review_once_per_year",
                violation_error_message=_("Le bilan de cette année existe déjà."),
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(opinion_on__isnull=False),
                name="annual_review_adopted_has_opinion_date",
                violation_error_message=_(
                    "Un bilan adopté porte la date de la plénière où la CDAJE a rendu son avis."
                ),
            ),
        ]

    def __str__(self):
        return _("Bilan annuel %(year)s") % {"year": self.year}

    def get_status_display(self) -> str:
        try:
            return str(ReviewStatus(self.status).label)
        except ValueError:
            return self.status


class ActionState(models.TextChoices):
    DONE = "done", _("Réalisée")
    IN_PROGRESS = "in_progress", _("En cours")
    POSTPONED = "postponed", _("Reportée")
    ABANDONED = "abandoned", _("Abandonnée")


class ReviewFiche(models.Model):
    """*Bilan d'une fiche*: in an annual review, where the fiche's actions stand that year
    and a short narrative of what was done, what slipped and why."""

    review = models.ForeignKey(
        AnnualReview, verbose_name=_("bilan"), on_delete=models.CASCADE, related_name="fiches"
    )
    fiche = models.ForeignKey(
        "fiches.Fiche",
        verbose_name=_("fiche"),
        on_delete=models.CASCADE,
        related_name="review_states",
    )
    state = models.CharField(
        _("état des actions"),
        max_length=12,
        choices=ActionState.choices,
        default=ActionState.IN_PROGRESS,
    )
    narrative = models.TextField(_("ce qui a été fait"), blank=True)

    class Meta:
        verbose_name = _("bilan d'une fiche")
        verbose_name_plural = _("bilans des fiches")
        ordering = ["review", "fiche__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "fiche"],
                name="review_fiche_once",
                violation_error_message=_("Cette fiche figure déjà dans le bilan."),
            ),
        ]

    def __str__(self):
        return f"{self.review} — {self.fiche}"


class AnnualReviewVersion(VersionRecord):
    """*Version du bilan*: the review as it stood after one saved change (synthesis,
    opinion, status, each fiche's state and narrative, the needs and supply figures)."""

    review = models.ForeignKey(
        AnnualReview, verbose_name=_("bilan"), on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        verbose_name = _("version de bilan")
        verbose_name_plural = _("versions de bilans")
        ordering = ["review", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"],
                name="annual_review_version_number_unique",
                violation_error_message=_("Cette version du bilan existe déjà."),
            ),
        ]
