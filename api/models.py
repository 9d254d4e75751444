from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, today=None):
        """Neither revoked nor expired (a token is valid through its expiry day)."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expires_on__gte=today)


class ApiToken(models.Model):
    """A personal access token (*jeton d'accès personnel*): lets a program call the API as
    the person who created it, with that person's scope and rights — and no more: a
    read-only token refuses every write. Only the SHA-256 of the secret is stored; the secret
    is shown once, at creation. `prefix`, the secret's first characters, lets its owner
    recognise it in the list and in the logs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("utilisateur"),
    )
    name = models.CharField(_("nom"), max_length=100)
    key_hash = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    prefix = models.CharField(_("début du jeton"), max_length=16)
    read_only = models.BooleanField(_("lecture seule"), default=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_on = models.DateField(_("expire le"))
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'accès")
        verbose_name_plural = _("jetons d'accès")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.expires_on >= today
