"""The Loire demo's money cycle 2014–2017, after avenant n° 1 (its annex lines 2015–2017
exist only once it is applied): the Département's actual figures declared on every line,
the supporting documents it sent each funder, and what the CAF and the MSA paid.

As of 1 December 2018 (the day the demo's tests look from):
- 2014, 2015 and 2016 are settled with both funders: the advance (70 % of the year's
  forecast PSEJ) paid in the year, the balance on the actual figures the next September;
- in 2015 the MSA paid, besides its advance, a second one in December bringing its payments
  to 100 % of its forecast PSEJ; the actual expenses came in lower (fiche n° 15's pôle
  ressource was only prefigured that year), so the MSA issued an *ordre de reversement*
  and the Département paid the difference back in October 2016: the one recovery;
- 2017: the advances paid, the actual figures declared in April 2018, the balance due on
  30 September 2018 and not paid: outstanding, and late.
- The supporting documents (actual figures, activity data) came before their deadline
  (30 April N+1), but for the MSA's 2016 activity data, a fortnight late.

Written through the financing services as the application itself (`system=True`): the
demo is loaded with no one logged in, and with or without its accounts. Dates, references
and amounts are illustrative (docs/psej.md); the amounts due follow from the terms and the
lines (`financing.cycle_selectors.contract_cycle`), not typed here."""

import datetime

from django.utils import timezone

from cej.money import ZERO
from demo.loire_money import actual_of
from financing.cycle_selectors import contract_cycle
from financing.cycle_services import (
    funder_payment_record,
    line_actuals_save,
    supporting_document_record,
)
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    FunderPayment,
    FunderPaymentKind,
    SupportingDocument,
    SupportingDocumentKind,
)

D = datetime.date
ADVANCE, BALANCE, REFUND = (
    FunderPaymentKind.ADVANCE,
    FunderPaymentKind.BALANCE,
    FunderPaymentKind.REFUND,
)
AS_OF = D(2018, 12, 1)  # the demo's story stops here: 2017's balance is still awaited

# When the Département sent each year's actual figures and activity data (both funders the
# same day), and so declared the lines' actual figures.
DOCUMENTS_SENT = {2014: D(2015, 4, 24), 2015: D(2016, 4, 22), 2016: D(2017, 4, 27)}
DOCUMENTS_SENT[2017] = D(2018, 4, 26)
# The one late document: (funder key, year, kind) → received on.
LATE_DOCUMENTS = {("msa", 2016, SupportingDocumentKind.ACTIVITY): D(2017, 5, 16)}

# funder key → [(year, kind, received on, reference, note)]. Amounts: the advance as the
# schedule gives it, the balance on the actual figures, the MSA's 2015 second advance up to
# its forecast PSEJ, its reversement down to its actual PSEJ.
PAYMENTS = {
    "caf": [
        (2014, ADVANCE, D(2014, 11, 14), "Mandat CAF 2014-0412", ""),
        (2014, BALANCE, D(2015, 9, 22), "Mandat CAF 2015-1187", ""),
        (2015, ADVANCE, D(2015, 6, 26), "Mandat CAF 2015-0533", ""),
        (2015, BALANCE, D(2016, 9, 20), "Mandat CAF 2016-1094", ""),
        (2016, ADVANCE, D(2016, 6, 24), "Mandat CAF 2016-0528", ""),
        (2016, BALANCE, D(2017, 9, 19), "Mandat CAF 2017-1120", ""),
        (2017, ADVANCE, D(2017, 6, 27), "Mandat CAF 2017-0541", ""),
    ],
    "msa": [
        (2014, ADVANCE, D(2014, 11, 21), "Mandat MSA 2014-287", ""),
        (2014, BALANCE, D(2015, 9, 25), "Mandat MSA 2015-611", ""),
        (2015, ADVANCE, D(2015, 6, 29), "Mandat MSA 2015-402", ""),
        (
            2015,
            ADVANCE,
            D(2015, 12, 11),
            "Mandat MSA 2015-798",
            "Acompte complémentaire : 100 % de la PSEJ prévisionnelle 2015 versés dans l'exercice.",
        ),
        (
            2015,
            REFUND,
            D(2016, 10, 14),
            "Ordre de reversement MSA OR-2016-0087",
            "Réalisé 2015 inférieur aux acomptes versés (pôle ressource en préfiguration) : "
            "ordre de reversement du 15 septembre 2016.",
        ),
        (2016, ADVANCE, D(2016, 6, 28), "Mandat MSA 2016-415", ""),
        (2016, BALANCE, D(2017, 9, 26), "Mandat MSA 2017-633", ""),
        (2017, ADVANCE, D(2017, 6, 29), "Mandat MSA 2017-421", ""),
    ],
}


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def load_money_cycle(contract, partners: dict) -> int:
    """Idempotent: what exists already is left as it is. The number of rows created."""
    created = _declare_actuals(contract)
    created += _record_documents(contract, partners)
    created += _record_payments(contract, partners)
    return created


def _declare_actuals(contract) -> int:
    created = 0
    lines = BudgetLine.objects.filter(contract=contract).select_related("fiche").order_by("pk")
    for line in lines:
        if line.actuals_declared:
            continue
        expenses, receipts = actual_of(line)
        line_actuals_save(
            line=line, actual_expenses=expenses, actual_receipts=receipts, by=None, system=True
        )
        # Declared with the documents sent to the funders, not on the day of the load.
        declared = _at(DOCUMENTS_SENT[line.year])
        BudgetLineVersion.objects.filter(line=line, number=line.version + 1).update(
            created_at=declared
        )
        BudgetLine.objects.filter(pk=line.pk).update(updated_at=declared)
        created += 1
    return created


def _record_documents(contract, partners: dict) -> int:
    created = 0
    for key in PAYMENTS:
        funder = partners[key]
        for year in contract.years:
            for kind in SupportingDocumentKind.values:
                if SupportingDocument.objects.filter(
                    contract=contract, funder=funder, year=year, kind=kind
                ).exists():
                    continue
                received_on = LATE_DOCUMENTS.get((key, year, kind), DOCUMENTS_SENT[year])
                document = supporting_document_record(
                    document=SupportingDocument(
                        contract=contract,
                        funder=funder,
                        year=year,
                        kind=kind,
                        received_on=received_on,
                        reference=f"Envoi du Département, {year + 1}",
                    ),
                    by=None,
                    system=True,
                )
                SupportingDocument.objects.filter(pk=document.pk).update(
                    recorded_at=_at(received_on)
                )
                created += 1
    return created


def _record_payments(contract, partners: dict) -> int:
    """Amounts from the cycle as the actual figures leave it: each payment the next one in
    its funder's year, so that 2014–2016 end settled."""
    if FunderPayment.objects.filter(contract=contract).exists():
        return 0
    cycle = contract_cycle(contract, today=AS_OF)
    created = 0
    for key, payments in PAYMENTS.items():
        funder = partners[key]
        received: dict[int, object] = {}
        for year, kind, received_on, reference, note in payments:
            position = cycle.position(funder.pk, year).position
            advances = received.get(year, ZERO)
            if kind == ADVANCE and not advances:
                amount = position.advances[0].amount
            elif kind == ADVANCE:  # up to the forecast PSEJ
                amount = position.forecast_psej - advances
            elif kind == BALANCE:
                amount = position.actual_psej - advances
            else:  # REFUND: what was received beyond the actual PSEJ
                amount = advances - position.actual_psej
            received[year] = advances + (amount if kind == ADVANCE else ZERO)
            payment = funder_payment_record(
                payment=FunderPayment(
                    contract=contract,
                    funder=funder,
                    year=year,
                    kind=kind,
                    amount=amount,
                    received_on=received_on,
                    reference=reference,
                    note=note,
                ),
                by=None,
                system=True,
            )
            FunderPayment.objects.filter(pk=payment.pk).update(recorded_at=_at(received_on))
            created += 1
    return created
