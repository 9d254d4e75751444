"""`{% dossier_link contract %}`: the link to the contract's auditor's dossier, for those
who may take it (`dossier.permissions.can_download_dossier`), nothing for the others. For
pages reached through `scoped_contract` only (the viewer sees the contract): then it costs
no query."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dossier.permissions import can_download_dossier

register = template.Library()


@register.simple_tag(takes_context=True)
def dossier_link(context, contract):
    request = context.get("request")
    if request is None or not can_download_dossier(request.user, contract, seen=True)[0]:
        return ""
    return format_html(
        '<section class="section" aria-labelledby="dossier-title">'
        '<h2 id="dossier-title">{}</h2><p class="hint">{}</p>'
        '<p><a class="button button-secondary" href="{}" download>{}</a></p></section>',
        _("Dossier de contrôle"),
        _(
            "Tout le contrat en un fichier pour un contrôle ou un archivage : actes scellés, "
            "documents déposés, version consolidée, budget et versements, historiques et "
            "journaux, avec un manifeste des empreintes SHA-256."
        ),
        reverse("contract_dossier", kwargs={"slug": contract.slug}),
        _("Dossier de contrôle (ZIP)"),
    )
