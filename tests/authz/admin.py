"""The admin site in the matrix: which rule covers each admin pattern, and its URL (the
change, delete and history pages on a real object)."""

import re

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.authz.cells import Pattern
from tests.authz.world import World

MODEL_PAGES = ("changelist", "add", "change", "delete", "history")
SITE_PAGES = (
    "index",
    "app_list",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "autocomplete",
    "view_on_site",
)
# Named admin pages of one model beyond the five every model has.
EXTRA_PAGES = {
    "auth_user_password_change": "auth.user",
    "financing_budgetline_export": "financing.budgetline",
}
OBJECT_REDIRECT = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/$")
CATCH_ALL = "/admin/(?P<url>.*)$"


def admin_models() -> dict[str, type]:
    return {model._meta.label_lower: model for model in admin.site._registry}


def admin_page(pattern: Pattern) -> tuple[str, str | None] | None:
    """(kind of page, model label) for an admin pattern; None if no rule knows it."""
    models = admin_models()
    by_prefix = {f"{m._meta.app_label}_{m._meta.model_name}": label for label, m in models.items()}
    if pattern.key == CATCH_ALL:
        return "catch_all", None
    if match := OBJECT_REDIRECT.match(pattern.route):
        label = f"{match[1]}.{match[2]}"
        return ("object", label) if label in models else None
    if pattern.name in SITE_PAGES:
        return pattern.name, None
    if pattern.name in EXTRA_PAGES:
        return pattern.name, EXTRA_PAGES[pattern.name]
    prefix, _sep, kind = (pattern.name or "").rpartition("_")
    if kind in MODEL_PAGES and prefix in by_prefix:
        return kind, by_prefix[prefix]
    return None


def admin_object(label: str):
    obj = admin_models()[label].objects.order_by("pk").first()
    assert obj is not None, f"the matrix's world has no {label}: add one (tests/authz/world.py)"
    return obj


def admin_url(kind: str, label: str | None, world: World) -> str:
    if kind == "catch_all":
        return "/admin/page-inexistante/"
    if kind == "app_list":
        return reverse("admin:app_list", kwargs={"app_label": "cej"})
    if kind == "autocomplete":
        query = "app_label=cej&model_name=contract&field_name=predecessor&term=Loire"
        return f"{reverse('admin:autocomplete')}?{query}"
    if kind == "view_on_site":
        content_type = ContentType.objects.get_for_model(world.contract)
        return reverse("admin:view_on_site", args=[content_type.pk, world.contract.pk])
    if kind == "auth_user_password_change":
        return reverse(f"admin:{kind}", args=[admin_object(label).pk])
    if kind in SITE_PAGES or kind in EXTRA_PAGES:
        return reverse(f"admin:{kind}")
    model = admin_models()[label]
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if kind in ("changelist", "add"):
        return reverse(f"{prefix}_{kind}")
    pk = admin_object(label).pk
    if kind == "object":
        return reverse(f"{prefix}_change", args=[pk]).removesuffix("change/")
    return reverse(f"{prefix}_{kind}", args=[pk])


def database_counts() -> dict[str, int]:
    """Rows of every model the admin edits: a refused admin write adds or deletes none."""
    return {label: model.objects.count() for label, model in admin_models().items()}
