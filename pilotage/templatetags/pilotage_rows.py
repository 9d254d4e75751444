"""Repeated items of the pilotage pages, built in Python: the cards of the contract list,
the representatives of the dashboard's parties.

An administrator's page shows fifty contracts; as template nodes their cards cost more than
everything else on the page, and these pages are rendered whole on their first view after a
change. Same markup as the templates had; every text is escaped, amounts and dates go
through their one helper each."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cej.dates import format_date_long
from cej.documents import human_size
from cej.html import escape_text as esc
from cej.money import format_eur
from cej.view_helpers import url_for_each

register = template.Library()


@register.simple_tag
def contract_cards(contracts):
    """`{% contract_cards contracts %}`: an `<li class="card">` per (ContractCard, url) of
    pilotage.selectors.contract_list_page (templates/pilotage/_contract_list_body.html)."""
    envelope_label, fiches_label = esc(_("Enveloppe annuelle")), esc(_("Fiches actions"))
    parties_label, predecessor_label = esc(_("Signataires")), esc(_("Succède à"))
    signed_on = _("signé le %(date)s")
    none = _missing(_("aucun"))
    no_predecessor = _missing(_("aucun contrat"))
    cards = []
    for contract, url in contracts:
        signed = (
            " · " + signed_on % {"date": esc(format_date_long(contract.signed_on))}
            if contract.signed_on
            else ""
        )
        predecessor = esc(contract.predecessor) if contract.predecessor else no_predecessor
        parties = ", ".join(esc(name) for name in contract.parties) or none
        # The same four facts on every card, so that the cards line up; a missing one is « — ».
        cards.append(
            f'<li class="card">'
            f'<h2 class="card-title"><a href="{esc(url)}">{esc(contract.title)}</a></h2>'
            f'<p class="card-meta">'
            f'<span class="badge badge-{esc(contract.status)}">{esc(contract.status_label)}</span>'
            f" {esc(contract.territory)} · {esc(contract.period_label)}{signed}</p>"
            f"{_stage(contract.stage, contract.status_label)}"
            f'<dl class="facts facts-card">'
            f"<div><dt>{envelope_label}</dt><dd>{format_eur(contract.annual_envelope)}</dd></div>"
            f"<div><dt>{fiches_label}</dt><dd>{contract.fiche_count}</dd></div>"
            f"<div><dt>{parties_label}</dt><dd>{parties}</dd></div>"
            f"<div><dt>{predecessor_label}</dt><dd>{predecessor}</dd></div></dl></li>"
        )
    return mark_safe("\n".join(cards))


def _stage(stage, status_label) -> str:
    """Where the contract stands in its cycle (pilotage.contract_cycle), when it says more
    than the status badge (« En préparation », « Échu » would say it twice)."""
    if stage is None or str(stage.label) == str(status_label):
        return ""
    return (
        f'<p class="card-stage"><span class="badge badge-stage-{esc(stage.code)}">'
        f"{esc(stage.label)}</span></p>"
    )


def _missing(words: str) -> str:
    """« — » on the screen, `words` for a screen reader."""
    return f'<span aria-hidden="true">—</span><span class="visually-hidden">{esc(words)}</span>'


@register.simple_tag
def signatory_items(signatories):
    """`<ul class="signatories">{% signatory_items party.signatories %}</ul>`: each
    representative of a party (cej.selectors.PartyBlock) and whether they have signed, as
    the dashboard lists them (templates/pilotage/_dashboard_body.html)."""
    if not signatories:
        return mark_safe(f'<li class="empty">{esc(_("Aucun représentant déclaré."))}</li>')
    signed_on, pending = _("a signé le %(date)s"), esc(_("signature en attente"))
    items = []
    for signatory, signature in signatories:
        state = (
            f'<span class="signed">'
            f"{signed_on % {'date': esc(format_date_long(signature.signed_on))}}</span>"
            if signature
            else f'<span class="unsigned">{pending}</span>'
        )
        items.append(
            f'<li><span class="signatory-name">{esc(signatory.full_name)}</span> '
            f'<span class="signatory-function">{esc(signatory.function)}</span> {state}</li>'
        )
    return mark_safe("\n".join(items))


@register.simple_tag
def document_rows(documents, contract):
    """`<tbody>{% document_rows documents contract %}</tbody>`: a row per stored document
    of the document space (templates/pilotage/_documents_body.html)."""
    download_url = url_for_each("document_download", "pk", slug=contract.slug)
    sealed = (
        f'<span class="cell-note signed">{esc(_("Scellé électroniquement (PAdES), PDF/A"))}</span>'
    )
    signed_on, stored_on, stored_by = (
        _("signé le %(date)s"),
        _("déposé le %(date)s"),
        _("par %(name)s"),
    )
    download = _('Télécharger<span class="visually-hidden"> %(name)s</span>')
    no_download = esc(_("aucun téléchargement"))
    rows = []
    for document in documents:
        amendment = (
            f'<span class="cell-note">{esc(document.amendment)}</span>'
            if document.amendment_id
            else ""
        )
        dated = (
            signed_on % {"date": esc(format_date_long(document.dated))} if document.dated else ""
        )
        author = document.created_by
        by = (
            " " + stored_by % {"name": esc(author.get_full_name() or author.username)}
            if author
            else ""
        )
        count, sha256 = document.download_count, esc(document.sha256)
        downloads = (
            ngettext("%(counter)s téléchargement", "%(counter)s téléchargements", count)
            % {"counter": count}
            if count
            else no_download
        )
        # In eight groups of eight, four per line: the fingerprint wraps evenly, never with
        # an orphan.
        groups = "".join(f"<span>{sha256[i : i + 8]}</span>" for i in range(0, len(sha256), 8))
        # No download attribute: the server sends the file as an attachment, and a refused
        # file must show its French page rather than be saved.
        rows.append(
            f'<tr><th scope="row">{esc(document.title)}{sealed if document.sealed else ""}</th>'
            f"<td>{esc(document.get_kind_display())}{amendment}</td>"
            f'<td>{dated}<span class="cell-note">'
            f"{stored_on % {'date': esc(format_date_long(document.created_at))}}{by}</span></td>"
            f'<td class="num">{esc(human_size(document.size))}</td>'
            f'<td><code class="hash" title="{sha256}">{groups}</code></td>'
            f'<td class="line-actions"><a href="{esc(download_url(document.pk))}">'
            f"{download % {'name': esc(document.filename)}}</a>"
            f'<span class="cell-note">{downloads}</span></td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag(takes_context=True)
def signature_items(context, signatories, contract, can_cancel):
    """`<ul class="signatories">{% signature_items party.signatories contract can_cancel %}
    </ul>`: each representative of a party, where and when they signed and, for who may,
    the form cancelling a signature (templates/pilotage/_documents_body.html)."""
    if not signatories:
        return mark_safe(f'<li class="empty">{esc(_("Aucun représentant déclaré."))}</li>')
    cancel_url = url_for_each("signature_cancel", "pk", slug=contract.slug)
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(context["csrf_token"])}">'
        if can_cancel
        else ""
    )
    signed, pending = _("a signé le %(date)s à %(place)s"), esc(_("signature en attente"))
    cancel = _('Annuler la signature<span class="visually-hidden"> de %(name)s</span>')
    items = []
    for signatory, signature in signatories:
        name = esc(signatory.full_name)
        if signature:
            where = {
                "date": esc(format_date_long(signature.signed_on)),
                "place": esc(signature.place),
            }
            state = f'<span class="signed">{signed % where}</span>'
            if can_cancel:
                state += (
                    f'<form method="post" action="{esc(cancel_url(signature.pk))}" '
                    f'class="inline-form">{csrf}<button type="submit" class="link-button">'
                    f"{cancel % {'name': name}}</button></form>"
                )
        else:
            state = f'<span class="unsigned">{pending}</span>'
        items.append(
            f'<li><span class="signatory-name">{name}</span> '
            f'<span class="signatory-function">{esc(signatory.function)}</span> {state}</li>'
        )
    return mark_safe("\n".join(items))
