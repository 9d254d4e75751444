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

    def get_api_url(self, contract) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:contract_detail", kwargs={"slug": contract.slug})
        )

    def get_url(self, contract) -> str:
        return self.context["request"].build_absolute_uri(contract.get_absolute_url())
