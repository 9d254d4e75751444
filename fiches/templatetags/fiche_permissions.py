"""Templates ask the same predicates as the views, so a control is shown exactly when the
action is allowed."""

from django import template

from fiches import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, fiche):
    """`{% can "edit" fiche as allowed %}`; actions: edit, restore, or a transition name."""
    user = context["request"].user
    if action == "edit":
        return permissions.can_edit_fiche(user, fiche)[0]
    if action == "restore":
        return permissions.can_restore_version(user, fiche)[0]
    return permissions.can_transition(user, fiche, action)[0]


@register.simple_tag(takes_context=True)
def transitions_for(context, fiche):
    """The workflow actions the user may take on this fiche, in table order."""
    return permissions.allowed_transitions(context["request"].user, fiche)


@register.simple_tag(takes_context=True)
def refusal(context, action: str, fiche):
    """Why an action is refused (empty when allowed), to explain a missing control."""
    user = context["request"].user
    if action == "edit":
        return permissions.can_edit_fiche(user, fiche)[1]
    return permissions.can_transition(user, fiche, action)[1]
