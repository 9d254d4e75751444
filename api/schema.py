"""What drf-spectacular needs to describe our own authentication in the schema, and the
schema class of every view (`DEFAULT_SCHEMA_CLASS`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "jetonPersonnel"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'accès personnel (cej_…), créé sur /api/tokens/.",
        }


# The documentation's sections, by the path's segment under the contract (or the path's
# first segment): what the side menu lists, in French. A new family of routes adds its own.
TAGS = {
    "contracts": "Contrats",
    "parties": "Parties et signatures",
    "objectives": "Objectifs",
    "fiches": "Fiches actions",
    "indicators": "Indicateurs",
    "reviews": "Bilans annuels",
    "avenants": "Avenants",
    "documents": "Documents",
    "budget-lines": "Budget",
    "financing-plan": "Budget",
    "payments": "Versements des financeurs",
}


class FrenchAutoSchema(AutoSchema):
    """An operation's description is only what `extend_schema(description=…)` gives, in
    French: a view's docstring is written for the people who maintain it, in English, and
    drf-spectacular would otherwise publish it in the documentation. Its section (tag) is
    named in French after what the route serves (`TAGS`), not after its path's first word."""

    def get_description(self):
        return ""

    def get_tags(self):
        words = [word for word in self.path.split("/") if word and not word.startswith("{")]
        # /api/v1/contracts/{slug}/<family>/…: the innermost family it names (a fiche's
        # indicator is the indicators'); /api/v1/<family>/: itself.
        families = [word for word in words[2:] if word in TAGS]
        family = families[-1] if families else (words[3] if len(words) > 3 else words[-1])
        return [TAGS.get(family, family)]
