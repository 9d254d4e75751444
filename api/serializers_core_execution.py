"""What the contract's execution says: the indicators' targets and actual values per year,
and the annual reviews with the figures their page shows."""

from rest_framework import serializers

from api.serializers_core_common import DECIMAL, links_of


class YearPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    target = serializers.DecimalField(**DECIMAL, allow_null=True, help_text="Cible.")
    actual = serializers.DecimalField(**DECIMAL, allow_null=True, help_text="Réalisé.")
    variance = serializers.DecimalField(
        **DECIMAL, allow_null=True, help_text="Réalisé moins cible (null s'il manque l'un)."
    )
    on_track = serializers.BooleanField(
        allow_null=True, help_text="L'écart est favorable dans le sens de progression."
    )
    comment = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True, help_text="Réalisé saisi le.")
    recorded_by = serializers.CharField(help_text="Réalisé saisi par (vide sinon).")
    evidence_url = serializers.SerializerMethodField(
        help_text="La pièce justificative (document du contrat), s'il y en a une."
    )

    def get_evidence_url(self, point) -> str | None:
        if point.evidence_id is None:
            return None
        return links_of(self)("api:document_detail", "pk", point.evidence_id)


class IndicatorSerializer(serializers.Serializer):
    fiche = serializers.IntegerField(source="fiche_number", help_text="N° de la fiche.")
    number = serializers.IntegerField()
    code = serializers.CharField(help_text="« 4.1 » : n° de fiche, n° d'indicateur.")
    name = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()
    direction = serializers.CharField(help_text="up : plus est mieux ; down : moins est mieux.")
    baseline_year = serializers.IntegerField(allow_null=True)
    baseline_value = serializers.DecimalField(**DECIMAL, allow_null=True)
    version = serializers.IntegerField()
    years = YearPointSerializer(
        source="points", many=True, help_text="Une entrée par année du contrat."
    )
    fiche_url = serializers.SerializerMethodField()

    def get_fiche_url(self, trend) -> str:
        return links_of(self)("api:fiche_detail", "number", trend.fiche_number)


class ReviewSummarySerializer(serializers.Serializer):
    """A year of the contract and its review, as the list of reviews shows it."""

    year = serializers.IntegerField()
    opened = serializers.BooleanField(help_text="Le bilan de l'année est ouvert.")
    status = serializers.CharField(allow_null=True, help_text="Null tant qu'il n'est pas ouvert.")
    status_label = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    opinion_on = serializers.DateField(
        allow_null=True, help_text="Date de la plénière où la CDAJE a rendu son avis."
    )
    adopted_at = serializers.DateTimeField(allow_null=True)
    api_url = serializers.URLField(allow_null=True)
    url = serializers.URLField(allow_null=True, help_text="La page du bilan.")
    document_url = serializers.URLField(
        allow_null=True, help_text="Le bilan adopté, document scellé (métadonnées)."
    )
    pdf_url = serializers.URLField(
        allow_null=True, help_text="Le bilan adopté tel que conservé, sinon son aperçu (projet)."
    )


class FiguresSerializer(serializers.Serializer):
    planned = serializers.DecimalField(**DECIMAL, help_text="Prévu (€).")
    committed = serializers.DecimalField(**DECIMAL, help_text="Engagé (€).")
    paid = serializers.DecimalField(**DECIMAL, help_text="Payé (€).")


class ReviewIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    target = serializers.DecimalField(**DECIMAL, allow_null=True)
    actual = serializers.DecimalField(**DECIMAL, allow_null=True)
    variance = serializers.DecimalField(**DECIMAL, allow_null=True)
    variance_rate = serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True, help_text="Écart en % de la cible."
    )
    favourable = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()


class ReviewFicheSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="fiche.number")
    title = serializers.CharField(source="fiche.title")
    state = serializers.CharField(help_text="État des actions.")
    state_label = serializers.CharField()
    narrative = serializers.CharField(help_text="Ce qui a été fait.")
    money = FiguresSerializer(help_text="Budget de l'année.")
    psej_due = serializers.DecimalField(**DECIMAL, help_text="PSEJ due (€).")
    indicators = ReviewIndicatorSerializer(many=True)


class FunderRowSerializer(serializers.Serializer):
    funder = serializers.CharField()
    forecast = serializers.DecimalField(**DECIMAL, help_text="PSEJ prévisionnelle.")
    actual = serializers.DecimalField(**DECIMAL, allow_null=True, help_text="PSEJ au réel.")
    due = serializers.DecimalField(**DECIMAL)
    received = serializers.DecimalField(**DECIMAL)
    outstanding = serializers.DecimalField(**DECIMAL, help_text="Reste à verser.")
    to_recover = serializers.DecimalField(**DECIMAL, help_text="À reverser.")


class StateCountSerializer(serializers.Serializer):
    state = serializers.CharField()
    count = serializers.IntegerField()


class NeedsSerializer(serializers.Serializer):
    children_under_3 = serializers.IntegerField()
    unmet_requests = serializers.IntegerField(allow_null=True)
    places = serializers.IntegerField(source="total")
    coverage = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        allow_null=True,
        help_text="Places pour 100 enfants de moins de trois ans.",
    )


class ReviewDetailSerializer(ReviewSummarySerializer):
    """The review of one year with the figures its page shows."""

    summary = serializers.CharField(help_text="Synthèse de l'année, texte brut.")
    opinion = serializers.CharField(help_text="Avis de la CDAJE, texte brut.")
    version = serializers.IntegerField()
    states = StateCountSerializer(many=True, help_text="Fiches par état de leurs actions.")
    fiches = ReviewFicheSerializer(many=True)
    unassigned = FiguresSerializer(help_text="Lignes de l'année sans fiche.")
    total = FiguresSerializer()
    funders = FunderRowSerializer(many=True)
    needs = NeedsSerializer(help_text="État des besoins et de l'offre d'accueil (totaux).")
