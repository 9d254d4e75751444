"""The financing domain's models, by sub-domain: budget lines and their financing plan
(`lines`), the funders' terms and payment schedules (`terms`), and the payments and
supporting documents of the money cycle (`cycle`)."""

from financing.models.cycle import (
    FunderPayment,
    FunderPaymentKind,
    SupportingDocument,
    SupportingDocumentKind,
)
from financing.models.lines import (
    MONEY,
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    Instrument,
    VersionKind,
)
from financing.models.terms import Advance, FundingTerms, PaymentSchedule, day_in_year

__all__ = [
    "MONEY",
    "Advance",
    "BudgetLine",
    "BudgetLineVersion",
    "BudgetPost",
    "Contribution",
    "ExecutionEntry",
    "ExecutionKind",
    "FunderPayment",
    "FunderPaymentKind",
    "FundingTerms",
    "Instrument",
    "PaymentSchedule",
    "SupportingDocument",
    "SupportingDocumentKind",
    "VersionKind",
    "day_in_year",
]
