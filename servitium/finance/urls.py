from django.urls import path

from . import views

app_name = "finance"


def crud(prefix: str, name: str, list_view, form_view, detail_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("", views.BudgetVsActual.as_view(), name="overview"),
    *crud("budgets", "budget", views.BudgetList, views.BudgetForm, views.BudgetDetail),
    *crud("costs", "costitem", views.CostList, views.CostForm, views.CostDetail),
    *crud("rules", "apportionmentrule", views.RuleList, views.RuleForm, views.RuleDetail),
    *crud("charges", "chargerule", views.ChargeRuleList, views.ChargeRuleForm, views.ChargeRuleDetail),
    *crud("statements", "chargingstatement", views.StatementList, views.StatementForm, views.StatementDetail),
]
