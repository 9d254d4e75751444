"""What the calendar of obligations stores: the CDAJE's plenaries, the deadlines added by
hand, and the personal feed tokens. Everything else in the calendar is derived from the
contracts (`agenda.obligations`), never copied."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cej.querysets import ScopedByContractQuerySet


class PlenaryQuerySet(models.QuerySet):
    def for_user(self, user):
        """Plenaries of the territories whose contracts the user sees."""
        from cej.models import Contract

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(territory__in=Contract.objects.for_user(user).values("territory_id"))


class Plenary(models.Model):
    """*Séance plénière* of the CDAJE of a territory (décret 2002-798: at least three a year):
    where it gives its opinions on fiches, avenants and reviews. The plenary pack (*dossier
    de séance*) is what its members read before it."""

    territory = models.ForeignKey(
        "cej.Territory",
        verbose_name=_("territoire"),
        on_delete=models.CASCADE,
        related_name="plenaries",
    )
    held_on = models.DateField(_("date de la séance"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    note = models.TextField(_("ordre du jour complémentaire"), blank=True)

    objects = PlenaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("séance plénière de la CDAJE")
        verbose_name_plural = _("séances plénières de la CDAJE")
        ordering = ["held_on"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "held_on"], name="one_plenary_a_day"),
        ]

    def __str__(self):
        return f"{self.territory} — {self.held_on:%d/%m/%Y}"


class DeadlineVisibility(models.TextChoices):
    STAFF = "staff", _("Équipe du territoire seulement")
    SHARED = "shared", _("Partagée avec les partenaires du contrat")


class Deadline(models.Model):
    """*Échéance* added by hand to a contract's calendar (a committee to convene, a report to
    send). `responsible` names the partner whose users are reminded, besides the territory's
    staff; `done_on` closes it (no more reminders)."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="deadlines",
    )
    due_on = models.DateField(_("échéance"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    visibility = models.CharField(
        _("visibilité"),
        max_length=8,
        choices=DeadlineVisibility.choices,
        default=DeadlineVisibility.SHARED,
    )
    responsible = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("organisme responsable"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    done_on = models.DateField(_("fait le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajoutée par"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.title} — {self.due_on:%d/%m/%Y}"


class FeedToken(models.Model):
    """The secret of a person's iCalendar feed. Only its SHA-256 is stored: the address is
    shown once, when made; revoking it (or making a new one) ends the old address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    token_hash = models.CharField(_("empreinte"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernier accès"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien d'agenda personnel")
        verbose_name_plural = _("liens d'agenda personnels")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} — {self.created_at:%d/%m/%Y}"
