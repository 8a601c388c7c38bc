"""What the records of budgeting and accounting show, who may write which field, and how their lists filter.

Budgets, cost items, apportionment rules and charge rules are the provider's own records (area `finance`:
finance managers and agents write them, auditors read them, customers see none). A charging statement is
also read by the customer it is for, once it is issued, and by nobody else outside the provider.
"""

from __future__ import annotations

from servitium.core.declaration import VIEW, Access, Resource

from .lifecycle import BUDGET_WORKFLOW, STATEMENT_WORKFLOW
from .models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem


class BudgetResource(Resource):
    model = Budget
    area = "finance"
    status = "status"
    workflow = BUDGET_WORKFLOW
    fields = (
        "reference",
        "service",
        "year",
        "month",
        "lines",
        "total",
        "notes",
        "status",
        "author",
        "approved_by",
        "approved_on",
    )
    staff = Access(create=("service", "year", "month", "lines", "notes"), update=("lines", "notes"))
    filters = ("service", "year", "month", "status", "reference")
    list_filters = ("service", "year", "status")
    search = ("reference", "notes", "service__name")
    orderings = ("year", "month", "service", "total", "status", "reference")
    ordering = ("-year", "service", "month")
    columns = ("reference", "service", "year", "month", "total", "status")


class ApportionmentRuleResource(Resource):
    model = ApportionmentRule
    area = "finance"
    fields = ("name", "description", "kind", "services", "shares")
    staff = Access(create=fields)
    filters = ("kind", "services")
    list_filters = ("kind",)
    search = ("name", "description")
    orderings = ("name", "kind")
    ordering = ("name",)
    columns = ("name", "kind", "description")


COST_WRITES = (
    "date",
    "description",
    "amount",
    "category",
    "expense",
    "allocation",
    "service",
    "rule",
    "supplier",
    "contract",
    "change",
    "request",
)


class CostItemResource(Resource):
    model = CostItem
    area = "finance"
    fields = ("reference", *COST_WRITES)
    staff = Access(create=COST_WRITES)
    filters = {
        "date": ["exact", "gte", "lt"],
        "category": ["exact"],
        "expense": ["exact"],
        "allocation": ["exact"],
        "service": ["exact"],
        "rule": ["exact"],
        "supplier": ["exact"],
        "contract": ["exact"],
        "change": ["exact"],
        "request": ["exact"],
        "reference": ["exact"],
    }
    list_filters = ("category", "allocation", "service", "expense")
    search = ("reference", "description")
    orderings = ("date", "amount", "category", "service", "reference")
    ordering = ("-date", "-id")
    columns = ("reference", "date", "description", "amount", "category", "allocation", "service")


class ChargeRuleResource(Resource):
    model = ChargeRule
    area = "finance"
    fields = ("service", "offering", "description", "monthly_price", "active")
    staff = Access(create=fields)
    filters = ("service", "offering", "active")
    list_filters = ("service", "active")
    search = ("description",)
    orderings = ("service", "description", "monthly_price")
    ordering = ("service", "description")
    columns = ("service", "offering", "description", "monthly_price", "active")


class ChargingStatementResource(Resource):
    model = ChargingStatement
    area = "finance"
    tenant = "customer"
    customer_actions = {VIEW}
    status = "status"
    workflow = STATEMENT_WORKFLOW
    fields = (
        "reference",
        "customer",
        "period_start",
        "period_end",
        "lines",
        "total",
        "currency",
        "notes",
        "status",
        "author",
        "approved_by",
        "issued_on",
    )
    staff = Access(create=("customer", "period_start", "period_end", "notes"), update=("notes",))
    filters = {
        "customer": ["exact"],
        "period_start": ["exact", "gte", "lt"],
        "status": ["exact"],
        "reference": ["exact"],
    }
    list_filters = ("customer", "status")
    search = ("reference", "notes")
    orderings = ("period_start", "customer", "total", "status", "reference")
    ordering = ("-period_start", "customer")
    columns = ("reference", "customer", "period_start", "period_end", "total", "status")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """A customer sees its own statements once they are issued (drafts are the provider's work)."""
        return queryset.filter(customer=organization_id, status=ChargingStatement.Status.ISSUED)
