"""The budget page of a contract. Thin: scope through the contract queryset, figures from
financing.report, permissions from financing.charts import execution_chart, split_chart
from financing.permissions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from cej.models import Contract
from financing.charts import execution_chart, split_chart
from financing.permissions import can_change_budget, can_record_execution
from financing.report import budget_report


@login_required
def budget_overview(request, slug):
    contract = get_object_or_404(
        Contract.objects.for_user(request.user).with_territory(), slug=slug
    )
    report = budget_report(contract, year=request.GET.get("year"))
    return render(
        request,
        "financing/budget.html",
        {
            "contract": contract,
            "report": report,
            "execution_chart": execution_chart(report.per_year, envelope=contract.annual_envelope),
            "split_chart": split_chart(report.by_post),
            "can_change": can_change_budget(request.user, contract)[0],
            "can_record": can_record_execution(request.user, contract)[0],
        },
    )
