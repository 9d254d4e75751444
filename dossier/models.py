"""The record of each dossier produced: who took it, when, and what it contained (the
SHA-256 of its manifest, which names every file's SHA-256)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierChannel(models.TextChoices):
    WEB = "web", _("téléchargement")
    COMMAND = "command", _("commande export_dossier")


class DossierDownload(models.Model):
    """*Téléchargement du dossier de contrôle*: one dossier produced for someone, recorded
    once its last byte is written (a download cut short leaves no row: the security log has
    its start). The manifest's SHA-256 identifies exactly which files, in which state, were
    handed over."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="dossier_downloads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too: the record must survive the account's deletion.
    username = models.CharField(_("identifiant"), max_length=150)
    downloaded_at = models.DateTimeField(_("produit le"), auto_now_add=True, db_index=True)
    manifest_sha256 = models.CharField(_("empreinte SHA-256 du manifeste"), max_length=64)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    files = models.PositiveIntegerField(_("fichiers"))
    channel = models.CharField(
        _("canal"), max_length=10, choices=DossierChannel.choices, default=DossierChannel.WEB
    )

    class Meta:
        verbose_name = _("téléchargement du dossier de contrôle")
        verbose_name_plural = _("téléchargements du dossier de contrôle")
        ordering = ["-downloaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(manifest_sha256__regex=r"^[0-9a-f]{64}$"),
                name="dossier_download_sha256_hex",
                violation_error_message=_("L'empreinte SHA-256 compte 64 caractères hexadécimaux."),
            ),
        ]

    def __str__(self):
        return f"{self.username} — {self.contract_id} — {self.downloaded_at:%Y-%m-%d %H:%M}"
