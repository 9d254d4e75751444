"""What an avenant proposes to change in its signed contract, kept beside the contract until
the avenant is signed: the contract itself does not move while the avenant is discussed.

Each proposal holds the record as it will stand (`proposed`, in the shape of the record's
version snapshot: `fiches.services.snapshot_of`, `financing.services.line_snapshot`), so the
avenant page compares it with the contract as signed, word by word and euro by euro, and the
last signature applies it through the apps' services (`pilotage.amendment_apply`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned


class ChangeKind(models.TextChoices):
    REVISE = "revise", _("Modification")
    ADD = "add", _("Ajout")
    WITHDRAW = "withdraw", _("Retrait")


class AmendmentFicheChange(Versioned):
    """*Fiche modifiée par avenant*: a fiche of the contract revised or withdrawn by the
    avenant, or a new fiche it adds (`fiche` empty, `number` the one it will take)."""

    amendment = models.ForeignKey(
        "cej.Amendment",
        verbose_name=_("avenant"),
        on_delete=models.CASCADE,
        related_name="fiche_changes",
    )
    kind = models.CharField(_("nature"), max_length=10, choices=ChangeKind.choices)
    fiche = models.ForeignKey(
        "fiches.Fiche",
        verbose_name=_("fiche"),
        on_delete=models.CASCADE,
        related_name="amendment_changes",
        null=True,
        blank=True,
    )
    number = models.PositiveSmallIntegerField(_("numéro de la fiche"))
    proposed = models.JSONField(_("fiche proposée"), default=dict)
    # The fiche as the avenant found it, kept when the avenant is signed (its snapshot).
    before = models.JSONField(_("fiche avant l'avenant"), default=dict, blank=True)

    class Meta:
        verbose_name = _("fiche modifiée par avenant")
        verbose_name_plural = _("fiches modifiées par avenant")
        ordering = ["amendment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "number"],
                name="amendment_fiche_change_once_per_fiche",
                violation_error_message=_("L'avenant modifie déjà cette fiche."),
            ),
            models.CheckConstraint(
                condition=Q(kind="add", fiche__isnull=True)
                | (~Q(kind="add") & Q(fiche__isnull=False)),
                name="amendment_fiche_change_target",
                violation_error_message=_(
                    "Une fiche ajoutée n'existe pas encore ; une fiche modifiée ou retirée, si."
                ),
            ),
        ]

    def __str__(self):
        return _("%(kind)s de la fiche %(number)s") % {
            "kind": self.get_kind_display(),
            "number": self.number,
        }


class AmendmentLineChange(Versioned):
    """*Ligne budgétaire modifiée par avenant*: a planned line of the contract reallocated or
    removed by the avenant, or a new line it adds (`line` empty). The proposed line names its
    fiche by number (`proposed["fiche_number"]`): it may fund a fiche the same avenant adds."""

    amendment = models.ForeignKey(
        "cej.Amendment",
        verbose_name=_("avenant"),
        on_delete=models.CASCADE,
        related_name="line_changes",
    )
    kind = models.CharField(_("nature"), max_length=10, choices=ChangeKind.choices)
    # SET_NULL: the line an applied avenant removed is gone, the record of its removal
    # stays (with the line as it was, `before`).
    line = models.ForeignKey(
        "financing.BudgetLine",
        verbose_name=_("ligne budgétaire"),
        on_delete=models.SET_NULL,
        related_name="amendment_changes",
        null=True,
        blank=True,
    )
    proposed = models.JSONField(_("ligne proposée"), default=dict)
    # The line as the avenant found it, kept when the avenant is signed.
    before = models.JSONField(_("ligne avant l'avenant"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ligne modifiée par avenant")
        verbose_name_plural = _("lignes modifiées par avenant")
        ordering = ["amendment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "line"],
                condition=Q(line__isnull=False),
                name="amendment_line_change_once_per_line",
                violation_error_message=_("L'avenant modifie déjà cette ligne."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="add") | Q(line__isnull=True),
                name="amendment_line_change_target",
                violation_error_message=_("Une ligne ajoutée n'existe pas encore."),
            ),
        ]

    def __str__(self):
        return _("%(kind)s d'une ligne budgétaire") % {"kind": self.get_kind_display()}


class AmendmentRepresentativeChange(models.Model):
    """*Changement de représentant*: a party's representative replaced by the avenant — the
    new person takes the same function (a new director of the CAF, a new chair of the MSA's
    board). On signature the former one leaves office and the new one signs from then on."""

    amendment = models.ForeignKey(
        "cej.Amendment",
        verbose_name=_("avenant"),
        on_delete=models.CASCADE,
        related_name="representative_changes",
    )
    leaving = models.ForeignKey(
        "partners.Signatory",
        verbose_name=_("représentant remplacé"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    civility = models.CharField(
        _("civilité"), max_length=10, choices=[("M.", "M."), ("Mme", "Mme")], blank=True
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    arriving = models.ForeignKey(
        "partners.Signatory",
        verbose_name=_("nouveau représentant"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        help_text=_("Créé à la signature de l'avenant."),
    )

    class Meta:
        verbose_name = _("changement de représentant")
        verbose_name_plural = _("changements de représentants")
        ordering = ["amendment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "leaving"],
                name="amendment_representative_change_once",
                violation_error_message=_("L'avenant remplace déjà ce représentant."),
            ),
        ]

    def __str__(self):
        return _("%(new)s remplace %(old)s") % {"new": self.arriving_name, "old": self.leaving}

    @property
    def arriving_name(self) -> str:
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)


class AmendmentIndicatorChange(Versioned):
    """*Cibles d'indicateur modifiées par avenant*: the targets (*cibles*) an avenant sets for
    one evaluation indicator of a fiche of its signed contract. `proposed["targets"]` maps
    each year the avenant changes ("2016") to its new target (a decimal string, or None to
    leave the year without target); `before` keeps the targets as the avenant found them,
    when it is signed."""

    amendment = models.ForeignKey(
        "cej.Amendment",
        verbose_name=_("avenant"),
        on_delete=models.CASCADE,
        related_name="indicator_changes",
    )
    indicator = models.ForeignKey(
        "fiches.Indicator",
        verbose_name=_("indicateur"),
        on_delete=models.CASCADE,
        related_name="amendment_changes",
    )
    proposed = models.JSONField(_("cibles proposées"), default=dict)
    before = models.JSONField(_("cibles avant l'avenant"), default=dict, blank=True)

    class Meta:
        verbose_name = _("cibles d'indicateur modifiées par avenant")
        verbose_name_plural = _("cibles d'indicateurs modifiées par avenant")
        ordering = ["amendment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "indicator"],
                name="amendment_indicator_change_once",
                violation_error_message=_("L'avenant modifie déjà les cibles de cet indicateur."),
            ),
        ]

    def __str__(self):
        return _("Cibles de l'indicateur « %(name)s »") % {"name": self.indicator}
