from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    CONSEIL_GENERAL = "conseil_general", _("Conseil général")
    CAF = "caf", _("Caisse d'allocations familiales")
    MSA = "msa", _("Mutualité sociale agricole")
    OTHER = "other", _("Autre")


class Partner(models.Model):
    """*Partenaire*: an institution that signs and co-finances contracts — the Conseil général
    (département), the *caisse d'allocations familiales* (CAF) or the *caisse de mutualité
    sociale agricole* (CMSA, "la MSA"). Users who belong to a partner see the contracts it is
    party to."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("sigle"), max_length=40)
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=PartnerKind.choices)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        help_text=_("14 chiffres ; sert d'identifiant dans les exports en données ouvertes."),
    )
    address = models.TextField(_("adresse"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateurs membres"),
        related_name="partners",
        blank=True,
        help_text=_("Ces utilisateurs voient les contrats dont le partenaire est signataire."),
    )

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siret="") | models.Q(siret__regex=r"^[0-9]{14}$"),
                name="partner_siret_14_digits",
                violation_error_message=_("Le SIRET compte exactement 14 chiffres."),
            ),
        ]

    def __str__(self):
        return self.name

    def name_on(self, date) -> str:
        """The partner's name in force on `date` (today's name when `date` is None or
        after every former name). Reads `former_names`, prefetched by the acts' selectors."""
        if date is not None:
            for former in sorted(self.former_names.all(), key=lambda f: f.valid_until):
                if date <= former.valid_until:
                    return former.name
        return self.name

    def short_name_on(self, date) -> str:
        if date is not None:
            for former in sorted(self.former_names.all(), key=lambda f: f.valid_until):
                if date <= former.valid_until:
                    return former.short_name or former.name
        return self.short_name


class Signatory(models.Model):
    """*Représentant signataire*: a person who signs for a partner, in a given function.
    The CAF and the MSA are each represented by the chair of their board and by their
    director, so they sign twice."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.PROTECT, related_name="signatories"
    )
    civility = models.CharField(
        _("civilité"), max_length=10, choices=[("M.", "M."), ("Mme", "Mme")], blank=True
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    function = models.CharField(
        _("fonction"), max_length=200, help_text=_("Par exemple : Directeur de la CAF.")
    )
    order = models.PositiveSmallIntegerField(_("ordre de signature"), default=1)
    is_active = models.BooleanField(_("en fonction"), default=True)

    class Meta:
        verbose_name = _("représentant signataire")
        verbose_name_plural = _("représentants signataires")
        ordering = ["partner__name", "order", "last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "function", "last_name", "first_name"],
                name="signatory_unique_per_partner_function",
            ),
        ]

    def __str__(self):
        return f"{self.full_name}, {self.function}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.civility, self.first_name, self.last_name) if part)


class PartnerName(models.Model):
    """*Ancienne dénomination*: a name a partner bore until a date — the Conseil général de
    la Loire became the Département de la Loire in March 2015. Every act prints the name in
    force on its own date (`Partner.name_on`), so a 2014 contract says Conseil général and an
    avenant signed in 2015 says Département; pages show the current name."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="former_names"
    )
    name = models.CharField(_("dénomination"), max_length=200)
    short_name = models.CharField(_("sigle"), max_length=40, blank=True)
    valid_until = models.DateField(
        _("en vigueur jusqu'au"), help_text=_("Dernier jour où ce nom était celui du partenaire.")
    )

    class Meta:
        verbose_name = _("ancienne dénomination")
        verbose_name_plural = _("anciennes dénominations")
        ordering = ["partner", "valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "valid_until"],
                name="partner_name_one_per_end_date",
                violation_error_message=_("Une dénomination s'achève déjà à cette date."),
            ),
        ]

    def __str__(self):
        return _("%(name)s (jusqu'au %(date)s)") % {"name": self.name, "date": self.valid_until}
