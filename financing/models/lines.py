"""Budget lines: budget posts, the lines planned per year with their financing plan
(forecast and actual), each party's forecast share of a line, and the commitments and
payments the beneficiary records against it."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cej.models.versioning import Versioned, VersionRecord
from cej.money import format_eur, round_money
from financing.querysets import BudgetLineQuerySet, ContributionQuerySet, ExecutionEntryQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class Instrument(models.TextChoices):
    CEJ = "cej", _("Contrat enfance jeunesse")
    ANNEX = "annex", _("Convention annexe")


class BudgetPost(models.Model):
    """*Poste*: a heading of expenditure fixed at institutional level. The CEJ finances only
    *coordination* and *communication*; the annex convention finances what the CEJ cannot,
    such as the scheme welcoming disabled children in crèches."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    instrument = models.CharField(_("instrument"), max_length=10, choices=Instrument.choices)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=1)

    class Meta:
        verbose_name = _("poste budgétaire")
        verbose_name_plural = _("postes budgétaires")
        ordering = ["instrument", "order", "label"]

    def __str__(self):
        return self.label


class BudgetLine(Versioned):
    """*Ligne budgétaire*: one action's financing plan for one year — one *poste* of one
    contract, under the CEJ itself or under its annex convention, possibly for one fiche.

    `amount` is what the contract allocates to it (*prévu*: the forecast expenses); a year's
    lines never exceed the contract's annual envelope. Less the forecast receipts other than
    the PSEJ (`other_receipts`) it leaves the net cost (*reste à charge*), which the funders
    co-finance at their rate within their ceiling (`financing.psej`); the rest is the
    beneficiary's own share. `Contribution` rows store that forecast split, computed on every
    save. The actual figures (*réalisé*) are declared after the year and are execution: they
    stay open on a signed contract. `continued`: the action was already in the previous
    contract (*action antérieure*), which its funders may finance at another rate."""

    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    post = models.ForeignKey(
        BudgetPost, verbose_name=_("poste"), on_delete=models.PROTECT, related_name="lines"
    )
    annex_convention = models.ForeignKey(
        "cej.AnnexConvention",
        verbose_name=_("convention annexe"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
        null=True,
        blank=True,
        help_text=_("Vide pour une ligne du CEJ lui-même."),
    )
    fiche = models.ForeignKey(
        "fiches.Fiche",
        verbose_name=_("fiche financée"),
        on_delete=models.SET_NULL,
        related_name="budget_lines",
        null=True,
        blank=True,
    )
    label = models.CharField(_("libellé"), max_length=250, blank=True)
    amount = models.DecimalField(_("montant prévu (€)"), **MONEY, validators=[MinValueValidator(0)])
    other_receipts = models.DecimalField(
        _("autres recettes prévues (€)"),
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Participations des familles, autres subventions… hors PSEJ."),
    )
    continued = models.BooleanField(
        _("action antérieure"),
        default=False,
        help_text=_("Action déjà financée par le contrat précédent (reconduite)."),
    )
    actual_expenses = models.DecimalField(
        _("dépenses réalisées (€)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    actual_receipts = models.DecimalField(
        _("autres recettes réalisées (€)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        ordering = ["contract", "year", "post__instrument", "post__order", "fiche__number"]
        indexes = [models.Index(fields=["contract", "year"], name="budgetline_contract_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budgetline_amount_not_negative",
                violation_error_message=_("Le montant prévu ne peut pas être négatif."),
            ),
            models.CheckConstraint(
                condition=Q(other_receipts__gte=0) & Q(other_receipts__lte=models.F("amount")),
                name="budgetline_receipts_within_amount",
                violation_error_message=_(
                    "Les autres recettes prévues doivent être comprises entre zéro et le "
                    "montant prévu."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(actual_expenses__isnull=True) & Q(actual_receipts__isnull=True))
                | (
                    Q(actual_expenses__gte=0)
                    & Q(actual_receipts__gte=0)
                    & Q(actual_receipts__lte=models.F("actual_expenses"))
                ),
                name="budgetline_actuals_consistent",
                violation_error_message=_(
                    "Le réalisé se déclare entier : dépenses et autres recettes, les recettes "
                    "ne dépassant pas les dépenses."
                ),
            ),
            models.UniqueConstraint(
                fields=["contract", "year", "post"],
                condition=Q(fiche__isnull=True),
                name="budgetline_unique_post_year",
                violation_error_message=_("Une ligne existe déjà pour ce poste et cette année."),
            ),
            models.UniqueConstraint(
                fields=["contract", "year", "post", "fiche"],
                condition=Q(fiche__isnull=False),
                name="budgetline_unique_post_year_fiche",
                violation_error_message=_(
                    "Une ligne existe déjà pour ce poste, cette année et cette fiche."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} — {self.post}" + (f" — {self.label}" if self.label else "")

    @property
    def instrument(self) -> str:
        return Instrument.ANNEX if self.annex_convention_id else Instrument.CEJ

    def get_instrument_display(self) -> str:
        return Instrument(self.instrument).label

    @property
    def net_cost(self) -> Decimal:
        """*Reste à charge* forecast: expenses less the receipts other than the PSEJ."""
        return round_money(self.amount or 0) - round_money(self.other_receipts or 0)

    @property
    def actuals_declared(self) -> bool:
        return self.actual_expenses is not None and self.actual_receipts is not None

    def clean(self):
        if self.amount is not None:
            self.amount = round_money(self.amount)
        if self.other_receipts is not None:
            self.other_receipts = round_money(self.other_receipts)
        if (
            self.amount is not None
            and self.other_receipts is not None
            and self.other_receipts > self.amount
        ):
            raise ValidationError(
                {
                    "other_receipts": _(
                        "Les autres recettes prévues (%(receipts)s) dépassent le montant prévu "
                        "(%(amount)s) : le reste à charge serait négatif."
                    )
                    % {
                        "receipts": format_eur(self.other_receipts),
                        "amount": format_eur(self.amount),
                    }
                }
            )
        self._clean_actuals()
        # `year is None`, not falsy: an imported row may say year 0, which is out of period.
        if self.contract_id is None or self.year is None or self.post_id is None:
            return
        contract = self.contract
        if not contract.covers_year(self.year):
            raise ValidationError(
                {
                    "year": _("L'année %(year)s est hors de la période du contrat (%(period)s).")
                    % {"year": self.year, "period": contract.period_label}
                }
            )
        self._clean_instrument(contract)
        if self.fiche_id and self.fiche.contract_id != contract.pk:
            raise ValidationError({"fiche": _("Cette fiche relève d'un autre contrat.")})
        if self.amount is not None:
            self._clean_envelope(contract)
            self._clean_not_below_commitments()

    def _clean_actuals(self):
        for field in ("actual_expenses", "actual_receipts"):
            if getattr(self, field) is not None:
                setattr(self, field, round_money(getattr(self, field)))
        expenses, receipts = self.actual_expenses, self.actual_receipts
        if (expenses is None) != (receipts is None):
            missing = "actual_receipts" if receipts is None else "actual_expenses"
            raise ValidationError(
                {
                    missing: _(
                        "Le réalisé se déclare entier : saisissez les dépenses et les autres "
                        "recettes réalisées (0 s'il n'y en a pas)."
                    )
                }
            )
        if expenses is not None and receipts > expenses:
            raise ValidationError(
                {
                    "actual_receipts": _(
                        "Les autres recettes réalisées (%(receipts)s) dépassent les dépenses "
                        "réalisées (%(expenses)s)."
                    )
                    % {"receipts": format_eur(receipts), "expenses": format_eur(expenses)}
                }
            )

    def _clean_instrument(self, contract):
        post = self.post
        if post.instrument == Instrument.CEJ:
            if self.annex_convention_id:
                raise ValidationError(
                    {
                        "annex_convention": _(
                            "Le poste « %(post)s » est financé par le CEJ, pas par la "
                            "convention annexe."
                        )
                        % {"post": post}
                    }
                )
            return
        if not self.annex_convention_id:
            # One convention covering the year is the only sensible choice: take it.
            covering = [a for a in contract.annex_conventions.all() if a.covers_year(self.year)]
            if len(covering) == 1:
                self.annex_convention = covering[0]
            else:
                raise ValidationError(
                    {
                        "annex_convention": _(
                            "La convention annexe ne couvre pas %(year)s : le poste « %(post)s » "
                            "ne peut pas y être financé."
                        )
                        % {"year": self.year, "post": post}
                    }
                )
        annex = self.annex_convention
        if annex.contract_id != contract.pk:
            raise ValidationError(
                {"annex_convention": _("Cette convention annexe relève d'un autre contrat.")}
            )
        if not annex.covers_year(self.year):
            raise ValidationError(
                {
                    "year": _(
                        "La convention annexe ne couvre pas %(year)s (elle couvre %(period)s)."
                    )
                    % {"year": self.year, "period": annex.period_label}
                }
            )

    def _clean_envelope(self, contract):
        others = (
            BudgetLine.objects.filter(contract_id=contract.pk, year=self.year)
            .exclude(pk=self.pk)
            .total()
        )
        total = others + self.amount
        if total > contract.annual_envelope:
            raise ValidationError(
                {
                    "amount": _(
                        "L'enveloppe %(year)s serait dépassée de %(excess)s : %(others)s déjà "
                        "prévus sur les autres lignes + %(amount)s pour cette ligne, pour une "
                        "enveloppe annuelle de %(envelope)s."
                    )
                    % {
                        "year": self.year,
                        "excess": format_eur(total - contract.annual_envelope),
                        "others": format_eur(others),
                        "amount": format_eur(self.amount),
                        "envelope": format_eur(contract.annual_envelope),
                    }
                }
            )

    def _clean_not_below_commitments(self):
        if not self.pk:
            return
        committed = self.entries.filter(kind=ExecutionKind.COMMITMENT).total()
        if self.amount < committed:
            raise ValidationError(
                {
                    "amount": _(
                        "Le prévu (%(amount)s) serait inférieur aux engagements déjà saisis "
                        "(%(committed)s) : écart de %(gap)s."
                    )
                    % {
                        "amount": format_eur(self.amount),
                        "committed": format_eur(committed),
                        "gap": format_eur(committed - self.amount),
                    }
                }
            )

    def contributions_error(self, amounts) -> str | None:
        """French message if the parties' shares `amounts` do not add up to the line's net
        cost exactly, else None: the invariant `financing.psej` keeps and its writer checks."""
        total = sum((round_money(a) for a in amounts if a is not None), Decimal("0.00"))
        planned = self.net_cost
        if total == planned:
            return None
        return _(
            "Les parts des parties totalisent %(total)s pour un reste à charge de %(planned)s "
            "(%(direction)s de %(gap)s)."
        ) % {
            "total": format_eur(total),
            "planned": format_eur(planned),
            "direction": _("manque") if total < planned else _("excédent"),
            "gap": format_eur(abs(planned - total)),
        }


class Contribution(models.Model):
    """*Part prévisionnelle*: what one party finances of a line's forecast net cost — a
    funder's PSEJ at its rate within its ceiling, or the beneficiary's own share (the rest).
    Never typed: `financing.services` computes them with `financing.psej` on each save of the
    line or of the contract's funding terms, and they add up to the net cost exactly."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("ligne budgétaire"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    amount = models.DecimalField(_("montant (€)"), **MONEY, validators=[MinValueValidator(0)])

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("part prévisionnelle d'une partie")
        verbose_name_plural = _("parts prévisionnelles des parties")
        ordering = ["line", "partner__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="contribution_amount_not_negative",
                violation_error_message=_("Une contribution ne peut pas être négative."),
            ),
            models.UniqueConstraint(
                fields=["line", "partner"],
                name="contribution_once_per_partner",
                violation_error_message=_("Ce partenaire contribue déjà à cette ligne."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} : {format_eur(self.amount)}"

    def clean(self):
        if self.amount is not None:
            self.amount = round_money(self.amount)
        if self.line_id and self.partner_id:
            contract = self.line.contract
            if not contract.parties.filter(partner_id=self.partner_id).exists():
                raise ValidationError(
                    {
                        "partner": _(
                            "%(partner)s n'est pas partie au contrat : il ne peut pas y contribuer."
                        )
                        % {"partner": self.partner}
                    }
                )


class ExecutionKind(models.TextChoices):
    COMMITMENT = "commitment", _("Engagement")
    PAYMENT = "payment", _("Paiement")


class ExecutionEntry(models.Model):
    """*Engagement* or *paiement*: a dated amount committed or paid against a budget line.
    Paid never exceeds committed, which never exceeds planned."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("ligne budgétaire"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("nature"), max_length=12, choices=ExecutionKind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant (€)"), **MONEY, validators=[MinValueValidator(0)])
    reference = models.CharField(
        _("référence"), max_length=100, blank=True, help_text=_("N° de bon, de mandat…")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ExecutionEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("engagement ou paiement")
        verbose_name_plural = _("engagements et paiements")
        ordering = ["line", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="execution_amount_not_negative",
                violation_error_message=_("Un montant engagé ou payé ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y} : {format_eur(self.amount)}"

    def clean(self):
        if self.amount is not None:
            self.amount = round_money(self.amount)
        if not (self.line_id and self.kind and self.amount is not None):
            return
        line = self.line
        entries = line.entries.exclude(pk=self.pk)
        committed = entries.filter(kind=ExecutionKind.COMMITMENT).total()
        paid = entries.filter(kind=ExecutionKind.PAYMENT).total()
        if self.kind == ExecutionKind.COMMITMENT and committed + self.amount > line.amount:
            raise ValidationError(
                {
                    "amount": _(
                        "Les engagements (%(total)s) dépasseraient le prévu de la ligne "
                        "(%(planned)s) de %(excess)s."
                    )
                    % {
                        "total": format_eur(committed + self.amount),
                        "planned": format_eur(line.amount),
                        "excess": format_eur(committed + self.amount - line.amount),
                    }
                }
            )
        if self.kind == ExecutionKind.PAYMENT and paid + self.amount > committed:
            raise ValidationError(
                {
                    "amount": _(
                        "Les paiements (%(total)s) dépasseraient les engagements de la ligne "
                        "(%(committed)s) de %(excess)s."
                    )
                    % {
                        "total": format_eur(paid + self.amount),
                        "committed": format_eur(committed),
                        "excess": format_eur(paid + self.amount - committed),
                    }
                }
            )


class VersionKind(models.TextChoices):
    CREATED = "created", _("Création")
    CHANGED = "changed", _("Modification")
    DELETED = "deleted", _("Suppression")


class BudgetLineVersion(VersionRecord):
    """*Version d'une ligne budgétaire*: a budget line as it stood after one saved change —
    year, *poste*, fiche, label, planned amount and each partner's contribution — with who
    made the change, when, and what kind of change it was (creation, edit, deletion).
    Versions are never edited.

    They outlive the line: deleting a line must not erase the record of what was planned
    and by whom. So `line` is SET_NULL rather than CASCADE, `contract` keeps the version in
    its contract's scope, `line_ref` keeps the line's id (ids are never reused: AUTOINCREMENT
    on SQLite, sequences on PostgreSQL) so that a deleted line's history stays one
    sequence, and `label` is the line's name at the time, readable without the line. The
    snapshot stores ids (to merge concurrent edits) next to the names shown then (to read
    the history after a fiche or partner has gone)."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("ligne budgétaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
    )
    line_ref = models.PositiveBigIntegerField(_("identifiant de la ligne"))
    contract = models.ForeignKey(
        "cej.Contract",
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="budget_line_versions",
    )
    label = models.CharField(_("ligne"), max_length=400)
    kind = models.CharField(_("type de changement"), max_length=10, choices=VersionKind.choices)

    class Meta:
        verbose_name = _("version de ligne budgétaire")
        verbose_name_plural = _("versions de lignes budgétaires")
        ordering = ["contract", "line_ref", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["line_ref", "number"],
                name="budget_line_version_number_unique",
                violation_error_message=_("Cette version de la ligne existe déjà."),
            ),
        ]

    def __str__(self):
        return _("%(line)s — version %(number)s") % {"line": self.label, "number": self.number}
