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


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the application's services (versions, signatures, the
    download log): the admin lists and shows them, and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
