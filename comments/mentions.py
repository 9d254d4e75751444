"""@mentions: `@username` in a comment's text names a person to tell. Only someone who can
read the comment may be mentioned; anyone else is refused by name, so that nobody learns of
a discussion through a notification they could not open."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comments.permissions import may_read

# Django's usernames are letters, digits and @.+-_; a mention starts after a space or a
# punctuation mark (not inside an e-mail address) and does not end with a full stop.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]*[\w@+-])")


def usernames_in(text: str) -> list[str]:
    """The usernames mentioned in `text` (plain text), each once, in order."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text or ""):
        seen.setdefault(name[:150], None)
    return list(seen)


def mentioned_users(text: str, *, comment) -> list:
    """The people `text` mentions, each of whom can read `comment` (unsaved is fine: its
    contract and visibility are what count); else a ValidationError on `body` naming those
    unknown and those who cannot read it."""
    names = usernames_in(text)
    if not names:
        return []
    if len(names) > 20:
        raise ValidationError({"body": _("Mentionnez vingt personnes au plus.")})
    users = {
        user.username.lower(): user
        for user in get_user_model().objects.filter(is_active=True, username__in=names)
    }
    errors = []
    found = []
    for name in names:
        user = users.get(name.lower())
        if user is None:
            errors.append(_("Personne n'a pour identifiant « @%(name)s ».") % {"name": name})
        elif not may_read(user, comment):
            errors.append(
                _(
                    "%(person)s (@%(name)s) ne peut pas lire ce commentaire : mentionnez "
                    "quelqu'un qui voit ce contrat%(staff)s."
                )
                % {
                    "person": user.get_full_name() or user.username,
                    "name": user.username,
                    "staff": _(" et fait partie de l'équipe CDAJE")
                    if comment.visibility == "staff"
                    else "",
                }
            )
        else:
            found.append(user)
    if errors:
        raise ValidationError({"body": errors})
    return found
