"""The parties to a contract and its objectives."""

from dataclasses import dataclass

from drf_spectacular.utils import extend_schema

from api.serializers_core_parties import ObjectiveSerializer, PartySerializer
from api.views_core_base import NOT_FOUND, ContractListView
from cej.models import ContractParty, PartyRole
from cej.selectors import signing_parties
from fiches.selectors import fiches_by_objective


@dataclass
class Party:
    partner: object
    role: str
    role_label: str
    order: int
    name_on_signing_date: str | None
    short_name_on_signing_date: str | None
    decision: object
    signatories: list


@extend_schema(
    summary="Parties au contrat",
    description="Chaque partie, son rôle, sa dénomination d'aujourd'hui et celle de la date "
    "de signature, la délibération qui l'a autorisée à signer, ses représentants en fonction "
    "dans l'ordre de signature et leur signature (date, lieu) — comme le tableau de bord et "
    "la page des documents.",
    responses={200: PartySerializer(many=True), 404: NOT_FOUND},
)
class PartyList(ContractListView):
    serializer_class = PartySerializer

    def get_queryset(self):
        contract = self.contract
        # Named as on the signing date (one more query for the former names) when signed.
        blocks = signing_parties(contract, on=contract.signed_on, decisions=True)
        roles = {
            partner_id: (role, order)
            for partner_id, role, order in ContractParty.objects.filter(contract=contract)
            .order_by()
            .values_list("partner_id", "role", "order")
        }
        labels = dict(PartyRole.choices)
        parties = []
        for block in blocks:
            role, order = roles[block.partner.pk]
            parties.append(
                Party(
                    partner=block.partner,
                    role=role,
                    role_label=str(labels.get(role, role)),
                    order=order,
                    name_on_signing_date=block.name if contract.signed_on else None,
                    short_name_on_signing_date=block.short_name if contract.signed_on else None,
                    decision=block.decision,
                    signatories=[
                        {
                            "full_name": signatory.full_name,
                            "civility": signatory.civility,
                            "first_name": signatory.first_name,
                            "last_name": signatory.last_name,
                            "function": signatory.function,
                            "order": signatory.order,
                            "signature": signature,
                        }
                        for signatory, signature in block.signatories
                    ],
                )
            )
        return parties


@extend_schema(
    summary="Objectifs du contrat",
    description="Les objectifs des orientations, dans l'ordre, avec les numéros de leurs fiches.",
    responses={200: ObjectiveSerializer(many=True), 404: NOT_FOUND},
)
class ObjectiveList(ContractListView):
    serializer_class = ObjectiveSerializer

    def get_queryset(self):
        objectives = []
        for objective, rows in fiches_by_objective(self.contract):
            objective.fiche_numbers = [row.number for row in rows]
            objectives.append(objective)
        return objectives
