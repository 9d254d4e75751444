"""The contract domain: territories, contracts, parties, signatures, annex conventions and
amendments."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cej.querysets import ContractQuerySet, ScopedByContractQuerySet

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class Territory(models.Model):
    """*Territoire*: the area a contract covers — here a département. CDAJE and finance staff
    are attached to the territories they work for, which scopes what they see."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("Numéro du département, ex. 42.")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents du territoire"),
        related_name="territories",
        blank=True,
        help_text=_("Équipe CDAJE et agents financiers qui travaillent sur ses contrats."),
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    IN_SIGNATURE = "in_signature", _("En signature")
    SIGNED = "signed", _("Signé")
    EXPIRED = "expired", _("Échu")
    TERMINATED = "terminated", _("Résilié")


# A signed contract binds its parties: its content changes only through an avenant. An
# expired or terminated one is frozen entirely.
FROZEN_STATUSES = frozenset({ContractStatus.EXPIRED, ContractStatus.TERMINATED})


class Contract(models.Model):
    """*Contrat enfance jeunesse* (CEJ): a multi-year (usually four-year) agreement between the
    département, the CAF and the MSA that finances early-childhood actions along fixed
    *postes* (coordination, communication), within an annual envelope. It may succeed an
    earlier contract of the same territory."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="contracts"
    )
    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    title = models.CharField(_("intitulé"), max_length=250)
    start_year = models.PositiveSmallIntegerField(_("première année"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("dernière année"), validators=YEAR_VALIDATORS)
    annual_envelope = models.DecimalField(
        _("enveloppe annuelle (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Montant alloué chaque année par le contrat et sa convention annexe."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("date de signature"), null=True, blank=True)
    signing_place = models.CharField(_("lieu de signature"), max_length=120, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("contrat précédent"),
        on_delete=models.PROTECT,
        related_name="successors",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # Replaced by every write to anything the contract's pages show: the key of their
    # cached rendering (cej.page_cache).
    content_token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["territory__code", "-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="contract_end_after_start",
                violation_error_message=_(
                    "La dernière année ne peut pas précéder la première année."
                ),
            ),
            models.CheckConstraint(
                condition=Q(annual_envelope__gte=0),
                name="contract_envelope_not_negative",
                violation_error_message=_("L'enveloppe annuelle ne peut pas être négative."),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="contract_signed_has_date",
                violation_error_message=_("Un contrat signé doit avoir une date de signature."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contract_dashboard", kwargs={"slug": self.slug})

    def get_status_display(self) -> str:
        # Django's version rebuilds a dict of every choice on each call (≈ 20 µs): the
        # contract list shows one per contract.
        try:
            return str(ContractStatus(self.status).label)
        except ValueError:
            return self.status

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def period_label(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def covers_year(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    def clean(self):
        errors = {}
        if self.predecessor_id:
            if self.pk and self.predecessor_id == self.pk:
                errors["predecessor"] = _("Un contrat ne peut pas être son propre prédécesseur.")
            elif self.start_year and self.predecessor.end_year >= self.start_year:
                errors["predecessor"] = _(
                    "Le contrat précédent se termine en %(end)s : le nouveau contrat doit "
                    "commencer après (première année saisie : %(start)s)."
                ) % {"end": self.predecessor.end_year, "start": self.start_year}
        if self.status == ContractStatus.SIGNED and not self.signed_on:
            errors["signed_on"] = _("Un contrat signé doit avoir une date de signature.")
        if errors:
            raise ValidationError(errors)


class PartyRole(models.TextChoices):
    BENEFICIARY = "beneficiary", _("Bénéficiaire")
    FUNDER = "funder", _("Financeur")


class ContractParty(models.Model):
    """*Partie au contrat*: a partner that signs a contract, in one of two roles. The
    *bénéficiaire* (here the Département) carries the actions and receives the funds; each
    *financeur* (the CAF, the MSA) pays it the *prestation de service enfance jeunesse* (PSEJ)
    on the terms the contract sets (`financing.FundingTerms`). A body never funds itself."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.CASCADE, related_name="parties"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="contract_parties",
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=1)
    role = models.CharField(
        _("rôle"),
        max_length=12,
        choices=PartyRole.choices,
        default=PartyRole.FUNDER,
        help_text=_(
            "Le bénéficiaire porte les actions et reçoit la PSEJ ; les financeurs la versent."
        ),
    )

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("partie au contrat")
        verbose_name_plural = _("parties au contrat")
        ordering = ["contract", "order", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "partner"],
                name="contract_party_unique",
                violation_error_message=_("Ce partenaire est déjà partie à ce contrat."),
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(role="beneficiary"),
                name="contract_one_beneficiary",
                violation_error_message=_("Ce contrat a déjà un bénéficiaire."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} — {self.contract}"


class SignatureRecord(models.Model):
    """What any signature records — the day, the place, who entered it and when —, for the
    contract's (`Signature`) and an avenant's (`AmendmentSignature`)."""

    signed_on = models.DateField(_("signé le"))
    place = models.CharField(_("lieu"), max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisie le"), auto_now_add=True)

    class Meta:
        abstract = True


class Signature(SignatureRecord):
    """*Signature*: one representative's signature of a contract, dated and placed. The
    contract is signed once every representative of every party has signed."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.CASCADE, related_name="signatures"
    )
    signatory = models.ForeignKey(
        "partners.Signatory",
        verbose_name=_("représentant"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["contract", "signed_on", "signatory__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "signatory"],
                name="signature_once_per_signatory",
                violation_error_message=_("Ce représentant a déjà signé ce contrat."),
            ),
        ]

    def __str__(self):
        return f"{self.signatory} — {date_format(self.signed_on)}"

    def clean(self):
        if not (self.contract_id and self.signatory_id):
            return
        if not self.contract.parties.filter(partner_id=self.signatory.partner_id).exists():
            raise ValidationError(
                {
                    "signatory": _(
                        "%(person)s représente %(partner)s, qui n'est pas partie à ce contrat."
                    )
                    % {"person": self.signatory.full_name, "partner": self.signatory.partner}
                }
            )


class AnnexConvention(models.Model):
    """*Convention annexe*: a side agreement of the same partners that funds actions the CEJ
    cannot (here, welcoming disabled children in crèches). It has its own years and is
    extended by amendment (*avenant*)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contrat"),
        on_delete=models.CASCADE,
        related_name="annex_conventions",
    )
    title = models.CharField(_("intitulé"), max_length=250)
    purpose = models.TextField(_("objet"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("première année"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("dernière année"), validators=YEAR_VALIDATORS)
    signed_on = models.DateField(_("date de signature"), null=True, blank=True)

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention annexe")
        verbose_name_plural = _("conventions annexes")
        ordering = ["contract", "start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="annex_end_after_start",
                violation_error_message=_(
                    "La dernière année ne peut pas précéder la première année."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_label})"

    @property
    def period_label(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def covers_year(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    def clean(self):
        if not (self.contract_id and self.start_year and self.end_year):
            return
        contract = self.contract
        if self.start_year < contract.start_year or self.end_year > contract.end_year:
            raise ValidationError(
                _(
                    "La convention annexe (%(annex)s) doit rester dans la période du contrat "
                    "(%(period)s)."
                )
                % {
                    "annex": f"{self.start_year}–{self.end_year}",
                    "period": contract.period_label,
                }
            )


class AmendmentStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    APPROVAL = "approval", _("Avis rendu, en approbation")
    SIGNED = "signed", _("Signé")
    ABANDONED = "abandoned", _("Abandonné")


class Amendment(models.Model):
    """*Avenant*: a change to a signed contract or to its annex convention, approved and
    signed like the contract. CDAJE staff open it on a signed contract (one open at a time),
    propose its changes (fiches revised, added or withdrawn, budget lines reallocated or
    added, the annex convention extended, a representative replaced), the CDAJE gives its
    opinion (*avis*) in plenary, each party's board decides (*délibération*), the
    representatives sign; the last signature seals the avenant and applies its changes to
    the contract at once. A draft avenant may be abandoned: it is kept, marked so."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.CASCADE, related_name="amendments"
    )
    annex_convention = models.ForeignKey(
        AnnexConvention,
        verbose_name=_("convention annexe modifiée"),
        on_delete=models.CASCADE,
        related_name="amendments",
        null=True,
        blank=True,
        help_text=_("Laisser vide si l'avenant ne modifie pas la période de la convention."),
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("objet"), max_length=250)
    summary = models.TextField(_("exposé des motifs"), blank=True)
    new_end_year = models.PositiveSmallIntegerField(
        _("convention prolongée jusqu'en"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("Nouvelle dernière année de la convention annexe, si l'avenant la prolonge."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.DRAFT
    )
    opinion_on = models.DateField(
        _("avis de la CDAJE en plénière du"),
        null=True,
        blank=True,
        help_text=_("Date de la séance plénière où la CDAJE a rendu son avis."),
    )
    signed_on = models.DateField(_("date de signature"), null=True, blank=True)
    signing_place = models.CharField(_("lieu de signature"), max_length=120, blank=True)
    opened_at = models.DateTimeField(_("ouvert le"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvert par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    abandoned_on = models.DateField(_("abandonné le"), null=True, blank=True)
    abandon_reason = models.TextField(_("motif de l'abandon"), blank=True)
    # The budget per year as the avenant found it and left it ({"2015": ["158000.00",
    # "198000.00"], …}), and the annex convention's last year before it: kept when it is
    # signed, so its act and the history still say what it changed once it is applied.
    applied_budget = models.JSONField(_("budget avant et après"), default=dict, blank=True)
    previous_end_year = models.PositiveSmallIntegerField(
        _("dernière année de la convention avant l'avenant"), null=True, blank=True
    )

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="amendment_number_unique_per_contract",
                violation_error_message=_("Ce numéro d'avenant existe déjà pour ce contrat."),
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=["draft", "approval"]),
                name="amendment_one_open_per_contract",
                violation_error_message=_(
                    "Un avenant est déjà en cours sur ce contrat : terminez-le ou abandonnez-le "
                    "avant d'en ouvrir un autre."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="amendment_signed_has_date",
                violation_error_message=_("Un avenant signé porte sa date de signature."),
            ),
        ]

    def __str__(self):
        return _("Avenant n° %(number)s — %(title)s") % {"number": self.number, "title": self.title}

    @property
    def is_open(self) -> bool:
        return self.status in (AmendmentStatus.DRAFT, AmendmentStatus.APPROVAL)

    def get_status_display(self) -> str:
        try:
            return str(AmendmentStatus(self.status).label)
        except ValueError:
            return self.status

    def clean(self):
        if self.annex_convention_id and self.contract_id:
            if self.annex_convention.contract_id != self.contract_id:
                raise ValidationError(
                    {"annex_convention": _("Cette convention annexe relève d'un autre contrat.")}
                )
            if self.new_end_year and self.new_end_year > self.contract.end_year:
                raise ValidationError(
                    {
                        "new_end_year": _(
                            "La convention annexe ne peut pas aller au-delà du contrat (%(end)s)."
                        )
                        % {"end": self.contract.end_year}
                    }
                )


class PartnerDecision(models.Model):
    """*Délibération*: the decision by which a party's own board (commission permanente of
    the Département, conseil d'administration of the CAF or of the MSA) approves the
    contract or one of its avenants and authorises its representatives to sign. The acts
    print it: « dûment autorisé(e) par délibération n° … du … »."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.CASCADE, related_name="decisions"
    )
    amendment = models.ForeignKey(
        Amendment,
        verbose_name=_("avenant"),
        on_delete=models.CASCADE,
        related_name="decisions",
        null=True,
        blank=True,
        help_text=_("Vide pour la délibération qui approuve le contrat lui-même."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    body = models.CharField(
        _("instance"),
        max_length=200,
        help_text=_("Par exemple : Commission permanente, Conseil d'administration."),
    )
    reference = models.CharField(_("numéro de la délibération"), max_length=60)
    decided_on = models.DateField(_("date de la délibération"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisie le"), auto_now_add=True)

    objects = ScopedByContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("délibération d'un partenaire")
        verbose_name_plural = _("délibérations des partenaires")
        ordering = ["contract", "amendment", "decided_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "partner"],
                condition=Q(amendment__isnull=True),
                name="decision_once_per_partner_contract",
                violation_error_message=_("La délibération de ce partenaire est déjà saisie."),
            ),
            models.UniqueConstraint(
                fields=["amendment", "partner"],
                condition=Q(amendment__isnull=False),
                name="decision_once_per_partner_amendment",
                violation_error_message=_("La délibération de ce partenaire est déjà saisie."),
            ),
        ]

    def __str__(self):
        return _("%(body)s, délibération n° %(reference)s du %(date)s") % {
            "body": self.body,
            "reference": self.reference,
            "date": date_format(self.decided_on),
        }


class AmendmentSignature(SignatureRecord):
    """*Signature d'un avenant*: one representative's signature of an avenant, dated and
    placed — the same representatives as the contract's, in office on the day."""

    amendment = models.ForeignKey(
        Amendment, verbose_name=_("avenant"), on_delete=models.CASCADE, related_name="signatures"
    )
    signatory = models.ForeignKey(
        "partners.Signatory",
        verbose_name=_("représentant"),
        on_delete=models.PROTECT,
        related_name="amendment_signatures",
    )

    class Meta:
        verbose_name = _("signature d'avenant")
        verbose_name_plural = _("signatures d'avenants")
        ordering = ["amendment", "signed_on", "signatory__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "signatory"],
                name="amendment_signature_once_per_signatory",
                violation_error_message=_("Ce représentant a déjà signé cet avenant."),
            ),
        ]

    def __str__(self):
        return f"{self.signatory} — {date_format(self.signed_on)}"
