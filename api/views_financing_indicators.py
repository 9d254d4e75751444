"""An indicator's actual value, pushed by a partner's information system as the indicator's
page records it: by CDAJE staff of the territory or the users of the fiche's lead partner,
on a signed contract, through `fiches.indicator_services.indicator_actual_save` — a version
of the indicator with its author; a stale version is a 409 and writes nothing."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from api.serializers_financing import money
from api.serializers_financing_writes import IndicatorActualInputSerializer, django_errors
from api.views_base import ApiView, contract_or_404
from api.views_financing_writes import WRITE_ERRORS
from cej.models.versioning import person_name
from cej.view_helpers import require
from fiches import indicator_services
from fiches.indicator_permissions import can_record_actual
from fiches.models import Fiche, Indicator


class IndicatorActualSerializer(serializers.Serializer):
    fiche = serializers.IntegerField()
    number = serializers.IntegerField()
    code = serializers.CharField(help_text="« 4.1 » : n° de fiche, n° d'indicateur.")
    name = serializers.CharField()
    unit = serializers.CharField()
    version = serializers.IntegerField()
    year = serializers.IntegerField()
    target = money(allow_null=True)
    actual = money(allow_null=True)
    comment = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    recorded_by = serializers.CharField(allow_null=True)


IndicatorConflictSerializer = inline_serializer(
    "IndicatorConflict",
    {
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(),
        "your_version": serializers.IntegerField(),
    },
)


def scoped_indicator(contract, fiche_number: int, number: int) -> Indicator:
    """The page's lookups: the fiche of the contract, then its indicator; 404 otherwise."""
    fiche = (
        Fiche.objects.filter(contract=contract, number=fiche_number)
        .select_related("lead_partner")
        .first()
    )
    if fiche is None:
        raise Http404(_("Aucune fiche n'a ce numéro dans ce contrat."))
    fiche.contract = contract
    indicator = Indicator.objects.filter(fiche=fiche, number=number).first()
    if indicator is None:
        raise Http404(_("Aucun indicateur n'a ce numéro dans cette fiche."))
    indicator.fiche = fiche
    return indicator


def actual_data(indicator: Indicator, year: int) -> dict:
    row = indicator.years.filter(year=year).select_related("actual_recorded_by").first()
    return {
        "fiche": indicator.fiche.number,
        "number": indicator.number,
        "code": f"{indicator.fiche.number}.{indicator.number}",
        "name": indicator.name,
        "unit": indicator.unit,
        "version": indicator.version,
        "year": year,
        "target": row.target if row else None,
        "actual": row.actual if row else None,
        "comment": row.comment if row else "",
        "recorded_at": row.actual_recorded_at if row else None,
        "recorded_by": person_name(row.actual_recorded_by)
        if row and row.actual_recorded_by_id
        else None,
    }


@extend_schema(
    summary="Saisir le réalisé d'un indicateur",
    description=(
        'La valeur mesurée d\'une année (null ou "" : pas encore mesurée) et son '
        "commentaire, avec la `version` de l'indicateur lue : une version dépassée est "
        "refusée (409) sans rien écrire. Équipe CDAJE du territoire et utilisateurs du "
        "partenaire pilote de la fiche, sur un contrat signé. Enregistré comme une version "
        "de l'indicateur avec son auteur. La pièce justificative se dépose sur la page de "
        "l'indicateur. JSON ou formulaire (application/x-www-form-urlencoded)."
    ),
    request=IndicatorActualInputSerializer,
    responses={
        200: IndicatorActualSerializer,
        409: OpenApiResponse(IndicatorConflictSerializer, description="Version dépassée."),
        **WRITE_ERRORS,
    },
)
class IndicatorActual(ApiView):
    def post(self, request, slug, number, indicator):
        contract = contract_or_404(request, slug)
        target = scoped_indicator(contract, number, indicator)
        require(can_record_actual(request.user, target.fiche))
        payload = IndicatorActualInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            indicator_services.indicator_actual_save(
                indicator=target,
                year=data["year"],
                actual=data["actual"],
                comment=data["comment"],
                expected_version=data["version"],
                by=request.user,
            )
        except indicator_services.IndicatorConflict as error:
            when = timezone.localtime(error.when) if error.when else None
            detail = _(
                "Conflit de version : %(who)s a enregistré la version %(number)s de cet "
                "indicateur %(when)s, après la version %(sent)s que vous avez envoyée. Rien "
                "n'a été enregistré : relisez l'indicateur et renvoyez votre saisie avec "
                "« version » = %(number)s."
            ) % {
                "who": error.who,
                "number": error.record.version,
                "when": when.strftime(_("le %d/%m/%Y à %H:%M")) if when else "",
                "sent": data["version"],
            }
            return Response(
                {
                    "detail": detail,
                    "current_version": error.record.version,
                    "your_version": data["version"],
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise django_errors(error, fields=payload.fields) from error
        saved = scoped_indicator(contract, number, indicator)
        return Response(IndicatorActualSerializer(actual_data(saved, data["year"])).data)
