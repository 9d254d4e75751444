"""The money cycle as the API shows it: where each funder stands with the beneficiary per
year — advances due and received, the balance on the actual figures, what remains or is to
be recovered — exactly as the money-cycle page shows it (`financing.cycle_selectors
.contract_cycle`, rules C1–C6 of `financing.cycle`), and the payments recorded."""

from django.urls import reverse
from rest_framework import serializers

from api.serializers_financing import choice, money
from cej.models.versioning import person_name
from financing.models import FunderPaymentKind


class AdvanceDueSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    due_on = serializers.DateField()
    amount = money()
    late = serializers.BooleanField()


class DocumentDueSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    due_on = serializers.DateField()
    received_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()


class FunderPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    funder = serializers.CharField(help_text="Identifiant (slug) du financeur.")
    funder_name = serializers.CharField()
    year = serializers.IntegerField()
    kind = choice(FunderPaymentKind.values)
    kind_label = serializers.CharField()
    amount = money()
    received_on = serializers.DateField()
    reference = serializers.CharField()
    note = serializers.CharField()
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField()


class FunderPositionSerializer(serializers.Serializer):
    funder = serializers.CharField(help_text="Identifiant (slug) du financeur.")
    funder_name = serializers.CharField()
    year = serializers.IntegerField()
    forecast_psej = money(help_text="PSEJ prévisionnelle de l'exercice.")
    actual_psej = money(allow_null=True, help_text="PSEJ sur le réalisé ; null avant.")
    advances = AdvanceDueSerializer(many=True, help_text="Acomptes prévus à l'échéancier.")
    advances_total = money()
    advances_received = money()
    balance = money(
        allow_null=True, help_text="Solde (PSEJ réalisée − acomptes reçus) ; null avant le réalisé."
    )
    balance_due_on = serializers.DateField()
    owed = money(help_text="Dû à ce jour.")
    received = money(help_text="Reçu (acomptes + soldes − reversements).")
    refunded = money(help_text="Reversé au financeur.")
    outstanding = money(help_text="Reste à recevoir.")
    to_recover = money(help_text="À reverser (trop-perçu).")
    late = serializers.BooleanField()
    settled = serializers.BooleanField()
    documents = DocumentDueSerializer(many=True, help_text="Justificatifs attendus.")
    payments = FunderPaymentSerializer(many=True, help_text="Versements enregistrés.")
    situation_url = serializers.URLField(help_text="« Situation financière » en PDF.")


def payment_data(payment, funder) -> dict:
    return {
        "id": payment.pk,
        "funder": funder.slug,
        "funder_name": funder.name,
        "year": payment.year,
        "kind": payment.kind,
        "kind_label": payment.get_kind_display(),
        "amount": payment.amount,
        "received_on": payment.received_on,
        "reference": payment.reference,
        "note": payment.note,
        "recorded_by": person_name(payment.recorded_by) if payment.recorded_by_id else None,
        "recorded_at": payment.recorded_at,
    }


def position_rows(request, contract, cycle, positions) -> list[dict]:
    """`positions`: FunderYears of `cycle` (`contract_cycle`), as the API shows them. The
    payments' authors are read in one query."""
    from django.contrib.auth import get_user_model

    funders = {f.pk: f for f in cycle.funders}
    author_ids = {p.recorded_by_id for fy in positions for p in fy.payments if p.recorded_by_id}
    authors = get_user_model().objects.in_bulk(list(author_ids)) if author_ids else {}
    rows = []
    for item in positions:
        funder, position = funders[item.funder_id], item.position
        payments = []
        for payment in item.payments:
            payment.recorded_by = authors.get(payment.recorded_by_id)
            payments.append(payment_data(payment, funder))
        rows.append(
            {
                "funder": funder.slug,
                "funder_name": funder.name,
                "year": item.year,
                "forecast_psej": position.forecast_psej,
                "actual_psej": position.actual_psej,
                "advances": [
                    {
                        "number": a.number,
                        "percent": a.percent,
                        "due_on": a.due_on,
                        "amount": a.amount,
                        "late": a.late,
                    }
                    for a in position.advances
                ],
                "advances_total": position.advances_total,
                "advances_received": position.advances_received,
                "balance": position.balance,
                "balance_due_on": position.balance_due_on,
                "owed": position.owed,
                "received": position.received,
                "refunded": position.refunded,
                "outstanding": position.outstanding,
                "to_recover": position.to_recover,
                "late": item.late,
                "settled": position.settled,
                "documents": [
                    {
                        "kind": d.kind,
                        "label": d.label,
                        "due_on": d.due_on,
                        "received_on": d.received_on,
                        "late": d.late,
                    }
                    for d in item.documents
                ],
                "payments": payments,
                "situation_url": request.build_absolute_uri(
                    reverse(
                        "funder_situation_pdf",
                        kwargs={
                            "slug": contract.slug,
                            "funder_slug": funder.slug,
                            "year": item.year,
                        },
                    )
                ),
            }
        )
    return rows
