"""The final evaluation of a contract, prepared in its last year."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned, VersionRecord
from reviews.querysets import FinalEvaluationQuerySet


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    ADOPTED = "adopted", _("Adoptée")


class Recommendation(models.TextChoices):
    """What the evaluation proposes for a fiche in the next contract: renewal copies the
    fiches to carry on, and leaves out those not to renew."""

    CONTINUE = "continue", _("Reconduire")
    ADAPT = "adapt", _("Reconduire en l'adaptant")
    END = "end", _("Ne pas reconduire")


class FinalEvaluation(Versioned):
    """*Évaluation finale*: the contract's four years side by side — per objective and fiche
    the indicators' trend, the money executed and what was learnt —, prepared in the last
    year. Adopted on the CDAJE's opinion, its PDF is stored once; it is the starting
    diagnostic of the next contract (« Préparer le contrat suivant »)."""

    contract = models.OneToOneField(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="final_evaluation",
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    summary = models.TextField(_("synthèse"), blank=True)
    opinion = models.TextField(_("avis de la CDAJE"), blank=True)
    opinion_on = models.DateField(_("avis rendu en plénière le"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adoptée le"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adoptée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.OneToOneField(
        "cej.Document",
        verbose_name=_("document adopté"),
        on_delete=models.PROTECT,
        related_name="final_evaluation",
        null=True,
        blank=True,
    )

    objects = FinalEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("évaluation finale")
        verbose_name_plural = _("évaluations finales")
        ordering = ["contract"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(opinion_on__isnull=False),
                name="final_evaluation_adopted_has_opinion_date",
                violation_error_message=_(
                    "Une évaluation adoptée porte la date de la plénière où la CDAJE a rendu "
                    "son avis."
                ),
            ),
        ]

    def __str__(self):
        return _("Évaluation finale du contrat %(period)s") % {"period": self.contract.period_label}


class EvaluationFiche(models.Model):
    """*Enseignements d'une fiche*: what the evaluation learnt from one fiche over the
    contract, and what it recommends for the next one."""

    evaluation = models.ForeignKey(
        FinalEvaluation,
        verbose_name=_("évaluation"),
        on_delete=models.CASCADE,
        related_name="fiches",
    )
    fiche = models.ForeignKey(
        "fiches.Fiche",
        verbose_name=_("fiche"),
        on_delete=models.CASCADE,
        related_name="evaluation_notes",
    )
    lessons = models.TextField(_("enseignements"), blank=True)
    recommendation = models.CharField(
        _("recommandation"),
        max_length=10,
        choices=Recommendation.choices,
        default=Recommendation.CONTINUE,
    )

    class Meta:
        verbose_name = _("enseignements d'une fiche")
        verbose_name_plural = _("enseignements des fiches")
        ordering = ["evaluation", "fiche__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "fiche"],
                name="evaluation_fiche_once",
                violation_error_message=_("Cette fiche figure déjà dans l'évaluation."),
            ),
        ]

    def __str__(self):
        return f"{self.evaluation} — {self.fiche}"


class FinalEvaluationVersion(VersionRecord):
    """*Version de l'évaluation*: the evaluation as it stood after one saved change."""

    evaluation = models.ForeignKey(
        FinalEvaluation,
        verbose_name=_("évaluation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )

    class Meta:
        verbose_name = _("version d'évaluation")
        verbose_name_plural = _("versions d'évaluations")
        ordering = ["evaluation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"],
                name="final_evaluation_version_number_unique",
                violation_error_message=_("Cette version de l'évaluation existe déjà."),
            ),
        ]
