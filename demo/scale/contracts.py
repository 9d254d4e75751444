"""Each territory's chain of successive four-year contracts, within the years CEJs existed:
their parties, signatures, annex conventions and the amendments extending them."""

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
    FIRST_CEJ_YEAR,
    LAST_CEJ_YEAR,
    YEARS_PER_CONTRACT,
    eur,
    moment_of,
    random_days,
    slug_for,
    spread_days,
)
from demo.scale.state import ContractPlan, TerritoryState


def create_contracts(state: TerritoryState) -> list[ContractPlan]:
    """A chain of successive four-year contracts within the years CEJs existed
    (FIRST_CEJ_YEAR to LAST_CEJ_YEAR), the newest ending between 2018 and 2021: every one
    signed, executed and — today being AS_OF, late 2026 — expired."""
    rng, dep = state.rng, state.dep
    count = state.contract_count
    earliest_end = FIRST_CEJ_YEAR + YEARS_PER_CONTRACT * count - 1
    ends = list(range(max(earliest_end, LAST_CEJ_YEAR - 3), LAST_CEJ_YEAR + 1))
    # Most départements renewed until the convention territoriale globale took over.
    newest_end = rng.choices(ends, weights=[2, 2, 3, 5][-len(ends) :])[0]
    newest_start = newest_end - YEARS_PER_CONTRACT + 1
    starts = [newest_start - YEARS_PER_CONTRACT * (count - 1 - i) for i in range(count)]
    envelope = rng.randrange(800, 3601) * 10000  # cents: 80 000 € to 360 000 €
    plans, predecessor = [], None
    for start in starts:
        end = start + YEARS_PER_CONTRACT - 1
        prepared_from = datetime.date(start - 1, 3, 1) + random_days(rng, 0, 90)
        plenary = datetime.date(start - 1, 11, 20) + random_days(rng, 0, 60)
        signed_on = min(plenary + random_days(rng, 45, 240), datetime.date(start, 12, 15))
        contract = Contract(
            territory=state.territory,
            slug=slug_for(dep.code, start),
            title=f"Contrat enfance jeunesse départemental {dep.of} {start}–{end}",
            start_year=start,
            end_year=end,
            annual_envelope=eur(envelope),
            status=ContractStatus.EXPIRED if end < AS_OF.year else ContractStatus.SIGNED,
            signed_on=signed_on,
            signing_place=dep.seat,
            predecessor=predecessor,
            created_at=moment_of(prepared_from, rng),
            updated_at=moment_of(signed_on, rng),
        )
        # One by one: each contract names the one before it, whose id it needs.
        contract.save()
        plans.append(
            ContractPlan(
                contract=contract, plenary=plenary, prepared_from=prepared_from, executed=True
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
        if contract.signed_on:
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
