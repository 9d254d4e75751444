"""The unread count in the header of every page: counted lazily, so a page that does not
show the header (a redirect, a PDF) pays nothing, and one that does pays one query however
often its templates ask."""

import functools

from notifications.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template calls it where it is shown (an int there, where a lazy
    # object would not do arithmetic); cached, it asks the database once.
    return {"unread_notifications": functools.cache(lambda: unread_count(user))}
