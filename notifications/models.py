"""A notification tells one person that something awaits them, with a direct link. It is
stored once per recipient (the in-app list and the count in the header read it) and carries
its e-mail delivery state: `send_reminders` and the at-once sender claim pending rows with
one conditional UPDATE, so that two senders never send the same message."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What happened; each person chooses per kind how to be told (`Delivery`)."""

    FICHE_SUBMITTED = "fiche_submitted", _("Fiche soumise à la CDAJE")
    REVIEW_SUBMITTED = "review_submitted", _("Bilan annuel soumis à la CDAJE")
    OPINION_RECORDED = "opinion_recorded", _("Avis de la CDAJE enregistré")
    FICHE_RETURNED = "fiche_returned", _("Fiche ou bilan renvoyé pour révision")
    MENTION = "mention", _("Mention dans un commentaire")
    REPLY = "reply", _("Réponse à un commentaire")
    AMENDMENT_OPENED = "amendment_opened", _("Avenant ouvert")
    AMENDMENT_SIGNED = "amendment_signed", _("Avenant signé")
    DUE_SOON = "due_soon", _("Échéance proche")
    OVERDUE = "overdue", _("Échéance dépassée")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Tout de suite, par e-mail")
    DIGEST = "digest", _("Dans le résumé quotidien")
    NONE = "none", _("Jamais")


# What a person gets until they choose otherwise: what asks them to act at once, the rest
# in the morning's digest.
DEFAULT_DELIVERY = {
    Kind.FICHE_SUBMITTED: Delivery.IMMEDIATE,
    Kind.REVIEW_SUBMITTED: Delivery.IMMEDIATE,
    Kind.OPINION_RECORDED: Delivery.DIGEST,
    Kind.FICHE_RETURNED: Delivery.IMMEDIATE,
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.REPLY: Delivery.IMMEDIATE,
    Kind.AMENDMENT_OPENED: Delivery.DIGEST,
    Kind.AMENDMENT_SIGNED: Delivery.DIGEST,
    Kind.DUE_SOON: Delivery.DIGEST,
    Kind.OVERDUE: Delivery.IMMEDIATE,
}


class EmailState(models.TextChoices):
    NOT_WANTED = "not_wanted", _("Pas d'e-mail")
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec de l'envoi")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A person's own notifications; nobody reads anyone else's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing that awaits one person: what (`kind`, `title`, `body`), where (`url`, a path
    of this site) and from whom (`actor`). `key` makes a notification that must exist once
    (a reminder of a given deadline on a given stage) unique per recipient."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("détail"), blank=True)
    url = models.CharField(_("lien"), max_length=500)
    key = models.CharField(_("clé d'unicité"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    delivery = models.CharField(_("envoi"), max_length=16, choices=Delivery.choices)
    email_state = models.CharField(_("état de l'e-mail"), max_length=16, choices=EmailState.choices)
    email_claim = models.CharField(_("envoi réservé par"), max_length=64, blank=True)
    email_claimed_at = models.DateTimeField(_("envoi réservé le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="notification_key_once_per_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_state", "delivery"], name="notification_outbox"),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of notification; absent: `DEFAULT_DELIVERY`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("envoi"), max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} : {self.get_delivery_display()}"
