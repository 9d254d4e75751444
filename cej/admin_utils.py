"""Small helpers shared by the admin modules."""

from django.contrib import admin

from cej.money import format_eur


def eur_column(field: str, description: str):
    """A changelist column showing a money field the French way (`198 000,00 €`)."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return format_eur(getattr(obj, field))

    column.__name__ = f"{field}_eur"
    return column
