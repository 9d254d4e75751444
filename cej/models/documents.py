"""Stored documents of a contract (signed contract, annex convention, amendments, scanned
originals) and the record of who downloaded them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.contracts import Amendment, AnnexConvention, Contract
from cej.querysets import DocumentQuerySet


class DocumentKind(models.TextChoices):
    SIGNED_CONTRACT = "signed_contract", _("Contrat signé")
    ANNEX_CONVENTION = "annex_convention", _("Convention annexe")
    AMENDMENT = "amendment", _("Avenant")
    SCANNED_ORIGINAL = "scanned_original", _("Original signé numérisé")
    ANNUAL_REVIEW = "annual_review", _("Bilan annuel")
    FINAL_EVALUATION = "final_evaluation", _("Évaluation finale")
    INDICATOR_EVIDENCE = "indicator_evidence", _("Justificatif d'indicateur")


class Document(models.Model):
    """*Document*: a stored file of a contract (signed contract, annex convention, amendment,
    scanned original). Its bytes never change once stored: the SHA-256 recorded here is
    checked on every download. Files live outside any public URL."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("nature"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("titre"), max_length=250)
    amendment = models.ForeignKey(
        Amendment,
        verbose_name=_("avenant"),
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    annex_convention = models.ForeignKey(
        AnnexConvention,
        verbose_name=_("convention annexe"),
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    dated = models.DateField(
        _("date du document"),
        null=True,
        blank=True,
        help_text=_("Date de signature de l'acte, s'il y a lieu."),
    )
    sealed = models.BooleanField(
        _("scellé par l'application"),
        default=False,
        help_text=_("Rendu par l'application et revêtu de son sceau électronique (PAdES)."),
    )
    # Room for documents/<slug, up to 80>/<year>/<name>-<hash>.pdf.
    file = models.FileField(_("fichier"), upload_to="documents/%Y/", max_length=255)
    original_filename = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["contract", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="document_sha256_hex",
                violation_error_message=_("L'empreinte SHA-256 compte 64 caractères hexadécimaux."),
            ),
            # "Rendered once, never regenerated" (DESIGN.md §4), enforced by the database.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(kind="signed_contract"),
                name="document_one_signed_contract",
                violation_error_message=_("Le document signé de ce contrat est déjà enregistré."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_kind_display(self) -> str:
        # Django's version rebuilds a dict of every choice on each call (≈ 20 µs): the
        # document space shows one per document.
        try:
            return str(DocumentKind(self.kind).label)
        except ValueError:
            return self.kind

    @property
    def filename(self) -> str:
        """The name offered to the browser on download."""
        return self.original_filename or self.file.name.rsplit("/", 1)[-1]


class DownloadOutcome(models.TextChoices):
    SERVED = "served", _("servi")
    REFUSED_INTEGRITY = "refused_integrity", _("refusé : empreinte différente")
    MISSING = "missing", _("refusé : fichier introuvable")


class DocumentDownload(models.Model):
    """Who downloaded which document, and when — including refused attempts, so that an
    integrity failure leaves a trace beside the log."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Kept as text too: the record must survive the account's deletion.
    username = models.CharField(_("identifiant"), max_length=150)
    downloaded_at = models.DateTimeField(_("téléchargé le"), auto_now_add=True, db_index=True)
    outcome = models.CharField(
        _("résultat"),
        max_length=20,
        choices=DownloadOutcome.choices,
        default=DownloadOutcome.SERVED,
    )

    class Meta:
        verbose_name = _("téléchargement")
        verbose_name_plural = _("téléchargements")
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.username} — {self.document}"
