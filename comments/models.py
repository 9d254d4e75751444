"""Comments on what the CDAJE and the partners prepare together: a fiche, an avenant, an
annual review. A comment names its target by kind and id (the targets live in apps above
this one) and its contract, which scopes it like everything else."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cej.querysets import ScopedByContractQuerySet


class TargetKind(models.TextChoices):
    FICHE = "fiche", _("Fiche action")
    AMENDMENT = "amendment", _("Avenant")
    REVIEW = "review", _("Bilan annuel")


class Visibility(models.TextChoices):
    """Who reads a comment: the CDAJE staff of the territory only, or also the users of the
    partners party to the contract."""

    STAFF = "staff", _("Équipe CDAJE seulement")
    SHARED = "shared", _("Partagé avec les partenaires du contrat")


class CommentQuerySet(ScopedByContractQuerySet):
    def for_target(self, kind: str, target_id: int):
        return self.filter(target_kind=kind, target_id=target_id)

    def threads(self):
        return self.filter(parent__isnull=True)

    def open(self):
        """Threads not resolved and not deleted."""
        return self.filter(parent__isnull=True, resolved_at__isnull=True, deleted_at__isnull=True)

    def shared(self):
        return self.filter(visibility=Visibility.SHARED)


class Comment(models.Model):
    """A comment, or a reply when it has a `parent` (threads are one level deep: a reply to a
    reply joins the same thread). `anchor` says what it is about: empty for the whole
    target, else a section — `field:<name>` (a fiche field), `line:<pk>` (a budget line),
    `indicator:<pk>`, `fiche:<pk>` (a fiche within a review or an avenant) — with
    `anchor_label`, its readable name at the time. Replies share their thread's visibility,
    and a thread is resolved as a whole. Deleting keeps the row (`deleted_at`): its text
    stays in `CommentRevision`, the thread shows « commentaire supprimé »."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    target_kind = models.CharField(_("objet"), max_length=16, choices=TargetKind.choices)
    target_id = models.PositiveIntegerField(_("identifiant de l'objet"))
    anchor = models.CharField(_("section"), max_length=80, blank=True)
    anchor_label = models.CharField(_("intitulé de la section"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("fil"),
        on_delete=models.CASCADE,
        related_name="replies",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        related_name="comments",
        null=True,
    )
    body = models.TextField(_("commentaire"))
    visibility = models.CharField(
        _("visibilité"), max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personnes mentionnées"),
        related_name="+",
        blank=True,
    )
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("résolu par"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["contract", "target_kind", "target_id"], name="comment_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="comment_only_threads_resolve",
            ),
        ]

    def __str__(self):
        return f"{self.get_target_kind_display()} {self.target_id} — {self.author}"


class RevisionAction(models.TextChoices):
    EDITED = "edited", _("Modifié")
    DELETED = "deleted", _("Supprimé")
    RESOLVED = "resolved", _("Résolu")
    REOPENED = "reopened", _("Rouvert")


class CommentRevision(models.Model):
    """The history of a comment: the text as it was before each edit or deletion, and each
    resolution and reopening, with who and when."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("commentaire"), on_delete=models.CASCADE, related_name="revisions"
    )
    action = models.CharField(_("action"), max_length=16, choices=RevisionAction.choices)
    body = models.TextField(_("texte avant"), blank=True)
    recorded_at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )

    class Meta:
        verbose_name = _("révision de commentaire")
        verbose_name_plural = _("révisions de commentaires")
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"{self.comment_id} {self.get_action_display()} {self.recorded_at:%d/%m/%Y %H:%M}"
