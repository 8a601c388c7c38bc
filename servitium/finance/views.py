"""UI of budgeting and accounting: budgets, cost items, apportionment rules, charge rules and charging
statements (generic list/detail/form pages from resources.py, with their transitions), the apportionment of
one cost item, and the budget-against-actual page with its chart."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core import charts, permissions
from servitium.core import views as generic
from servitium.parties.models import Organization

from . import selectors, services
from .models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem, currency

TABBED = "finance/record_list.html"


def _views(model, related=(), *, transition_service=None, detail_template=None):
    def base_queryset(self):
        return model.objects.select_related(*related)

    attrs = {"model": model, "base_queryset": base_queryset}
    detail = dict(attrs)
    if transition_service is not None:
        detail["transition_service"] = staticmethod(transition_service)
    if detail_template:
        detail["template_name"] = detail_template
    return (
        type(f"{model.__name__}List", (generic.RecordListView,), {**attrs, "template_name": TABBED}),
        type(f"{model.__name__}Detail", (generic.RecordDetailView,), detail),
        type(f"{model.__name__}Form", (generic.RecordFormView,), {"model": model}),
    )


BudgetList, BudgetDetail, BudgetForm = _views(
    Budget, ("service", "author", "approved_by"), transition_service=services.budget_transition
)
RuleList, RuleDetail, RuleForm = _views(ApportionmentRule)
ChargeRuleList, ChargeRuleDetail, ChargeRuleForm = _views(ChargeRule, ("service", "offering"))
StatementList, StatementDetail, StatementForm = _views(
    ChargingStatement,
    ("customer", "author", "approved_by"),
    transition_service=services.statement_transition,
    detail_template="finance/statement_detail.html",
)
CostList, _CostDetail, CostForm = _views(
    CostItem, ("service", "rule", "supplier", "contract", "change", "request")
)


class CostDetail(_CostDetail):
    """The cost item with how it is shared among services and customers."""

    template_name = "finance/costitem_detail.html"

    def context(self, obj):
        context = super().context(obj)
        found = selectors.apportion(obj)
        visible = permissions.restrict(Service.objects.filter(pk__in=list(found.services)), self.request.user)
        names = dict(visible.values_list("pk", "name"))
        customers = {c for parts in found.customers.values() for c in parts if c is not None}
        nobody = _("(no customer: stays with the provider)")
        orgs = dict(Organization.objects.filter(pk__in=customers).values_list("pk", "name"))
        context["apportionment"] = [
            {
                "service": names.get(service_id, f"#{service_id}"),
                "weight": found.weights.get(service_id, ""),
                "amount": value,
                "customers": [
                    (orgs.get(c, nobody) if c else nobody, v) for c, v in found.customers[service_id].items()
                ],
            }
            for service_id, value in found.services.items()
        ]
        context["period"] = selectors.period_of(obj)
        context["currency"] = currency()
        return context


def _int(value: str | None, low: int, high: int, default: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return number if low <= number <= high else default


class BudgetVsActual(generic.LoginRequiredMixin, generic.View):
    """Approved budget against actual cost per service for a year or a month, as a table and bars."""

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, Budget):
            raise PermissionDenied(_("Budgets and costs are for the provider's finance roles and auditors."))
        today = timezone.localdate()
        year = _int(request.GET.get("year"), 2000, 2100, today.year)
        month = _int(request.GET.get("month"), 0, 12, 0)
        period = selectors.Period.month(year, month) if month else selectors.Period.year(year)
        rows = selectors.budget_vs_actual(period, request.user)
        top = max([float(r.actual) for r in rows] + [float(r.budget or 0) for r in rows] + [1.0])
        bars = []
        for r in rows:
            bars.append(
                charts.Bar(
                    f"{r.service} — {_('budget')}",
                    float(r.budget) if r.budget is not None else None,
                    f"{r.budget or '—'}",
                    charts.GREY,
                )
            )
            colour = charts.BAD if r.overspent else charts.GOOD
            bars.append(charts.Bar(f"{r.service} — {_('actual')}", float(r.actual), f"{r.actual}", colour))
        chart = charts.bars(bars, maximum=top, title=_("Budget against actual, %(p)s") % {"p": period})
        context = {
            "rows": rows,
            "chart": chart,
            "period": period,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "currency": currency(),
            "linked": selectors.linked_costs(period, request.user),
            "tab": "overview",
        }
        return render(request, "finance/budget_vs_actual.html", context)
