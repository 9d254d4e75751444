"""The agenda of a CDAJE plenary on screen, and its pack (*dossier de séance*) as one PDF.

Thin: the plenary through `Plenary.objects.for_user` (404 for a plenary of a territory the
person sees no contract of, as for one that does not exist), the content through
`agenda.plenary_pack` (only the contracts the person sees, only shared comments)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agenda.models import Plenary
from agenda.plenary_pack import plenary_pack
from cej.pdf import pdf_response, render_pdf
from cej.security_log import log_security_event
from cej.view_helpers import context_of


def _plenary(request, pk) -> Plenary:
    plenary = Plenary.objects.for_user(request.user).select_related("territory").filter(pk=pk)
    found = plenary.first()
    if found is None:
        # Logged as every contract page logs an address out of scope; answered as a plenary
        # that does not exist.
        if Plenary.objects.filter(pk=pk).exists():
            log_security_event("out_of_scope", request, plenary=pk)
        raise Http404(_("Aucune séance à cette adresse."))
    return found


@login_required
@require_safe
def plenary_detail(request, pk):
    plenary = _plenary(request, pk)
    pack = plenary_pack(plenary=plenary, user=request.user)
    error, status = "", 200
    # « Choisir une autre séance »: a form without script sends the chosen plenary here.
    if (chosen := request.GET.get("seance")) is not None:
        others = {str(p.pk): p for p in pack.plenaries}
        if chosen.strip() in others:
            return redirect("plenary_detail", pk=others[chosen.strip()].pk)
        error, status = _("Cette séance n'existe pas pour ce territoire : choisissez-en une."), 400
    return render(
        request,
        "agenda/plenary_detail.html",
        {**context_of(pack), "pack": pack, "choice_error": error},
        status=status,
    )


@login_required
@require_safe
def plenary_pack_pdf(request, pk):
    plenary = _plenary(request, pk)
    pack = plenary_pack(plenary=plenary, user=request.user)
    content = render_pdf(
        "agenda/pdf/plenary_pack.html",
        {
            **context_of(pack),
            "pack": pack,
            "territory": plenary.territory,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
            # The pack is read on paper too: its links are printed whole.
            "site_url": settings.SITE_URL,
        },
    )
    return pdf_response(content, f"dossier-de-seance-{plenary.held_on:%Y-%m-%d}.pdf")
