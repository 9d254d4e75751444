"""Fiches as their list, their page and their history show them. The texts of a fiche
(findings, goals, actions, target public, calendar, indicators) are given as stored: HTML
already cleaned by the application's allow-list (paragraphs, lists, bold, italic, links),
the same the page displays."""

from rest_framework import serializers

from api.serializers_core_common import DECIMAL, PartnerRefSerializer, links_of

RICH_TEXT = (
    "HTML assaini tel qu'enregistré : seuls paragraphes, listes, gras, italique et liens "
    "subsistent (liste blanche de l'application)."
)


class FicheLinksMixin(serializers.Serializer):
    api_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="La page de la fiche.")

    def get_api_url(self, fiche) -> str:
        return links_of(self)("api:fiche_detail", "number", fiche.number)

    def get_url(self, fiche) -> str:
        return links_of(self)("fiche_detail", "number", fiche.number)


class FicheSummarySerializer(FicheLinksMixin):
    """A fiche as the list shows it."""

    number = serializers.IntegerField()
    title = serializers.CharField()
    objective = serializers.IntegerField(source="objective_number", help_text="N° d'objectif.")
    status = serializers.CharField()
    status_label = serializers.CharField()
    validated_on = serializers.DateField(
        allow_null=True, help_text="Date de la plénière où la CDAJE a rendu son avis favorable."
    )
    lead_partner = serializers.CharField(source="lead", help_text="Sigle du pilote, vide sinon.")
    aims = serializers.ListField(child=serializers.CharField(), help_text="Finalités servies.")
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(help_text="Vide pour la reprise initiale.")


class ObjectiveRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class AimSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    description = serializers.CharField()


class FicheLineSerializer(serializers.Serializer):
    """A planned budget line that funds the fiche (its detail is a financing resource)."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    post = serializers.CharField(source="post.label", help_text="Poste.")
    label = serializers.CharField()
    amount = serializers.DecimalField(**DECIMAL, help_text="Prévu (€).")
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, line) -> str:
        return links_of(self).budget_line(line.pk)


class FicheDetailSerializer(FicheLinksMixin):
    """One fiche as its page shows it."""

    number = serializers.IntegerField()
    title = serializers.CharField()
    objective = ObjectiveRefSerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    validated_on = serializers.DateField(
        allow_null=True, help_text="Date de la plénière où la CDAJE a rendu son avis favorable."
    )
    version = serializers.IntegerField(help_text="Nombre de changements enregistrés.")
    findings = serializers.CharField(help_text=f"Constat. {RICH_TEXT}")
    goals = serializers.CharField(help_text=f"Objectifs de la fiche. {RICH_TEXT}")
    actions = serializers.CharField(help_text=f"Actions. {RICH_TEXT}")
    target_public = serializers.CharField(help_text=f"Public visé. {RICH_TEXT}")
    calendar = serializers.CharField(help_text=f"Calendrier. {RICH_TEXT}")
    indicators = serializers.CharField(help_text=f"Indicateurs d'évaluation. {RICH_TEXT}")
    budget_note = serializers.CharField(help_text="Budget indicatif, texte brut.")
    lead_partner = PartnerRefSerializer(allow_null=True, help_text="Pilote (null : à désigner).")
    associated_partners = PartnerRefSerializer(source="associated_partners_list", many=True)
    aims = AimSerializer(source="aims_list", many=True, help_text="Finalités de la CDAJE servies.")
    budget_lines = FicheLineSerializer(source="budget_lines_list", many=True)
    continues = serializers.IntegerField(
        source="continues_number",
        allow_null=True,
        help_text="N° de la fiche du contrat précédent qu'elle prolonge.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    updated_by = serializers.CharField(source="updated_by_name", allow_null=True)
    versions_url = serializers.SerializerMethodField()
    indicators_url = serializers.SerializerMethodField(help_text="Ses indicateurs (?fiche=).")
    pdf_url = serializers.SerializerMethodField()

    def get_versions_url(self, fiche) -> str:
        return links_of(self)("api:fiche_versions", "number", fiche.number)

    def get_indicators_url(self, fiche) -> str:
        return f"{links_of(self)('api:indicator_list')}?fiche={fiche.number}"

    def get_pdf_url(self, fiche) -> str:
        return links_of(self)("fiche_pdf", "number", fiche.number)


class ChangedFieldSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Clé du contenu (ex. title, lead_partner_id).")
    label = serializers.CharField()


class FicheVersionSerializer(serializers.Serializer):
    """A saved version: who, when, what kind of change, which fields it changed since the
    version before, and the fiche as it then stood."""

    number = serializers.IntegerField()
    action = serializers.CharField(help_text="Nature du changement.")
    author = serializers.CharField(
        allow_null=True, help_text="Null : reprise des fiches depuis les documents."
    )
    created_at = serializers.DateTimeField()
    amendment = serializers.IntegerField(
        allow_null=True, help_text="N° de l'avenant qui a fait ce changement, s'il y a lieu."
    )
    changes = ChangedFieldSerializer(
        many=True, help_text="Champs changés depuis la version précédente (vide pour la 1re)."
    )
    snapshot = serializers.JSONField(
        help_text=f"La fiche après ce changement (identifiants pour les liens). {RICH_TEXT}"
    )
