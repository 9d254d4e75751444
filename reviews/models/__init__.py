"""The reviews' models: the annual review of a contract year with the state of each fiche
(`annual`), the CDAJE's report on needs and supply of childcare (`needs`), and the final
evaluation of the contract (`evaluation`)."""

from reviews.models.annual import (
    ActionState,
    AnnualReview,
    AnnualReviewVersion,
    ReviewFiche,
    ReviewStatus,
)
from reviews.models.evaluation import (
    EvaluationFiche,
    EvaluationStatus,
    FinalEvaluation,
    FinalEvaluationVersion,
    Recommendation,
)
from reviews.models.needs import CareType, NeedsArea, NeedsPlaces

__all__ = [
    "ActionState",
    "AnnualReview",
    "AnnualReviewVersion",
    "CareType",
    "EvaluationFiche",
    "EvaluationStatus",
    "FinalEvaluation",
    "FinalEvaluationVersion",
    "NeedsArea",
    "NeedsPlaces",
    "Recommendation",
    "ReviewFiche",
    "ReviewStatus",
]
