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


class FrenchAutoSchema(AutoSchema):
    """An operation's description is only what `extend_schema(description=…)` gives, in
    French: a view's docstring is written for the people who maintain it, in English, and
    drf-spectacular would otherwise publish it in the documentation."""

    def get_description(self):
        return ""
