"""The cards of the contract list, built in Python.

An administrator's page shows fifty contracts; as template nodes their cards cost more than
everything else on the page, and the page is rendered whole on its first view after a
change. Same markup as the template had; every text is escaped, amounts and dates go
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
