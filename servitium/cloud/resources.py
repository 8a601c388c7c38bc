"""What the cloud records show, who may write which field, and how their lists filter.

Subscriptions and everything hanging on them belong to the customer holding the subscription: its users
read them, raise resource requests for their own subscriptions and complete (and annotate) the onboarding
tasks that are theirs to do; cloud managers and agents write the rest. Templates are the provider's own.
Dates and people the lifecycle stamps (accepted, live, notice, decided, fulfilled) are never input.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Resource

from .lifecycle import REQUEST_WORKFLOW, SUBSCRIPTION_WORKFLOW
from .models import (
    OnboardingTask,
    OnboardingTemplate,
    OnboardingTemplateTask,
    Party,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    UsageRecord,
)

SUBSCRIPTION_TERMS = ("options", "agreement", "tenant_identifier", "account_identifiers", "notes")


class SubscriptionResource(Resource):
    model = Subscription
    area = "cloud"
    tenant = "customer"  # a customer reads its own subscriptions
    customer_actions = {VIEW}
    status = "status"
    workflow = SUBSCRIPTION_WORKFLOW
    fields = (
        "reference",
        "customer",
        "offering",
        "options",
        "agreement",
        "tenant_identifier",
        "account_identifiers",
        "start",
        "end",
        "status",
        "onboarding_started_on",
        "accepted_at",
        "accepted_by",
        "live_on",
        "notice_given_on",
        "effective_end",
        "notes",
        "monthly_cost",
    )
    computed = ("monthly_cost",)
    staff = Access(create=("customer", "offering", "start", *SUBSCRIPTION_TERMS), update=SUBSCRIPTION_TERMS)
    filters = ("status", "customer", "offering", "agreement", "reference")
    list_filters = ("status", "customer", "offering")
    search = ("reference", "tenant_identifier", "notes", "customer__name", "offering__name")
    orderings = ("reference", "customer", "offering", "start", "status", "live_on")
    ordering = ("-start", "-id")
    columns = ("reference", "customer", "offering", "status", "start", "live_on")


QUOTA_TERMS = ("unit", "limit", "unit_price")


class SubscriptionQuotaResource(Resource):
    model = SubscriptionQuota
    area = "cloud"
    tenant = "subscription__customer"
    customer_actions = {VIEW}
    fields = ("subscription", "resource", "unit", "limit", "allocated", "unit_price", "monthly_cost")
    computed = ("monthly_cost",)
    # What has been allocated follows from fulfilled resource requests; only the first figure is given.
    staff = Access(create=("subscription", "resource", "allocated", *QUOTA_TERMS), update=QUOTA_TERMS)
    filters = ("subscription", "resource")
    list_filters = ("subscription",)
    search = ("resource", "unit", "subscription__reference")
    orderings = ("subscription", "resource", "limit", "allocated", "unit_price")
    ordering = ("subscription", "resource")
    columns = ("subscription", "resource", "limit", "allocated", "unit", "unit_price")


class OnboardingTemplateResource(Resource):
    model = OnboardingTemplate
    area = "cloud"
    fields = ("offering", "name", "description")
    staff = Access(create=fields, update=("name", "description"))
    filters = ("offering",)
    search = ("name", "description", "offering__name")
    orderings = ("name", "offering")
    ordering = ("name", "id")
    columns = ("name", "offering")


TEMPLATE_TASK_TERMS = ("title", "kind", "party", "owner_team", "owner", "due_offset_days", "order")


class OnboardingTemplateTaskResource(Resource):
    model = OnboardingTemplateTask
    area = "cloud"
    fields = ("template", *TEMPLATE_TASK_TERMS)
    staff = Access(create=fields, update=TEMPLATE_TASK_TERMS)
    filters = ("template", "kind", "party", "owner_team", "owner")
    list_filters = ("template", "kind", "party")
    search = ("title", "template__name")
    orderings = ("template", "order", "title", "due_offset_days")
    ordering = ("template", "order", "id")
    columns = ("template", "title", "kind", "party", "due_offset_days")


TASK_TERMS = ("title", "owner", "team", "due_on", "note", "order")


class OnboardingTaskResource(Resource):
    model = OnboardingTask
    area = "cloud"
    tenant = "subscription__customer"
    # Customers read their subscriptions' tasks and change (complete, annotate) those that are theirs.
    customer_actions = {VIEW, CHANGE}
    fields = (
        "subscription",
        "title",
        "kind",
        "party",
        "owner",
        "team",
        "due_on",
        "done_at",
        "done_by",
        "note",
        "order",
    )
    staff = Access(create=("subscription", "kind", "party", *TASK_TERMS), update=TASK_TERMS)
    customer = Access(create=(), update=("note",))
    filters = ("subscription", "kind", "party", "owner", "team", "due_on")
    extra_filters = {
        "open": django_filters.BooleanFilter(
            field_name="done_at", lookup_expr="isnull", label=_("open"), help_text=_("true: not done yet")
        ),
    }
    list_filters = ("kind", "party", "owner")
    search = ("title", "note", "subscription__reference")
    orderings = ("subscription", "order", "due_on", "done_at", "title")
    ordering = ("subscription", "order", "id")
    columns = ("subscription", "title", "kind", "party", "owner", "due_on", "done_at")

    @classmethod
    def customer_scope(cls, queryset, organization_id: int, action: str):
        mine = queryset.filter(subscription__customer=organization_id)
        if action == VIEW:
            return mine
        if action == CHANGE:
            return mine.filter(party=Party.CUSTOMER)
        return queryset.none()


REQUEST_INPUT = ("subscription", "resource", "unit", "change", "justification")


class ResourceRequestResource(Resource):
    model = ResourceRequest
    area = "cloud"
    tenant = "subscription__customer"
    customer_actions = {VIEW, ADD}  # customers raise requests for their own subscriptions
    status = "status"
    workflow = REQUEST_WORKFLOW
    fields = (
        "reference",
        *REQUEST_INPUT,
        "status",
        "within_quota",
        "requested_by",
        "decided_by",
        "decided_at",
        "decision_reason",
        "allocated_quantity",
        "allocation_note",
        "unit_cost",
        "total_cost",
        "fulfilled_at",
        "fulfilled_by",
    )
    staff = Access(create=REQUEST_INPUT, update=("justification",))
    customer = Access(create=REQUEST_INPUT, update=())
    filters = ("status", "subscription", "resource", "within_quota", "reference")
    list_filters = ("status", "within_quota")
    search = ("reference", "resource", "justification", "subscription__reference")
    orderings = ("reference", "created", "status", "resource", "fulfilled_at")
    ordering = ("-created", "-id")
    columns = ("reference", "subscription", "resource", "change", "status", "within_quota", "total_cost")


USAGE_INPUT = ("subscription", "resource", "period_start", "period_end", "quantity", "source", "note")


class UsageRecordResource(Resource):
    model = UsageRecord
    area = "cloud"
    tenant = "subscription__customer"
    customer_actions = {VIEW}
    fields = USAGE_INPUT
    staff = Access(create=USAGE_INPUT, update=("quantity", "source", "note"))
    filters = ("subscription", "resource", "period_start")
    extra_filters = {
        "period_from": django_filters.DateFilter(
            field_name="period_start", lookup_expr="gte", label=_("period from"), help_text=_("YYYY-MM-DD")
        ),
    }
    list_filters = ("subscription",)
    search = ("resource", "source", "note", "subscription__reference")
    orderings = ("period_start", "subscription", "resource", "quantity")
    ordering = ("-period_start", "subscription", "resource")
    columns = ("subscription", "resource", "period_start", "period_end", "quantity", "source")
