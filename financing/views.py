"""The budget page of a contract and its PDF report. Thin: scope through the contract
queryset, figures from financing.report, charts from financing.charts, permissions from
financing.permissions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cej.pdf import pdf_response, render_pdf
from cej.view_helpers import scoped_contract
from financing.charts import execution_chart, split_chart
from financing.permissions import can_change_budget, can_record_execution
from financing.report import budget_report


@login_required
def budget_overview(request, slug):
    contract = scoped_contract(request, slug)
    report = budget_report(contract, year=request.GET.get("year"))
    return render(request, "financing/budget.html", _budget_context(request, contract, report))


def _budget_context(request, contract, report) -> dict:
    return {
        "contract": contract,
        "report": report,
        "execution_chart": execution_chart(report.per_year, envelope=contract.annual_envelope),
        "split_chart": split_chart(report.by_post),
        "can_change": can_change_budget(request.user, contract)[0],
        "can_record": can_record_execution(request.user, contract)[0],
    }


@login_required
def budget_report_pdf(request, slug):
    """The budget report for a year (`?year=2015`) or the whole period: the budget page's
    figures and charts, dated and signed by who generated it."""
    contract = scoped_contract(request, slug)
    report = budget_report(contract, year=request.GET.get("year"))
    if report.error:
        return render(
            request,
            "financing/budget.html",
            _budget_context(request, contract, report),
            status=400,
        )
    pdf = render_pdf(
        "financing/pdf/budget_report.html",
        {
            **_budget_context(request, contract, report),
            "is_draft": False,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
        },
    )
    period = str(report.year) if report.year else f"{contract.start_year}-{contract.end_year}"
    return pdf_response(pdf, f"{contract.slug}-rapport-budgetaire-{period}.pdf")
