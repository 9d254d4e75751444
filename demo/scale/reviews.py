"""Each contract's annual reviews (*bilans annuels*): one per year, every one adopted on the
CDAJE's opinion in the spring after the year (every generated contract has ended by AS_OF),
with the state of each fiche's actions and a short narrative, and the CDAJE's report on
needs and supply of childcare — children under three and places per kind of care in each
area of the département. No PDF is stored for them: rendering a thousand reviews would
dominate the run, and the benchmarks read the pages, not the files.

An adopted review is the supporting document the funders' payment cycle expects: the
activity data of its year is recorded as received from each funder's point of view when it
was not already (as adoption does through the services).

Figures and texts are illustrative, drawn from the territory's seeded generator."""

import datetime

from demo.scale.core import BATCH, moment_of, random_days
from demo.scale.state import ContractPlan, TerritoryState
from financing.models import SupportingDocument, SupportingDocumentKind
from reviews.models import (
    ActionState,
    AnnualReview,
    CareType,
    NeedsArea,
    NeedsPlaces,
    ReviewFiche,
    ReviewStatus,
)

A = ActionState
# Places per child under three, by kind of care: (low, high) for the territory, then a
# yearly growth — micro-crèches grew fastest over the CEJ years.
SUPPLY = {
    CareType.COLLECTIVE: (0.12, 0.20, 0.010),
    CareType.MICRO_CRECHE: (0.005, 0.03, 0.15),
    CareType.FAMILY_CRECHE: (0.0, 0.02, -0.03),
    CareType.CHILDMINDERS: (0.25, 0.40, -0.005),
    CareType.HOME_CARE: (0.005, 0.03, 0.01),
    CareType.PRESCHOOL: (0.01, 0.05, -0.04),
}
SECTORS = ["Secteur nord", "Secteur sud", "Secteur est", "Secteur ouest", "Secteur centre"]
NARRATIVES = {
    A.DONE: [
        "Actions prévues pour {year} menées à leur terme.",
        "Objectifs de l'année atteints ; bilan présenté au groupe de travail.",
    ],
    A.IN_PROGRESS: [
        "Actions engagées en {year}, poursuivies l'année suivante.",
        "Mise en œuvre en cours avec les partenaires du territoire.",
    ],
    A.POSTPONED: [
        "Action reportée : calendrier des partenaires décalé.",
        "Report à l'année suivante, faute de porteur de projet en {year}.",
    ],
    A.ABANDONED: ["Action abandonnée sur avis de la CDAJE : besoin couvert autrement."],
}
OPINIONS = [
    "Avis favorable de la CDAJE au bilan {year}.",
    "Avis favorable de la CDAJE au bilan {year}, qui note la bonne avancée des actions.",
    "Avis favorable avec réserves : la CDAJE demande un point d'étape sur les actions reportées.",
]


def create_reviews(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """Reviews first (their fiches and areas need their ids), then the fiches' states and
    the needs areas, then each area's places; the activity data the adoptions stand for."""
    rng, users = state.rng, state.users
    areas = _areas(state)
    reviews, review_fiches, needs = [], [], []
    for plan in plans:
        contract = plan.contract
        abandoned = set()
        for offset, year in enumerate(contract.years):
            opinion_on = datetime.date(year + 1, 3, 10) + random_days(rng, 0, 80)
            submitted = moment_of(opinion_on - random_days(rng, 10, 30), rng)
            adopted = moment_of(opinion_on + random_days(rng, 0, 7), rng)
            states = {}
            for number, fiche in plan.fiches.items():
                states[number] = A.ABANDONED if number in abandoned else _state(rng, offset)
                if states[number] == A.ABANDONED:
                    abandoned.add(number)
                review_fiches.append(
                    (
                        len(reviews),
                        ReviewFiche(
                            fiche_id=fiche.pk,
                            state=states[number],
                            narrative=rng.choice(NARRATIVES[states[number]]).format(year=year),
                        ),
                    )
                )
            done = sum(s == A.DONE for s in states.values())
            reviews.append(
                AnnualReview(
                    contract_id=contract.pk,
                    year=year,
                    status=ReviewStatus.ADOPTED,
                    summary=(
                        f"Bilan de l'année {year} : {done} fiches sur {len(states)} ont mené "
                        f"leurs actions à terme, les autres se poursuivent ou sont reportées "
                        f"(données illustratives)."
                    ),
                    opinion=rng.choice(OPINIONS).format(year=year),
                    opinion_on=opinion_on,
                    submitted_at=submitted,
                    submitted_by_id=users["cdaje2"].pk,
                    adopted_at=adopted,
                    adopted_by_id=users["cdaje"].pk,
                    created_at=moment_of(
                        datetime.date(year, 11, 15) - random_days(rng, 0, 30), rng
                    ),
                    updated_at=adopted,
                    updated_by_id=users["cdaje"].pk,
                )
            )
            needs.append((len(reviews) - 1, _needs(rng, areas, year)))
    AnnualReview.objects.bulk_create(reviews, batch_size=BATCH)
    for index, row in review_fiches:
        row.review_id = reviews[index].pk
    ReviewFiche.objects.bulk_create([row for _i, row in review_fiches], batch_size=BATCH)
    area_rows, places = [], []
    for index, per_area in needs:
        for area, per_type in per_area:
            area.review_id = reviews[index].pk
            area_rows.append(area)
            places += [(area, row) for row in per_type]
    NeedsArea.objects.bulk_create(area_rows, batch_size=BATCH)
    for area, row in places:
        row.area_id = area.pk
    NeedsPlaces.objects.bulk_create([row for _a, row in places], batch_size=BATCH)
    state.counts.reviews += len(reviews)
    state.counts.review_rows += len(review_fiches) + len(area_rows) + len(places)
    _activity_received(state, reviews)


def _state(rng, offset: int) -> str:
    """Early years mostly in progress, the last one mostly done."""
    weights = [70, 15, 10, 5] if offset == 3 else [20 + 15 * offset, 60 - 15 * offset, 15, 2]
    return rng.choices([A.DONE, A.IN_PROGRESS, A.POSTPONED, A.ABANDONED], weights=weights)[0]


def _areas(state: TerritoryState) -> list[tuple[str, int, dict]]:
    """The areas of the département the CDAJE reports on, drawn once for the territory:
    (name, children under three in the first generated year, places per child by kind)."""
    rng = state.rng
    names = [f"Agglomération de {state.dep.seat}", *rng.sample(SECTORS, rng.randint(2, 4))]
    total = rng.randint(4_000, 60_000)
    shares = [rng.uniform(0.6, 1.6) for _ in names]
    return [
        (
            name,
            int(total * share / sum(shares)),
            {kind: rng.uniform(low, high) for kind, (low, high, _g) in SUPPLY.items()},
        )
        for name, share in zip(names, shares, strict=True)
    ]


def _needs(rng, areas, year: int) -> list[tuple[NeedsArea, list[NeedsPlaces]]]:
    """One year's figures: births slowly falling, the supply growing by kind of care."""
    elapsed = year - 2006
    rows = []
    for order, (name, children, rates) in enumerate(areas, start=1):
        count = int(children * (1 - 0.008 * elapsed) * rng.uniform(0.98, 1.02))
        area = NeedsArea(
            order=order,
            name=name,
            children_under_3=count,
            unmet_requests=rng.randint(0, count // 40) if rng.random() < 0.7 else None,
        )
        places = []
        for kind, rate in rates.items():
            growth = SUPPLY[kind][2]
            value = int(count * rate * (1 + growth) ** elapsed * rng.uniform(0.97, 1.03))
            if value > 0:
                places.append(NeedsPlaces(care_type=kind, places=value))
        rows.append((area, places))
    return rows


def _activity_received(state: TerritoryState, reviews: list[AnnualReview]) -> None:
    """Each adopted review stands for its year's activity data: recorded as received from
    both funders, on the day of adoption, where the payment cycle had no record of it."""
    contracts = {review.contract_id for review in reviews}
    have = set(
        SupportingDocument.objects.filter(
            contract_id__in=contracts, kind=SupportingDocumentKind.ACTIVITY
        ).values_list("contract_id", "funder_id", "year")
    )
    rows = [
        SupportingDocument(
            contract_id=review.contract_id,
            funder_id=funder.pk,
            year=review.year,
            kind=SupportingDocumentKind.ACTIVITY,
            received_on=review.adopted_at.date(),
            reference=f"Bilan annuel {review.year} adopté",
            recorded_by_id=state.users["cdaje"].pk,
            recorded_at=review.adopted_at,
        )
        for review in reviews
        if review.status == ReviewStatus.ADOPTED
        for funder in (state.caf, state.msa)
        if (review.contract_id, funder.pk, review.year) not in have
    ]
    SupportingDocument.objects.bulk_create(rows, batch_size=BATCH)
    state.counts.supporting_documents += len(rows)
