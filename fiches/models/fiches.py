"""Orientations of a contract: objectives, the action fiches under them, and the CDAJE aims a
fiche serves."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned, VersionRecord
from fiches.querysets import FicheQuerySet, ObjectiveQuerySet


class Aim(models.Model):
    """*Finalité de la CDAJE*: one of the aims the *commission départementale d'accueil des
    jeunes enfants* pursues (cohesion of policies, development and adaptation of childcare,
    information of families, equal access). A fiche states which aims it serves."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    label = models.CharField(_("libellé court"), max_length=80)
    description = models.CharField(_("énoncé"), max_length=300)

    class Meta:
        verbose_name = _("finalité de la CDAJE")
        verbose_name_plural = _("finalités de la CDAJE")
        ordering = ["number"]

    def __str__(self):
        return self.label


class Objective(models.Model):
    """*Objectif*: one of the broad objectives of a contract's orientations, under which the
    action fiches are grouped (three for the Loire 2014–2017)."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    title = models.CharField(_("intitulé"), max_length=300)

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="objective_number_unique_per_contract",
                violation_error_message=_("Ce numéro d'objectif existe déjà dans ce contrat."),
            ),
        ]

    def __str__(self):
        return _("Objectif %(number)s : %(title)s") % {"number": self.number, "title": self.title}


class FicheStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    VALIDATED = "validated", _("Avis favorable de la CDAJE")
    REOPENED = "reopened", _("Rouverte pour révision")
    WITHDRAWN = "withdrawn", _("Retirée")


# A status in fewer words, where space is tight (the badges of the fiche tables); the other
# statuses are short already.
SHORT_STATUS_LABELS = {FicheStatus.VALIDATED.value: _("Avis favorable")}


def short_status_label(status: str) -> str:
    """The status as a badge of the fiche list or the dashboard shows it."""
    try:
        return str(SHORT_STATUS_LABELS.get(status) or FicheStatus(status).label)
    except ValueError:
        return status


class Fiche(Versioned):
    """*Fiche action*: one action of the contract's orientations, written by the CDAJE staff
    and given a favourable opinion (*avis*) by the CDAJE in plenary (the signatories approve
    the contract, fiches included, by deliberations of their own boards). It states findings
    (*constat*), objectives, actions, target public, lead partner (*pilote*) and associated
    partners, calendar, evaluation indicators and an indicative budget. Numbers run across
    the whole contract (1 to 14 in the Loire), so a fiche keeps its number when it moves to
    another objective."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="fiches",
        editable=False,
    )
    objective = models.ForeignKey(
        Objective, verbose_name=_("objectif"), on_delete=models.PROTECT, related_name="fiches"
    )
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    title = models.CharField(_("intitulé"), max_length=250)
    findings = models.TextField(_("constat"), blank=True)
    goals = models.TextField(_("objectifs de la fiche"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    target_public = models.TextField(_("public visé"), blank=True)
    lead_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("pilote"),
        on_delete=models.PROTECT,
        related_name="led_fiches",
        null=True,
        blank=True,
    )
    associated_partners = models.ManyToManyField(
        "partners.Partner",
        verbose_name=_("partenaires associés"),
        related_name="associated_fiches",
        blank=True,
    )
    calendar = models.TextField(_("calendrier"), blank=True)
    indicators = models.TextField(_("indicateurs d'évaluation"), blank=True)
    budget_note = models.TextField(_("budget indicatif"), blank=True)
    aims = models.ManyToManyField(
        Aim, verbose_name=_("finalités servies"), related_name="fiches", blank=True
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=FicheStatus.choices, default=FicheStatus.DRAFT
    )
    # Lineage across renewals: the fiche of the previous contract this one carries on (set
    # by « Préparer le contrat suivant »); the older fiche lists its continuations.
    continues = models.ForeignKey(
        "self",
        verbose_name=_("prolonge la fiche"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        editable=False,
    )
    validated_on = models.DateField(
        _("avis rendu en plénière le"),
        null=True,
        blank=True,
        help_text=_(
            "Date de la séance plénière où la CDAJE a rendu son avis favorable sur la fiche."
        ),
    )

    objects = FicheQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche action")
        verbose_name_plural = _("fiches actions")
        ordering = ["contract", "number"]
        permissions = [
            (
                "validate_fiche",
                _(
                    "Peut enregistrer les avis de la CDAJE et rouvrir les fiches "
                    "(coordination CDAJE)"
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="fiche_number_unique_per_contract",
                violation_error_message=_("Ce numéro de fiche existe déjà dans ce contrat."),
            ),
            models.CheckConstraint(
                condition=~Q(status="validated") | Q(validated_on__isnull=False),
                name="fiche_validated_has_plenary_date",
                violation_error_message=_(
                    "Une fiche qui a reçu l'avis favorable de la CDAJE porte la date de la "
                    "plénière."
                ),
            ),
        ]

    def __str__(self):
        return _("Fiche %(number)s : %(title)s") % {"number": self.number, "title": self.title}

    def save(self, *args, **kwargs):
        # The contract is the objective's: kept on the fiche so that the database itself can
        # guarantee one number per contract.
        if self.objective_id:
            self.contract_id = self.objective.contract_id
        super().save(*args, **kwargs)

    def clean(self):
        from cej.html import sanitize_rich_text

        # Every path that stores a fiche (forms, admin, imports) goes through the allow-list.
        for field in ("findings", "goals", "actions", "target_public", "calendar", "indicators"):
            setattr(self, field, sanitize_rich_text(getattr(self, field)))
        errors = {}
        if self.objective_id:
            self.contract_id = self.objective.contract_id
            # The (contract, number) constraint involves a non-editable field, which form
            # validation skips: check it here so the user gets a message, not a server error.
            clash = Fiche.objects.filter(contract_id=self.contract_id, number=self.number)
            if self.number and clash.exclude(pk=self.pk).exists():
                errors["number"] = _(
                    "La fiche n° %(number)s existe déjà dans ce contrat ; choisissez un autre "
                    "numéro."
                ) % {"number": self.number}
            if (
                self.lead_partner_id
                and not self.objective.contract.parties.filter(
                    partner_id=self.lead_partner_id
                ).exists()
            ):
                errors["lead_partner"] = _(
                    "%(partner)s n'est pas partie au contrat : il ne peut pas piloter la fiche."
                ) % {"partner": self.lead_partner}
        if errors:
            raise ValidationError(errors)
        if self.status == FicheStatus.VALIDATED and not self.validated_on:
            raise ValidationError(
                {"validated_on": _("Indiquez la date de la plénière où la CDAJE a rendu son avis.")}
            )

    def get_status_display(self) -> str:
        # Django's version rebuilds a dict of every choice on each call (≈ 20 µs): the lists
        # show one per fiche.
        try:
            return str(FicheStatus(self.status).label)
        except ValueError:
            return self.status


class FicheVersion(VersionRecord):
    """*Version*: a fiche as it stood after one saved change — its text, partners, aims and
    status — with who made the change, when, and what kind of change it was. Versions are
    never edited or deleted; restoring an old one adds a new one."""

    fiche = models.ForeignKey(
        Fiche, verbose_name=_("fiche"), on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        verbose_name = _("version de fiche")
        verbose_name_plural = _("versions de fiches")
        ordering = ["fiche", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "number"],
                name="fiche_version_number_unique",
                violation_error_message=_("Cette version de la fiche existe déjà."),
            ),
        ]

    def __str__(self):
        return _("%(fiche)s — version %(number)s") % {"fiche": self.fiche, "number": self.number}
