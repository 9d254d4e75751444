"""What the « Bilan annuel » PDF prints: the review's report (`reviews.selectors`) and its
charts. The draft preview is rendered on request with the « projet » mark; the adopted
review's PDF is rendered once at adoption (`reviews.services.review_adopt`) and served as
stored ever after."""

from django.utils import timezone

from reviews import charts
from reviews.models import AnnualReview, ReviewStatus
from reviews.selectors import review_report


def review_pdf_context(review: AnnualReview, *, generated_by=None) -> dict:
    report = review_report(review)
    return {
        "contract": review.contract,
        "review": review,
        "report": report,
        "variance_chart": charts.variance_chart(report.indicators, chart_id="pdf-variances"),
        "execution_chart": charts.execution_chart(
            [(f"F{f.fiche.number}", f.money) for f in report.fiches], chart_id="pdf-money"
        ),
        "coverage_chart": charts.coverage_chart(report.needs, chart_id="pdf-coverage"),
        "is_draft": review.status != ReviewStatus.ADOPTED,
        "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    }
