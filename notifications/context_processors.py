"""The unread count in the header of every page: counted lazily, so a page that does not
show the header (a PDF, a redirect) pays nothing, and one that does pays one query."""

from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
