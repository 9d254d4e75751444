"""Budget lines and their financing plan, payments; the execution a partner pushes (actual
figures, payments received, an indicator's actual value)."""

from django.urls import path

from api import (
    views_financing,
    views_financing_cycle,
    views_financing_indicators,
    views_financing_writes,
)

urlpatterns = [
    path("budget-lines/", views_financing.BudgetLineList.as_view(), name="budget_line_list"),
    path(
        "budget-lines/<int:pk>/",
        views_financing.BudgetLineDetail.as_view(),
        name="budget_line_detail",
    ),
    path(
        "budget-lines/<int:pk>/versions/",
        views_financing.BudgetLineVersions.as_view(),
        name="budget_line_versions",
    ),
    path(
        "budget-lines/<int:pk>/actual/",
        views_financing_writes.BudgetLineActual.as_view(),
        name="budget_line_actual",
    ),
    path("financing-plan/", views_financing.FinancingPlan.as_view(), name="financing_plan"),
    path("payments/", views_financing_cycle.FunderPayments.as_view(), name="funder_payments"),
    path(
        "fiches/<int:number>/indicators/<int:indicator>/actual/",
        views_financing_indicators.IndicatorActual.as_view(),
        name="indicator_actual",
    ),
]
