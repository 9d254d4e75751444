"""Repeated items of the pilotage pages, built in Python: the cards of the contract list,
the representatives of the dashboard's parties.

An administrator's page shows fifty contracts; as template nodes their cards cost more than
everything else on the page, and these pages are rendered whole on their first view after a
change. Same markup as the templates had; every text is escaped, amounts and dates go
through their one helper each."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.html import escape_text as esc
from cej.money import format_eur

register = template.Library()


@register.simple_tag
def contract_cards(contracts):
    """`{% contract_cards contracts %}`: an `<li class="card">` per (ContractCard, url) of
    pilotage.selectors.contract_list_page (templates/pilotage/_contract_list_body.html)."""
    envelope_label, fiches_label = esc(_("Enveloppe annuelle")), esc(_("Fiches actions"))
    parties_label, predecessor_label = esc(_("Signataires")), esc(_("Succède à"))
    signed_on = _("signé le %(date)s")
    cards = []
    for contract, url in contracts:
        signed = (
            " · " + esc(signed_on % {"date": format_date_long(contract.signed_on)})
            if contract.signed_on
            else ""
        )
        predecessor = (
            f"<div><dt>{predecessor_label}</dt><dd>{esc(contract.predecessor)}</dd></div>"
            if contract.predecessor
            else ""
        )
        parties = ", ".join(esc(name) for name in contract.parties) or "–"
        cards.append(
            f'<li class="card">'
            f'<h2 class="card-title"><a href="{esc(url)}">{esc(contract.title)}</a></h2>'
            f'<p class="card-meta">'
            f'<span class="badge badge-{esc(contract.status)}">{esc(contract.status_label)}</span>'
            f" {esc(contract.territory)} · {esc(contract.period_label)}{signed}</p>"
            f'<dl class="facts">'
            f"<div><dt>{envelope_label}</dt><dd>{format_eur(contract.annual_envelope)}</dd></div>"
            f"<div><dt>{fiches_label}</dt><dd>{contract.fiche_count}</dd></div>"
            f"<div><dt>{parties_label}</dt><dd>{parties}</dd></div>"
            f"{predecessor}</dl></li>"
        )
    return mark_safe("\n".join(cards))


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
            f"{esc(signed_on % {'date': format_date_long(signature.signed_on)})}</span>"
            if signature
            else f'<span class="unsigned">{pending}</span>'
        )
        items.append(
            f'<li><span class="signatory-name">{esc(signatory.full_name)}</span> '
            f'<span class="signatory-function">{esc(signatory.function)}</span> {state}</li>'
        )
    return mark_safe("\n".join(items))
