"""The rows of the fiche tables (the fiche list, the dashboard's orientations), built in
Python from fiches.selectors.FicheRow.

A contract has a dozen fiches or more, each row a dozen template nodes, and these pages are
rendered whole on their first view after a change. Same markup as the templates had; every
text is escaped, dates go through their one helper each."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej.dates import format_date_long, format_date_short, format_date_time
from cej.html import escape_text as esc
from cej.view_helpers import url_for_each

register = template.Library()


def _fiche_link(fiche, fiche_url) -> str:
    return f'<a href="{esc(fiche_url(fiche.number))}">{esc(fiche.title)}</a>'


def _open_comments(fiche, counts, fiche_url) -> str:
    """The fiche's open comment threads the viewer reads, linked to them (none: nothing)."""
    count = counts.get(fiche.pk) if counts else None
    if not count:
        return ""
    label = ngettext("%(count)s commentaire ouvert", "%(count)s commentaires ouverts", count) % {
        "count": count
    }
    return (
        f' <a class="comment-count" href="{esc(fiche_url(fiche.number))}#comments">{esc(label)}</a>'
    )


def _status(fiche) -> str:
    return f'<span class="badge badge-{esc(fiche.status)}">{esc(fiche.status_label)}</span>'


@register.simple_tag
def fiche_list_rows(fiches, contract, comment_counts=()):
    """`<tbody>{% fiche_list_rows fiches contract comment_counts %}</tbody>`: the fiche list's
    rows (templates/fiches/_fiche_list_body.html); `comment_counts`, pairs (fiche pk, open
    threads the viewer reads), is part of the cached page's key."""
    counts = dict(comment_counts)
    fiche_url = url_for_each("fiche_detail", "number", slug=contract.slug)
    aims_label = esc(_("Finalités servies"))
    validated, imported = esc(_("avis en plénière")), esc(_("reprise des fiches"))
    amended = esc(_("modifiée par avenant"))
    rows = []
    for fiche in fiches:
        aims = "".join(f"<li>{esc(aim)}</li>" for aim in fiche.aims)
        if aims:
            aims = f'<ul class="tag-list" aria-label="{aims_label}">{aims}</ul>'
        if fiche.updated_by:
            change = f"{esc(format_date_time(fiche.updated_at))}<br>{_hint(fiche.updated_by)}"
        else:
            # Without a person, the change is the fiche's reprise from the documents: the day
            # is known, not the hour.
            # Without a person either, a change after the plenary's opinion was an avenant's
            # (applied by the demo's loader).
            what = imported
            if fiche.status == "validated":
                day = timezone.localtime(fiche.updated_at).date()
                plenary = fiche.validated_on and day == fiche.validated_on
                what = validated if plenary or not fiche.validated_on else amended
            change = (
                f'{esc(format_date_short(fiche.updated_at))}<br><span class="hint">{what}</span>'
            )
        rows.append(
            f'<tr><td class="col-number">{fiche.number}</td>'
            f'<td class="col-title">{_fiche_link(fiche, fiche_url)}'
            f"{_open_comments(fiche, counts, fiche_url)}{aims}</td>"
            f'<td class="col-status">{_status(fiche)}</td>'
            f'<td class="col-lead">{esc(fiche.lead) or "–"}</td>'
            f'<td class="col-change">{change}</td></tr>'
        )
    return mark_safe("\n".join(rows))


def _hint(text: str, *, escaped: bool = False) -> str:
    return f'<span class="hint">{text if escaped else esc(text)}</span>'


@register.simple_tag
def fiche_overview_rows(fiches, contract, comment_counts=()):
    """`<tbody>{% fiche_overview_rows fiches contract comment_counts %}</tbody>`: the
    dashboard's rows of an objective's fiches (templates/pilotage/_dashboard_body.html)."""
    counts = dict(comment_counts)
    fiche_url = url_for_each("fiche_detail", "number", slug=contract.slug)
    rows = []
    for fiche in fiches:
        validated = (
            f' <span class="hint">{esc(format_date_long(fiche.validated_on))}</span>'
            if fiche.validated_on
            else ""
        )
        rows.append(
            f'<tr><td class="col-number">{fiche.number}</td>'
            f"<td>{_fiche_link(fiche, fiche_url)}{_open_comments(fiche, counts, fiche_url)}</td>"
            f"<td>{esc(fiche.lead) or '–'}</td>"
            f'<td class="col-status">{_status(fiche)}{validated}</td></tr>'
        )
    return mark_safe("\n".join(rows))
