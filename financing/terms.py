"""Reading a contract's financing parameters once, as plain data for `financing.psej` and
`financing.cycle`: the beneficiary, each funder's terms per instrument, each funder's
payment schedule. Used by the services (to store a line's forecast split) and by the
selectors (to show plans and positions) alike."""

from dataclasses import dataclass, field

from cej.models import ContractParty, PartyRole
from financing.models import FundingTerms, Instrument, PaymentSchedule
from financing.psej import FunderTerms


@dataclass(frozen=True)
class ContractTerms:
    beneficiary_id: int | None
    funder_ids: tuple[int, ...]
    by_instrument: dict[str, tuple[FunderTerms, ...]] = field(default_factory=dict)

    def for_line(self, line) -> tuple[FunderTerms, ...]:
        instrument = Instrument.ANNEX if line.annex_convention_id else Instrument.CEJ
        return self.by_instrument.get(instrument, ())


def contract_terms(contract_id: int) -> ContractTerms:
    """Two queries: the parties' roles, and the terms ordered by funder name (the order in
    which R5 gives a rounding cent back)."""
    parties = list(
        ContractParty.objects.filter(contract_id=contract_id)
        .order_by("order", "partner__name")
        .values_list("partner_id", "role")
    )
    beneficiary = next((pid for pid, role in parties if role == PartyRole.BENEFICIARY), None)
    funders = tuple(pid for pid, role in parties if role == PartyRole.FUNDER)
    by_instrument: dict[str, list[FunderTerms]] = {}
    for terms in FundingTerms.objects.filter(contract_id=contract_id).order_by(
        "instrument", "funder__name"
    ):
        by_instrument.setdefault(terms.instrument, []).append(FunderTerms.of(terms))
    return ContractTerms(
        beneficiary_id=beneficiary,
        funder_ids=funders,
        by_instrument={k: tuple(v) for k, v in by_instrument.items()},
    )


def schedules(contract_id: int) -> dict[int, PaymentSchedule]:
    """Each funder's payment schedule with its advances (two queries)."""
    return {
        s.funder_id: s
        for s in PaymentSchedule.objects.filter(contract_id=contract_id)
        .order_by()
        .prefetch_related("advances")
    }
