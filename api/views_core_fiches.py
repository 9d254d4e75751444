"""The fiches of a contract: the list (filtered as the fiche list page filters it: objective,
status, aim, lead partner, search), one fiche as its page shows it, and its versions as its
history page lists them."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from api.filters import choice_param, int_param
from api.serializers_core_common import person
from api.serializers_core_fiches import (
    FicheDetailSerializer,
    FicheSummarySerializer,
    FicheVersionSerializer,
)
from api.views_core_base import BAD_FILTER, NOT_FOUND, ContractItemView, ContractListView
from fiches.diff import FIELDS
from fiches.models import Aim, Fiche, FicheStatus, FicheVersion, Objective
from fiches.selectors import FicheFilters, fiche_list, fiche_page
from financing.models import BudgetLine
from partners.models import Partner

# As the fiche list's search field.
SEARCH_MAX = 100


def no_fiche(number: int) -> Http404:
    return Http404(_("Aucune fiche n° %(number)s dans ce contrat.") % {"number": number})


@extend_schema(
    summary="Fiches actions du contrat",
    description="Les fiches dans l'ordre des objectifs puis des numéros, comme la liste des "
    "fiches ; retirées comprises (statut withdrawn). Les filtres sont ceux de la page.",
    parameters=[
        OpenApiParameter("objective", int, description="N° d'objectif du contrat."),
        OpenApiParameter("status", str, enum=FicheStatus.values, description="Statut."),
        OpenApiParameter("aim", int, description="N° de la finalité de la CDAJE servie."),
        OpenApiParameter("lead", str, description="Identifiant (slug) du partenaire pilote."),
        OpenApiParameter(
            "q", str, description=f"Texte cherché dans la fiche ({SEARCH_MAX} caractères au plus)."
        ),
    ],
    responses={200: FicheSummarySerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
)
class FicheList(ContractListView):
    serializer_class = FicheSummarySerializer

    def get_queryset(self):
        contract = self.contract
        number = int_param(self.request, "objective", minimum=1, maximum=32767)
        status = choice_param(self.request, "status", FicheStatus.values)
        objective = None
        if number is not None:
            objective = Objective.objects.filter(contract=contract, number=number).first()
            if objective is None:
                message = _("Aucun objectif n° %(number)s dans ce contrat.") % {"number": number}
                raise ValidationError({"objective": [message]})
        filters = FicheFilters(
            q=_search(self.request),
            objective=objective,
            status=status or "",
            aim=_aim(self.request),
            lead=_lead(self.request, contract),
        )
        found = fiche_list(contract, filters=filters)
        rows = []
        for fiche_objective, fiche_rows in found.objectives:
            for row in fiche_rows:
                row.objective_number = fiche_objective.number
                rows.append(row)
        return rows


def _refuse_nul(name: str, value: str) -> None:
    # A database refuses the character in a query (PostgreSQL raises): said, not a 500.
    if "\x00" in value:
        raise ValidationError({name: [_("Caractère nul interdit dans ce paramètre.")]})


def _search(request) -> str:
    text = (request.query_params.get("q") or "").strip()
    _refuse_nul("q", text)
    if len(text) > SEARCH_MAX:
        message = _("Texte trop long : %(max)s caractères au plus.") % {"max": SEARCH_MAX}
        raise ValidationError({"q": [message]})
    return text


def _aim(request):
    number = int_param(request, "aim", minimum=1, maximum=32767)
    if number is None:
        return None
    aim = Aim.objects.filter(number=number).first()
    if aim is None:
        raise ValidationError({"aim": [_("Aucune finalité n° %(number)s.") % {"number": number}]})
    return aim


def _lead(request, contract):
    slug = request.query_params.get("lead")
    if not slug:
        return None
    _refuse_nul("lead", slug)
    partner = Partner.objects.filter(contract_parties__contract=contract, slug=slug[:60]).first()
    if partner is None:
        message = _("Aucun partenaire « %(slug)s » partie à ce contrat.") % {"slug": slug[:40]}
        raise ValidationError({"lead": [message]})
    return partner


@extend_schema(
    summary="Une fiche action",
    description="La fiche comme sa page la montre : ses textes (HTML assaini tel "
    "qu'enregistré), son statut et la date de l'avis de la CDAJE, son pilote et ses "
    "partenaires associés, les finalités servies, les lignes budgétaires qui la financent.",
    responses={200: FicheDetailSerializer, 404: NOT_FOUND},
)
class FicheDetail(ContractItemView):
    serializer_class = FicheDetailSerializer

    def get_object(self):
        contract = self.contract
        number = self.kwargs["number"]
        try:
            page = fiche_page(contract, number, versions=0)
        except Http404:
            raise no_fiche(number) from None
        fiche = page.fiche
        fiche.associated_partners_list = page.associated_partners
        fiche.aims_list = page.aims
        # With their ids, for the links to the financing resources.
        fiche.budget_lines_list = sorted(
            BudgetLine.objects.filter(fiche=fiche).select_related("post").order_by(),
            key=lambda line: (line.year, line.post.order, line.post.label, line.pk),
        )
        # What the page's selector does not read: the fiche it continues (the dashboard's
        # lineage) and who saved it last, in one query.
        extra = (
            Fiche.objects.filter(pk=fiche.pk)
            .values_list(
                "continues__number",
                "updated_by__first_name",
                "updated_by__last_name",
                "updated_by__username",
            )
            .get()
        )
        fiche.continues_number = extra[0]
        fiche.updated_by_name = f"{extra[1] or ''} {extra[2] or ''}".strip() or extra[3]
        return fiche


@extend_schema(
    summary="Versions d'une fiche",
    description="Chaque version enregistrée, de la plus récente à la plus ancienne, comme "
    "l'historique de la fiche : qui, quand, la nature du changement, l'avenant qui l'a "
    "permis, les champs changés depuis la version précédente et le contenu enregistré.",
    responses={200: FicheVersionSerializer(many=True), 404: NOT_FOUND},
)
class FicheVersionList(ContractListView):
    serializer_class = FicheVersionSerializer

    def get_queryset(self):
        contract = self.contract
        number = self.kwargs["number"]
        fiche = (
            Fiche.objects.filter(contract=contract, number=number)
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=FicheVersion.objects.select_related("author", "amendment").order_by(
                        "number"
                    ),
                )
            )
            .first()
        )
        if fiche is None:
            raise no_fiche(number)
        rows, before = [], None
        for version in fiche.versions.all():
            after = version.snapshot or {}
            rows.append(
                {
                    "number": version.number,
                    "action": version.action,
                    "author": person(version.author),
                    "created_at": version.created_at,
                    "amendment": version.amendment.number if version.amendment else None,
                    "changes": []
                    if before is None
                    else [
                        {"field": key, "label": str(label)}
                        for key, label in FIELDS
                        if before.get(key) != after.get(key)
                    ],
                    "snapshot": after,
                }
            )
            before = after
        rows.reverse()  # the newest first, as the history page
        return rows
