"""The execution a partner's information system pushes: a line's actual figures here, a
payment received (`api.views_financing_cycle`), an indicator's actual value
(`api.views_financing_indicators`). Each goes through the service the page calls,
after the page's own permission predicate (refused: 403 with its reason, which DRF carries
from Django's PermissionDenied, as the services' own), so it lands in the same history
with its author; one service call is one transaction: a refused write writes nothing."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from api.serializers_financing import BudgetLineSerializer, FieldChangeSerializer
from api.serializers_financing_rows import line_rows, plain_text
from api.serializers_financing_writes import LineActualsInputSerializer, django_errors
from api.views_base import ApiView, contract_or_404
from api.views_financing import scoped_line
from cej.view_helpers import require
from financing import cycle_services, services
from financing.diff import diff_line_snapshots
from financing.permissions import can_declare_actuals
from financing.terms import contract_terms

ConflictSerializer = inline_serializer(
    "LineConflict",
    {
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(),
        "your_version": serializers.IntegerField(),
        "saved_by": serializers.CharField(),
        "saved_at": serializers.DateTimeField(),
        "changes": FieldChangeSerializer(many=True),
    },
)
WRITE_ERRORS = {
    400: OpenApiResponse(description="Données refusées : le champ est nommé dans `errors`."),
    401: OpenApiResponse(description="Non authentifié."),
    403: OpenApiResponse(
        description="Non autorisé (rôle, contrat non signé…) ou jeton en lecture seule."
    ),
    404: OpenApiResponse(
        description="Contrat hors de votre périmètre ; ligne, fiche ou indicateur inconnu."
    ),
}


def conflict_response(error: services.BudgetLineConflict, sent: int) -> Response:
    """409: who saved the line in between, when, which version, and what they changed —
    what the page's conflict box says. Nothing was written."""
    when = timezone.localtime(error.when) if error.when else None
    changes = diff_line_snapshots(
        error.base or {},
        error.current,
        beneficiary_id=contract_terms(error.record.contract_id).beneficiary_id,
    )
    detail = _(
        "Conflit de version : %(who)s a enregistré la version %(number)s de cette ligne "
        "%(when)s, après la version %(sent)s que vous avez envoyée. Rien n'a été enregistré : "
        "relisez la ligne et renvoyez votre saisie avec « version » = %(number)s."
    ) % {
        "who": error.who,
        "number": error.record.version,
        "when": when.strftime(_("le %d/%m/%Y à %H:%M")) if when else "",
        "sent": sent,
    }
    return Response(
        {
            "detail": detail,
            "current_version": error.record.version,
            "your_version": sent,
            "saved_by": error.who,
            "saved_at": when,
            "changes": [
                {"field": c.label, "before": plain_text(c.before), "after": plain_text(c.after)}
                for c in changes
            ],
        },
        status=status.HTTP_409_CONFLICT,
    )


@extend_schema(
    summary="Déclarer le réalisé d'une ligne budgétaire",
    description=(
        "Les dépenses et autres recettes réalisées, les deux (ou les deux vides, null ou "
        '"", pour retirer une déclaration), avec la `version` de la ligne lue : une version '
        "dépassée est refusée (409) sans rien écrire. Agents financiers du territoire, une "
        "fois le contrat signé. Enregistré comme une version de la ligne (« Réalisé "
        "déclaré ») avec son auteur. JSON ou formulaire (application/x-www-form-urlencoded)."
    ),
    request=LineActualsInputSerializer,
    responses={
        200: BudgetLineSerializer,
        409: OpenApiResponse(ConflictSerializer, description="Version dépassée."),
        **WRITE_ERRORS,
    },
)
class BudgetLineActual(ApiView):
    def post(self, request, slug, pk):
        contract = contract_or_404(request, slug)
        line = scoped_line(contract, pk)
        require(can_declare_actuals(request.user, contract))
        payload = LineActualsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            cycle_services.line_actuals_save(
                line=line,
                actual_expenses=data["actual_expenses"],
                actual_receipts=data["actual_receipts"],
                by=request.user,
                expected_version=data["version"],
            )
        except services.BudgetLineConflict as error:
            return conflict_response(error, data["version"])
        except DjangoValidationError as error:
            raise django_errors(error, fields=payload.fields) from error
        [row] = line_rows(request, contract, [scoped_line(contract, pk)])
        return Response(BudgetLineSerializer(row).data)
