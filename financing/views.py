"""The budget page of a contract and its PDF report. Thin: scope through the contract
queryset, figures from financing.selectors, charts from financing.charts, permissions from
financing.permissions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from cej.page_cache import cached_fragment
from cej.pdf import pdf_response, render_pdf
from cej.view_helpers import scoped_contract
from financing.charts import execution_chart, split_chart
from financing.figures import scope_label
from financing.permissions import can_change_budget, can_record_execution
from financing.selectors import budget_report, parse_year


@login_required
def budget_overview(request, slug):
    contract = scoped_contract(request, slug)
    raw_year = request.GET.get("year")
    year, _error = parse_year(contract, raw_year)
    # The funders' positions are as of today (what is due, what is late): a day's page is
    # not the next day's.
    today = timezone.localdate()
    body = cached_fragment(
        request,
        contract,
        "financing/_budget_body.html",
        lambda: _figures_context(contract, budget_report(contract, year=raw_year, today=today)),
        viewer={
            "year_param": None if raw_year is None else raw_year[:40],
            "today": today.isoformat(),
            **_permissions(request, contract),
        },
    )
    return render(
        request,
        "financing/budget.html",
        {"contract": contract, "scope_label": scope_label(contract, year), "body": body},
    )


# The split chart at about the natural size of the budget page's card (between 934 and 1062
# px wide at 1024 and 1280 px) and of the report's A4 page: its text keeps its size in both.
SPLIT_WIDTH_PAGE, SPLIT_WIDTH_PDF = 940, 680


def _budget_context(request, contract, report, **figures) -> dict:
    return {**_figures_context(contract, report, **figures), **_permissions(request, contract)}


def _figures_context(contract, report, *, split_width: int = SPLIT_WIDTH_PAGE) -> dict:
    """The report and its charts, as the page and the PDF show them."""
    return {
        "contract": contract,
        "report": report,
        "execution_chart": execution_chart(report.per_year, envelope=contract.annual_envelope),
        "split_chart": split_chart(report.by_post, width=split_width),
    }


def _permissions(request, contract) -> dict:
    return {
        "can_change": can_change_budget(request.user, contract)[0],
        "can_record": can_record_execution(request.user, contract)[0],
    }


@login_required
def budget_report_pdf(request, slug):
    """The budget report for a year (`?year=2015`) or the whole period: the budget page's
    figures and charts, dated and signed by who generated it."""
    contract = scoped_contract(request, slug)
    report = budget_report(contract, year=request.GET.get("year"), today=timezone.localdate())
    if report.error:
        body = render_to_string(
            "financing/_budget_body.html", _budget_context(request, contract, report), request
        )
        context = {"contract": contract, "scope_label": report.scope_label, "body": body}
        return render(request, "financing/budget.html", context, status=400)
    pdf = render_pdf(
        "financing/pdf/budget_report.html",
        {
            **_budget_context(request, contract, report, split_width=SPLIT_WIDTH_PDF),
            "is_draft": False,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
        },
    )
    period = str(report.year) if report.year else f"{contract.start_year}-{contract.end_year}"
    return pdf_response(pdf, f"{contract.slug}-rapport-budgetaire-{period}.pdf")
