"""Personal access tokens in the admin: listed, searched, revoked — never created here (a
token is its owner's, created on /api/tokens/ where its secret is shown to them once) and
never edited. The SHA-256 of the secret is not shown either: it is of no use to anyone
reading the page, and the less it travels the better."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import tokens
from api.models import ApiToken
from cej.security_log import log_security_event


class StateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("usable", _("Actif")), ("expired", _("Expiré")), ("revoked", _("Révoqué"))]

    def queryset(self, request, queryset):
        usable = ApiToken.objects.usable()
        if self.value() == "usable":
            return queryset.filter(pk__in=usable.values("pk"))
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True).exclude(pk__in=usable.values("pk"))
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "expires_on",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [StateFilter, "read_only"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    date_hierarchy = "created_at"
    fields = [
        "user",
        "name",
        "prefix",
        "read_only",
        "created_at",
        "expires_on",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked, not deleted: the list keeps who had which token, and when.
        return False

    @admin.action(description=_("Révoquer les jetons sélectionnés"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            tokens.revoke_token(user=token.user, token=token)
            log_security_event(
                "api_token_revoked",
                request,
                token=token.prefix,
                name=token.name,
                owner=token.user.get_username(),
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)s jeton révoqué.", "%(count)s jetons révoqués.", count)
            % {"count": count},
            messages.SUCCESS,
        )
