"""What the serializers of the contract core share: links built once per response (absolute,
as every resource of the API gives them), the error body the schema names, and the people
and partners as the pages name them."""

from django.urls import reverse
from rest_framework import serializers

from cej.view_helpers import url_for_each

# Amounts and indicator values as the models store them: a decimal string, never a float.
DECIMAL = {"max_digits": 12, "decimal_places": 2}


class Links:
    """Absolute URLs of one contract's resources, each route reversed once per response
    (`cej.view_helpers.url_for_each`): a list of fifty fiches with three links each would
    spend more on reverse() than on its queries."""

    def __init__(self, request, contract):
        self.slug = contract.slug
        # scheme://host, without the trailing slash: reverse() gives the path.
        self.origin = request.build_absolute_uri("/")[:-1]
        self._builders: dict = {}

    def __call__(self, name: str, key: str | None = None, value=None, **kwargs) -> str:
        if key is None:
            return self.origin + reverse(name, kwargs={"slug": self.slug, **kwargs})
        cache_key = (name, key, tuple(sorted(kwargs.items())))
        builder = self._builders.get(cache_key)
        if builder is None:
            builder = self._builders[cache_key] = url_for_each(name, key, slug=self.slug, **kwargs)
        return self.origin + builder(value)

    def budget_line(self, pk: int) -> str:
        """A budget line's address in the API (`budget-lines/<pk>/`, served by the financing
        resources): written out, so the fiche links to it whichever routes are installed."""
        return f"{self.origin}{reverse('api:contract_detail', kwargs={'slug': self.slug})}" + (
            f"budget-lines/{pk}/"
        )


def links_of(serializer) -> Links:
    return serializer.context["links"]


def person(user) -> str | None:
    """A person as the pages name them: full name, else user name; None for nobody."""
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API: `{"detail": "…"}`, in French."""

    detail = serializers.CharField(help_text="Le motif, en français.")


class PartnerRefSerializer(serializers.Serializer):
    """A partner named by a fiche or a party: its identifier and its current name."""

    slug = serializers.CharField()
    name = serializers.CharField(help_text="Dénomination en vigueur aujourd'hui.")
    short_name = serializers.CharField()
