"""Contracts as the API shows them. Money is a decimal string (`"198000.00"`), never a float;
dates ISO 8601; every resource links to its own page (`url`) and API address (`api_url`)."""

from django.urls import reverse
from rest_framework import serializers

from cej.models import Contract


class ContractSummarySerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory.name")
    territory_code = serializers.CharField(source="territory.code")
    status_label = serializers.CharField(source="get_status_display")
    predecessor = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    api_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "slug",
            "title",
            "territory",
            "territory_code",
            "start_year",
            "end_year",
            "annual_envelope",
            "status",
            "status_label",
            "signed_on",
            "signing_place",
            "predecessor",
            "updated_at",
            "api_url",
            "url",
        ]

    # The two addresses of a contract differ only by its slug: reversed once per request,
    # not twice per row (a list of 50 contracts spent a third of its time in `reverse`).
    def _addresses(self) -> tuple[str, str]:
        root = getattr(self.root, "_contract_addresses", None)
        if root is None:
            request = self.context["request"]
            marker = "cej-slug-marker"
            api = request.build_absolute_uri(
                reverse("api:contract_detail", kwargs={"slug": marker})
            )
            page = request.build_absolute_uri(
                reverse("contract_dashboard", kwargs={"slug": marker})
            )
            root = self.root._contract_addresses = (api, page)
        return root

    def get_api_url(self, contract) -> str:
        return self._addresses()[0].replace("cej-slug-marker", contract.slug)

    def get_url(self, contract) -> str:
        return self._addresses()[1].replace("cej-slug-marker", contract.slug)


class ContractLinksSerializer(serializers.Serializer):
    """Where the contract's resources are in the API."""

    parties = serializers.URLField()
    objectives = serializers.URLField()
    fiches = serializers.URLField()
    indicators = serializers.URLField()
    reviews = serializers.URLField()
    avenants = serializers.URLField()
    documents = serializers.URLField()
    contract_pdf = serializers.URLField(
        help_text="Le contrat : scellé s'il est signé, sinon son projet."
    )


class YearTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    envelope = serializers.DecimalField(max_digits=12, decimal_places=2)
    allocated = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Prévu des lignes (CEJ et convention)."
    )
    remainder = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Enveloppe moins prévu (négatif : dépassement)."
    )


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class ContractTotalsSerializer(serializers.Serializer):
    """What the dashboard totals."""

    fiche_count = serializers.IntegerField(help_text="Fiches, retirées exclues.")
    fiches_by_status = StatusCountSerializer(many=True)
    years = YearTotalSerializer(many=True, help_text="Budget prévu par année.")
    envelope_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    allocated_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ContractDetailSerializer(ContractSummarySerializer):
    """A contract with the links to its resources and the totals of its dashboard."""

    links = ContractLinksSerializer(source="api_links")
    totals = ContractTotalsSerializer(source="api_totals")

    class Meta(ContractSummarySerializer.Meta):
        fields = [*ContractSummarySerializer.Meta.fields, "links", "totals"]
