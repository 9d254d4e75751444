"""Each hostile test's number of examples: sized so that the whole directory runs in under
a minute on SQLite on a 2-core machine (the budget is 90 s). HOSTILE_SCALE=10 multiplies
them all for a longer hunt, in the « dev » profile's random draws."""

import os

from hypothesis import settings

SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))


def examples(count: int):
    """`@examples(20)`: this test's share of the time budget, times HOSTILE_SCALE."""
    return settings(max_examples=max(1, round(count * SCALE)))
