"""The CDAJE's plenaries of each generated territory: the one that validated each contract's
fiches, then three or four a year over each contract's years and the year of its last
balance — spring (the annual review), early summer and late autumn, on a Tuesday, as
décret 2002-798 asks at least three a year. Drawn from a generator of their own, seeded by
the département, so that the territory's other data stay as they were. Illustrative."""

import datetime
import random

from agenda.models import Plenary
from demo.scale.core import BATCH
from demo.scale.state import ContractPlan, TerritoryState

# (month, first day of the week searched) of each yearly plenary; the fourth, in September,
# one year in three.
SEASONS = [(3, 8), (6, 8), (11, 14)]
EXTRA = (9, 20)
TUESDAY = 1


def _tuesday(year: int, month: int, day: int, rng: random.Random) -> datetime.date:
    start = datetime.date(year, month, day) + datetime.timedelta(days=7 * rng.randint(0, 1))
    return start + datetime.timedelta(days=(TUESDAY - start.weekday()) % 7)


def create_plenaries(state: TerritoryState, plans: list[ContractPlan]) -> int:
    rng = random.Random(f"plenaries-{state.dep.code}")
    days = set()
    for plan in plans:
        days.add(plan.plenary)
        contract = plan.contract
        for year in range(contract.start_year, contract.end_year + 2):
            seasons = SEASONS + ([EXTRA] if rng.random() < 1 / 3 else [])
            days.update(_tuesday(year, month, day, rng) for month, day in seasons)
    place = f"Hôtel du Département, {state.dep.seat}"
    Plenary.objects.bulk_create(
        [Plenary(territory=state.territory, held_on=day, place=place) for day in sorted(days)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return len(days)
