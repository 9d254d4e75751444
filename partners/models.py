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
