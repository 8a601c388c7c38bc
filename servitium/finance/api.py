"""REST resources of budgeting and accounting: `budgets` (transitions approve, revise), `cost-items` (with
`apportionment/`), `apportionment-rules`, `charge-rules`, `charging-statements` (transitions approve,
revise, issue) and the read-only `budget-vs-actual/`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordViewSet
from servitium.core.api.fields import query_int

from . import selectors, services
from .models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem, currency

MONEY = {"max_digits": 14, "decimal_places": 2}


def money(value):
    """A sum of money as the API writes it: a string with two decimal places (None stays None)."""
    return None if value is None else f"{value:.2f}"


class BudgetViewSet(RecordViewSet):
    """Budgets per service and period (a year, or a month), with lines per cost category. Transitions:
    approve (someone other than the author), revise."""

    queryset = Budget.objects.select_related("service", "author", "approved_by")
    create_service = staticmethod(services.budget_create)
    update_service = staticmethod(services.budget_update)
    transition_service = staticmethod(services.budget_transition)


class ApportionmentRuleViewSet(RecordViewSet):
    """Rules that share indirect costs among services: fixed shares (totalling 100 %), or by number of
    customers, configuration items or tickets in the month of the cost."""

    queryset = ApportionmentRule.objects.prefetch_related("services")
    create_service = staticmethod(services.rule_create)
    update_service = staticmethod(services.rule_update)


APPORTIONMENT = inline_serializer(
    "CostApportionment",
    {
        "cost_item": serializers.IntegerField(),
        "amount": serializers.DecimalField(**MONEY),
        "currency": serializers.CharField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "services": inline_serializer(
            "CostApportionmentService",
            {
                "service": serializers.IntegerField(),
                "weight": serializers.CharField(),
                "amount": serializers.DecimalField(**MONEY),
                "customers": inline_serializer(
                    "CostApportionmentCustomer",
                    {
                        "customer": serializers.IntegerField(allow_null=True),
                        "amount": serializers.DecimalField(**MONEY),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


class CostItemViewSet(RecordViewSet):
    """Money spent: direct on a service, or indirect and shared by an apportionment rule; optionally on a
    supplier's contract, a change or a service request. `apportionment/` shows how it is shared."""

    queryset = CostItem.objects.select_related("service", "rule", "supplier", "contract", "change", "request")
    create_service = staticmethod(services.cost_create)
    update_service = staticmethod(services.cost_update)

    @extend_schema(responses=APPORTIONMENT)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def apportionment(self, request: Request, pk=None) -> Response:
        """The cost's amount per service (by its rule, over the month it was spent) and per customer of
        each service; the parts add up to the amount exactly."""
        item = self.get_object()
        period = selectors.period_of(item)
        found = selectors.apportion(item, period)
        rows = [
            {
                "service": service_id,
                "weight": str(found.weights.get(service_id, "")),
                "amount": money(value),
                "customers": [
                    {"customer": c, "amount": money(v)} for c, v in found.customers[service_id].items()
                ],
            }
            for service_id, value in found.services.items()
        ]
        return Response(
            {
                "cost_item": item.pk,
                "amount": money(found.amount),
                "currency": currency(),
                "period_start": period.start,
                "period_end": period.end,
                "services": rows,
            }
        )


class ChargeRuleViewSet(RecordViewSet):
    """What a customer receiving a service is charged per month (optionally for an offering)."""

    queryset = ChargeRule.objects.select_related("service", "offering")


class ChargingStatementViewSet(RecordViewSet):
    """Charging statements per customer and period, their lines from the charge rules. Transitions:
    approve (someone other than the author), revise, issue. Customers see their own issued statements."""

    queryset = ChargingStatement.objects.select_related("customer", "author", "approved_by")
    create_service = staticmethod(services.statement_create)
    update_service = staticmethod(services.statement_update)
    transition_service = staticmethod(services.statement_transition)


VARIANCE = inline_serializer(
    "BudgetVariance",
    {
        "service": serializers.IntegerField(),
        "service_name": serializers.CharField(),
        "budget": serializers.DecimalField(**MONEY, allow_null=True),
        "direct": serializers.DecimalField(**MONEY),
        "indirect": serializers.DecimalField(**MONEY),
        "actual": serializers.DecimalField(**MONEY),
        "variance": serializers.DecimalField(**MONEY, allow_null=True),
        "overspent": serializers.BooleanField(),
        "used_percent": serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True),
    },
    many=True,
)


class BudgetVsActualViewSet(viewsets.ViewSet):
    """Approved budget against actual cost (direct plus apportioned indirect) per service, for a year or
    one month of it; a service over its budget is flagged overspent."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="The year (default: this year)."),
            OpenApiParameter("month", int, description="One month of it (1-12); absent: the whole year."),
            OpenApiParameter("service", int, description="Only this service."),
        ],
        responses=inline_serializer(
            "BudgetVsActual",
            {
                "period_start": serializers.DateField(),
                "period_end": serializers.DateField(),
                "currency": serializers.CharField(),
                "services": VARIANCE,
            },
        ),
    )
    def list(self, request: Request) -> Response:
        if not permissions.has_permission(request.user, permissions.VIEW, Budget):
            raise PermissionDenied("Budgets and costs are for the provider's finance roles and auditors.")
        from django.utils import timezone

        year = query_int(request, "year", timezone.localdate().year, 2000, 2100)
        month = query_int(request, "month", 0, 1, 12) if request.query_params.get("month") else 0
        service = query_int(request, "service", 0, 1, 2**62) if request.query_params.get("service") else 0
        period = selectors.Period.month(year, month) if month else selectors.Period.year(year)
        rows = selectors.budget_vs_actual(period, request.user, service_ids=[service] if service else None)
        return Response(
            {
                "period_start": period.start,
                "period_end": period.end,
                "currency": currency(),
                "services": [
                    {
                        "service": r.service_id,
                        "service_name": r.service,
                        "budget": money(r.budget),
                        "direct": money(r.direct),
                        "indirect": money(r.indirect),
                        "actual": money(r.actual),
                        "variance": money(r.variance),
                        "overspent": r.overspent,
                        "used_percent": None if r.used_percent is None else str(r.used_percent),
                    }
                    for r in rows
                ],
            }
        )


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("budgets", BudgetViewSet, basename="budget")
    router.register("cost-items", CostItemViewSet, basename="costitem")
    router.register("apportionment-rules", ApportionmentRuleViewSet, basename="apportionmentrule")
    router.register("charge-rules", ChargeRuleViewSet, basename="chargerule")
    router.register("charging-statements", ChargingStatementViewSet, basename="chargingstatement")
    router.register("budget-vs-actual", BudgetVsActualViewSet, basename="budget-vs-actual")
