"""The two halves of every versioned record of the house (fiches, budget lines; avenants,
indicators and reviews next): the record itself, which counts its saved changes, and the
version rows that keep what it was after each one. The functions that use them (snapshot,
record, conflict, rebase, diff) are `cej.versioning`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A record edited by several people: `version` counts its saved changes (optimistic
    locking — a save based on an older value is refused), with who made the last one."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class VersionRecord(models.Model):
    """*Version*: a record as it stood after one saved change (`snapshot`, JSON-ready), its
    number, what kind of change it was, who made it and when. Never edited or deleted;
    restoring an old version adds a new one. A concrete version model adds the link to its
    record and the unique (record, number) constraint."""

    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("contenu"))
    action = models.CharField(_("nature du changement"), max_length=120)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    # The avenant that made this change, for a change of a signed contract's content (which
    # changes only through one): the history says which act allowed it.
    amendment = models.ForeignKey(
        "cej.Amendment",
        verbose_name=_("avenant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def author_name(self) -> str:
        return person_name(self.author)


def person_name(user) -> str:
    """A person as the history shows them: full name, else user name; « Quelqu'un » once
    the account is gone."""
    if user is None:
        return str(_("Quelqu'un"))
    return user.get_full_name() or user.get_username()
