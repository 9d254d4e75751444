"""What a request needs to know about its user, read in one query.

Every contract page asks the same questions about the user: their permissions (Django's
ModelBackend reads them in two queries), the territories they work for and the partners
they belong to (one query each). On a page served from the cache these queries were most
of its cost, so `load_viewer` answers all three in a single round trip and keeps the
answers on the user object for the rest of the request. The rules stay Django's:
`tests/cej/test_auth_backends.py` checks them against ModelBackend.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from cej.models import Territory
from partners.models import Partner


def _viewer_sql() -> str:
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    named = (
        f"SELECT 'perm', ct.app_label || '.' || p.codename FROM {permission} p "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id WHERE p.id IN "
    )
    user_permissions = User.user_permissions.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    territory_staff = Territory.staff.through._meta.db_table
    partner_members = Partner.members.through._meta.db_table
    return (
        f"{named}(SELECT permission_id FROM {user_permissions} WHERE user_id = %s "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s) "
        f"UNION ALL SELECT 'territory', CAST(territory_id AS TEXT) FROM {territory_staff} "
        f"WHERE user_id = %s "
        f"UNION ALL SELECT 'partner', CAST(partner_id AS TEXT) FROM {partner_members} "
        f"WHERE user_id = %s"
    )


def load_viewer(user) -> None:
    """Fill the user's permission, territory and partner caches (no-op when filled)."""
    if hasattr(user, "_cej_territory_ids"):
        return
    permissions, territories, partners = set(), set(), set()
    with connection.cursor() as cursor:
        cursor.execute(_viewer_sql(), [user.pk] * 4)
        for kind, value in cursor.fetchall():
            if kind == "perm":
                permissions.add(value)
            elif kind == "territory":
                territories.add(int(value))
            else:
                partners.add(int(value))
    if user.is_superuser:  # as ModelBackend: every permission
        permissions = {
            f"{app_label}.{codename}"
            for app_label, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            )
        }
    user._perm_cache = permissions
    user._cej_territory_ids = territories
    user._cej_partner_ids = partners


class ViewerBackend(ModelBackend):
    """ModelBackend whose permissions come from `load_viewer`."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            load_viewer(user_obj)
        return user_obj._perm_cache
