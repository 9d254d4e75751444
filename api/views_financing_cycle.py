"""The money cycle: where each funder stands per year (what the money-cycle page shows), and a
payment received recorded as that page records it — by the funder's finance officers,
through `financing.cycle_services.funder_payment_record`, with its author."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.filters import choice_param
from api.serializers_financing_cycle import (
    FunderPaymentSerializer,
    FunderPositionSerializer,
    payment_data,
    position_rows,
)
from api.serializers_financing_writes import FunderPaymentInputSerializer, django_errors
from api.views_base import ApiListView, contract_or_404
from api.views_financing import ERRORS, YEAR, year_of
from api.views_financing_writes import WRITE_ERRORS
from cej.permissions import member_partner_ids
from financing import cycle_services
from financing.cycle_selectors import contract_cycle
from financing.models import FunderPayment
from financing.permissions import can_record_funder_payment
from financing.terms import contract_terms
from partners.models import Partner


def contract_funders(contract) -> list[Partner]:
    """The contract's funders, in the order of its parties (as the page lists them)."""
    terms = contract_terms(contract.pk)
    partners = Partner.objects.in_bulk(list(terms.funder_ids))
    return [partners[pk] for pk in terms.funder_ids if pk in partners]


def refuse_unless_may_record(user, contract, funders) -> None:
    """The page's rule (`financing.views_cycle._allowed_funders`): 403 when the person may
    record for none of the funders, with the reason given for their own organisation if it
    is one of them."""
    decisions = [(f, can_record_funder_payment(user, contract, f.pk)) for f in funders]
    if any(allowed for _f, (allowed, _reason) in decisions):
        return
    if not decisions:
        raise PermissionDenied(_("Ce contrat n'a aucun financeur."))
    own = member_partner_ids(user)
    reasons = [reason for funder, (_allowed, reason) in decisions if funder.pk in own]
    raise PermissionDenied(reasons[0] if reasons else decisions[0][1][1])


class FunderPayments(ApiListView):
    serializer_class = FunderPositionSerializer

    @extend_schema(
        summary="Versements des financeurs, par financeur et exercice",
        description=(
            "Pour chaque financeur et chaque exercice, à la date du jour : la PSEJ prévue et "
            "réalisée, les acomptes de l'échéancier (dus, reçus, en retard), le solde sur le "
            "réalisé, le dû, le reçu, les reversements, le reste à recevoir et le trop-perçu à "
            "reverser, les justificatifs attendus et les versements enregistrés — la page des "
            "versements."
        ),
        parameters=[
            YEAR,
            OpenApiParameter("funder", str, description="Identifiant (slug) du financeur."),
        ],
        responses={200: FunderPositionSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        contract = contract_or_404(request, kwargs["slug"])
        year = year_of(request, contract)
        cycle = contract_cycle(contract, today=timezone.localdate())
        funder = choice_param(request, "funder", [f.slug for f in cycle.funders])
        shown = {f.pk for f in cycle.funders if funder is None or f.slug == funder}
        positions = [p for p in cycle.positions if p.funder_id in shown and year in (None, p.year)]
        page = self.paginate_queryset(positions)
        rows = position_rows(request, contract, cycle, page)
        return self.get_paginated_response(FunderPositionSerializer(rows, many=True).data)

    @extend_schema(
        summary="Enregistrer un versement reçu ou un reversement",
        description=(
            "Un acompte ou un solde reçu d'un financeur, ou une somme reversée "
            "(`kind` : advance, balance, refund), comme la page « Enregistrer un "
            "versement » : par les agents financiers du financeur, une fois le contrat "
            "signé ; un reversement ne dépasse pas ce que le financeur a versé pour "
            "l'exercice. JSON ou formulaire (application/x-www-form-urlencoded)."
        ),
        parameters=[],
        request=FunderPaymentInputSerializer,
        responses={201: FunderPaymentSerializer, **WRITE_ERRORS},
    )
    def post(self, request, slug):
        contract = contract_or_404(request, slug)
        funders = contract_funders(contract)
        refuse_unless_may_record(request.user, contract, funders)
        payload = FunderPaymentInputSerializer(
            data=request.data,
            context={"funders": {f.slug: f for f in funders}, "years": contract.years},
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        funder = data["funder"]
        payment = FunderPayment(
            contract=contract,
            funder=funder,
            year=data["year"],
            kind=data["kind"],
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            note=data["note"],
        )
        try:
            payment = cycle_services.funder_payment_record(payment=payment, by=request.user)
        except DjangoValidationError as error:
            raise django_errors(
                error, fields=payload.fields, field_map={"contract": None, "recorded_by": None}
            ) from error
        return Response(
            FunderPaymentSerializer(payment_data(payment, funder)).data,
            status=status.HTTP_201_CREATED,
        )
