"""Template filters that format money, dates and sizes the French way, each through its one
helper (`cej.money`, `cej.dates`, `cej.documents.human_size`)."""

from django import template
from django.utils.safestring import mark_safe

from cej.dates import format_date_long, format_date_time
from cej.html import sanitize_rich_text
from cej.money import format_eur, format_percent

register = template.Library()


@register.filter
def eur(value):
    """`{{ amount|eur }}` → `198 000,00 €`. Digits, spaces and signs only: marked safe, so
    that the tables of amounts do not escape each of them again."""
    return mark_safe(format_eur(value))


@register.filter
def percent_of(part, whole):
    """`{{ paid|percent_of:planned }}` → `81,3 %` (digits and signs only: safe)."""
    return mark_safe(format_percent(part, whole))


@register.filter
def file_size(value):
    """`{{ document.size|file_size }}` → `166 Ko`."""
    from cej.documents import human_size

    return human_size(value)


@register.filter(expects_localtime=True)
def date_long(value):
    """`{{ contract.signed_on|date_long }}` → `1er octobre 2014`; a datetime gives its day in
    the project's time zone (as the `date` filter does), not in UTC."""
    return format_date_long(value)


@register.filter
def groups_of(value, size):
    """`{% for group in document.sha256|groups_of:8 %}` → `01e4e9fa`, `a3121e08`, … : a long
    code in even groups, so that it wraps between groups and never leaves an orphan."""
    value, size = str(value or ""), int(size)
    return [value[start : start + size] for start in range(0, len(value), size)]


@register.filter
def date_time(value):
    """`{{ version.created_at|date_time }}` → `03/12/2026 16:40` in local time."""
    return format_date_time(value)


@register.filter
def rich_text(value):
    """User-written formatted text, sanitized again at display (whatever path stored it)."""
    return mark_safe(sanitize_rich_text(value))


@register.filter
def duration(value):
    """`{{ timedelta|duration }}` → `1 heure`, `30 minutes`, `1 heure et 30 minutes`."""
    from django.utils.translation import gettext, ngettext

    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours})
    if minutes or not hours:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return gettext(" et ").join(parts)


@register.simple_tag(takes_context=True)
def partner_name(context, partner, short=False):
    """`{% partner_name fiche.lead_partner %}` → the partner's name in force on the act's
    date (`named_on` in the context, set by the acts: the 2014 contract says « Conseil
    général de la Loire »), its current name elsewhere. The acts prefetch the former names
    (`cej.selectors.signing_parties(also_named=…)`). `short=True`: its short name."""
    if partner is None:
        return ""
    on = context.get("named_on")
    return partner.short_name_on(on) if short else partner.name_on(on)


@register.filter
def lowerfirst(value):
    """`{{ aim.description|lowerfirst }}` → « la cohésion des politiques … »: a statement
    quoted after a colon, as a list item of a sentence. An initial acronym stays as it is."""
    value = str(value)
    if len(value) > 1 and value[1].isupper():
        return value
    return value[:1].lower() + value[1:]


NUMBER_WORDS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
NUMBER_WORDS += ["dix", "onze", "douze"]


@register.filter
def in_words(value):
    """`{{ 3|in_words }}` → « trois » (0 to 12, as an act writes a duration or a number of
    originals); digits beyond."""
    number = int(value)
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)
