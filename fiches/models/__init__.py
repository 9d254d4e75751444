"""The orientations' models, by sub-domain: objectives, fiches and their versions
(`fiches`), and the evaluation indicators measured per fiche and year (`indicators`)."""

from fiches.models.fiches import (
    SHORT_STATUS_LABELS,
    Aim,
    Fiche,
    FicheStatus,
    FicheVersion,
    Objective,
    short_status_label,
)
from fiches.models.indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorVersion,
    IndicatorYear,
)

__all__ = [
    "SHORT_STATUS_LABELS",
    "Aim",
    "Fiche",
    "FicheStatus",
    "FicheVersion",
    "Indicator",
    "IndicatorDirection",
    "IndicatorVersion",
    "IndicatorYear",
    "Objective",
    "short_status_label",
]
