"""Each territory's chain of successive four-year contracts: their parties, signatures,
annex conventions and the amendments extending them."""

import datetime

from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    PartyRole,
    Signature,
)
from demo.scale.core import (
    AS_OF,
    YEARS_PER_CONTRACT,
    eur,
    moment_of,
    random_days,
    slug_for,
    spread_days,
)
from demo.scale.state import ContractPlan, TerritoryState


def create_contracts(state: TerritoryState) -> list[ContractPlan]:
    """A chain of four-year contracts ending with the current one: older ones expired (or
    still running), the newest signed, in signature or in preparation."""
    rng, dep = state.rng, state.dep
    newest = rng.choices(["signed", "in_signature", "draft"], weights=[55, 15, 30])[0]
    newest_start = {
        "draft": AS_OF.year + 1,
        "in_signature": AS_OF.year,
        "signed": rng.randint(AS_OF.year - 3, AS_OF.year),
    }[newest]
    count = state.contract_count
    starts = [newest_start - YEARS_PER_CONTRACT * (count - 1 - i) for i in range(count)]
    envelope = rng.randrange(800, 3601) * 10000  # cents: 80 000 € to 360 000 €
    plans, predecessor = [], None
    for position, start in enumerate(starts):
        end = start + YEARS_PER_CONTRACT - 1
        kind = ("expired" if end < AS_OF.year else "signed") if position < count - 1 else newest
        if kind == "draft":
            prepared_from = datetime.date(AS_OF.year, 1, 10) + random_days(rng, 0, 40)
            plenary = datetime.date(AS_OF.year, 6, 8) + random_days(rng, 0, 20)
        else:
            prepared_from = datetime.date(start - 1, 3, 1) + random_days(rng, 0, 90)
            plenary = datetime.date(start - 1, 11, 20) + random_days(rng, 0, 60)
        status = {
            "expired": ContractStatus.EXPIRED,
            "signed": ContractStatus.SIGNED,
            "in_signature": ContractStatus.IN_SIGNATURE,
            "draft": ContractStatus.DRAFT,
        }[kind]
        signed_on = None
        if kind in ("expired", "signed"):
            signed_on = min(
                plenary + random_days(rng, 45, 240),
                datetime.date(start, 12, 15),
                AS_OF - datetime.timedelta(days=7),
            )
        contract = Contract(
            territory=state.territory,
            slug=slug_for(dep.code, start),
            title=f"Contrat enfance jeunesse départemental {dep.of} {start}–{end}",
            start_year=start,
            end_year=end,
            annual_envelope=eur(envelope),
            status=status,
            signed_on=signed_on,
            signing_place=dep.seat if signed_on else "",
            predecessor=predecessor,
            created_at=moment_of(prepared_from, rng),
            updated_at=moment_of(signed_on or plenary, rng),
        )
        # One by one: each contract names the one before it, whose id it needs.
        contract.save()
        plans.append(
            ContractPlan(
                contract=contract,
                plenary=plenary,
                prepared_from=prepared_from,
                executed=kind in ("expired", "signed"),
            )
        )
        predecessor = contract
        # Envelopes follow each other: mostly growing, sometimes cut back.
        envelope = min(int(round(envelope * rng.uniform(0.97, 1.08), -4)), 40_000_000)
    state.counts.contracts += len(plans)
    _parties_signatures_annexes(state, plans)
    return plans


def _parties_signatures_annexes(state: TerritoryState, plans: list[ContractPlan]) -> None:
    rng = state.rng
    parties, signatures, annexes, amendments = [], [], [], []
    for plan in plans:
        contract = plan.contract
        for order, key in enumerate(("cg", "caf", "msa"), start=1):
            # The Conseil départemental carries the actions; the CAF and the MSA pay the PSEJ.
            role = PartyRole.BENEFICIARY if key == "cg" else PartyRole.FUNDER
            parties.append(
                ContractParty(
                    contract=contract, partner=state.partners[key], order=order, role=role
                )
            )
        signers = state.signatories
        if contract.status == ContractStatus.IN_SIGNATURE:
            signers = signers[: rng.randint(1, len(signers) - 1)]
            days = spread_days(rng, len(signers), plan.plenary, AS_OF - datetime.timedelta(1))
        elif contract.signed_on:
            # Usually a signing ceremony; sometimes each institution signs in turn.
            if rng.random() < 0.6:
                days = [contract.signed_on] * len(signers)
            else:
                days = [
                    *spread_days(
                        rng,
                        len(signers) - 1,
                        contract.signed_on - random_days(rng, 10, 40),
                        contract.signed_on,
                    ),
                    contract.signed_on,
                ]
        else:
            signers, days = [], []
        for signatory, day in zip(signers, days, strict=True):
            signatures.append(
                Signature(
                    contract=contract,
                    signatory=signatory,
                    signed_on=day,
                    place=state.dep.seat,
                    recorded_by=state.users["cdaje"],
                    recorded_at=moment_of(day, rng),
                )
            )
        if rng.random() < 0.35:
            end = contract.start_year + rng.choice([0, 0, 1, 2, 3])
            plan.annex = AnnexConvention(
                contract=contract,
                title="Convention annexe au contrat enfance jeunesse départemental",
                purpose=(
                    "Financement d'actions non couvertes par le CEJ, notamment le dispositif "
                    "pour l'accueil d'enfants handicapés dans les crèches."
                ),
                start_year=contract.start_year,
                end_year=end,
                signed_on=contract.signed_on,
            )
            annexes.append(plan.annex)
    ContractParty.objects.bulk_create(parties)
    Signature.objects.bulk_create(signatures)
    AnnexConvention.objects.bulk_create(annexes)
    state.counts.signatures += len(signatures)
    for plan in plans:
        annex, contract = plan.annex, plan.contract
        # A convention first signed for one year, extended by amendment (avenant).
        if annex and annex.end_year > annex.start_year and contract.signed_on:
            signed_on = max(
                datetime.date(annex.start_year, 11, 2) + random_days(rng, 0, 50),
                contract.signed_on + random_days(rng, 30, 60),
            )
            if signed_on < AS_OF:
                amendments.append(
                    Amendment(
                        contract=contract,
                        annex_convention=annex,
                        number=1,
                        title="Prolongation de la convention annexe",
                        summary=(
                            f"La convention annexe est prolongée jusqu'en {annex.end_year} "
                            "pour poursuivre le dispositif d'accueil d'enfants handicapés."
                        ),
                        new_end_year=annex.end_year,
                        signed_on=signed_on,
                    )
                )
    Amendment.objects.bulk_create(amendments)
