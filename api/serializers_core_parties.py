"""The parties to a contract (with their representatives and signatures) and its objectives,
as the dashboard and the documents page show them."""

from rest_framework import serializers

from api.serializers_core_common import links_of


class SignatureSerializer(serializers.Serializer):
    signed_on = serializers.DateField(help_text="Date de la signature.")
    place = serializers.CharField(help_text="Lieu de la signature.")


class SignatorySerializer(serializers.Serializer):
    """A representative in office, in signing order, with their signature once recorded."""

    full_name = serializers.CharField()
    civility = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    function = serializers.CharField()
    order = serializers.IntegerField(help_text="Ordre de signature.")
    signature = SignatureSerializer(allow_null=True, help_text="Null tant qu'il n'a pas signé.")


class DecisionSerializer(serializers.Serializer):
    """The deliberation of a party's board that approved the act."""

    body = serializers.CharField(help_text="Instance (ex. Commission permanente).")
    reference = serializers.CharField(help_text="Numéro de la délibération.")
    decided_on = serializers.DateField()


class PartySerializer(serializers.Serializer):
    slug = serializers.CharField(source="partner.slug")
    kind = serializers.CharField(source="partner.kind")
    siret = serializers.CharField(source="partner.siret")
    role = serializers.CharField(help_text="beneficiary (bénéficiaire) ou funder (financeur).")
    role_label = serializers.CharField()
    order = serializers.IntegerField()
    name = serializers.CharField(
        source="partner.name", help_text="Dénomination en vigueur aujourd'hui."
    )
    short_name = serializers.CharField(source="partner.short_name")
    name_on_signing_date = serializers.CharField(
        allow_null=True,
        help_text="Dénomination en vigueur à la date de signature du contrat (null s'il n'est "
        "pas signé) : celle que l'acte imprime.",
    )
    short_name_on_signing_date = serializers.CharField(allow_null=True)
    decision = DecisionSerializer(
        allow_null=True, help_text="Délibération approuvant le contrat, si elle est saisie."
    )
    signatories = SignatorySerializer(many=True)


class ObjectiveSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    fiche_numbers = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Les fiches de l'objectif, retirées comprises, dans l'ordre.",
    )
    fiches_url = serializers.SerializerMethodField(
        help_text="Les fiches de cet objectif (?objective=)."
    )

    def get_fiches_url(self, objective) -> str:
        return f"{links_of(self)('api:fiche_list')}?objective={objective.number}"
