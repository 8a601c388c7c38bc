"""What service level management's records show, who may write which field, and how their lists filter.

Agreements and everything hanging on them belong to the customer (or internal group) they are agreed with:
its users read them, provider staff of the service-level area write them. Dates the process keeps
(agreed on, next review due, held on) follow from the transitions and reviews, never from direct input:
the review check reads them as evidence.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import VIEW, Access, Resource

from .lifecycle import AGREEMENT_WORKFLOW, REVIEW_WORKFLOW
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget, TargetPerformance

# The terms of an agreement; the kind (SLA or internal agreement) is chosen when it is made.
AGREEMENT_TERMS = (
    "title",
    "customer",
    "service",
    "scope",
    "calendar",
    "valid_from",
    "valid_until",
    "customer_signatory",
    "service_level_manager",
    "review_interval_days",
    "workload",
    "pause_statuses",
    "exceptions",
)


class ServiceLevelAgreementResource(Resource):
    model = ServiceLevelAgreement
    area = "agreements"
    tenant = "customer"  # a customer reads the agreements made with its organization
    customer_actions = {VIEW}
    status = "status"
    workflow = AGREEMENT_WORKFLOW
    fields = (
        "reference",
        "kind",
        "title",
        "customer",
        "customer_display",
        "service",
        "service_display",
        "status",
        "scope",
        "calendar",
        "valid_from",
        "valid_until",
        "agreed_on",
        "customer_signatory",
        "service_level_manager",
        "review_interval_days",
        "next_review_due",
        "review_overdue",
        "workload",
        "pause_statuses",
        "exceptions",
        "targets",
        "missing_for_agreement",
    )
    computed = ("customer_display", "service_display", "review_overdue", "targets", "missing_for_agreement")
    staff = Access(create=("kind", *AGREEMENT_TERMS), update=AGREEMENT_TERMS)
    filters = ("status", "kind", "customer", "service", "calendar", "reference")
    list_filters = ("status", "kind", "customer", "service")
    search = ("title", "reference", "scope")
    orderings = ("reference", "title", "customer", "service", "status", "next_review_due", "valid_until")
    ordering = ("reference",)
    columns = ("reference", "title", "customer", "service", "status", "next_review_due")


TARGET_FIELDS = ("agreement", "metric", "priority", "name", "target_value", "unit", "description")


class ServiceTargetResource(Resource):
    model = ServiceTarget
    area = "agreements"
    tenant = "agreement__customer"
    customer_actions = {VIEW}
    fields = (
        "agreement",
        "metric",
        "priority",
        "name",
        "target_value",
        "unit",
        "higher_is_better",
        "description",
        "display_value",
    )
    computed = ("display_value",)
    # Whether higher is better follows from the measure (model.clean()).
    staff = Access(create=TARGET_FIELDS)
    filters = ("agreement", "metric", "priority")
    list_filters = ("metric", "priority")
    search = ("name", "description")
    orderings = ("metric", "priority")
    columns = ("agreement", "metric", "priority", "target_value")


class TargetPerformanceResource(Resource):
    """Written only by the performance job; read with the agreement."""

    model = TargetPerformance
    area = "agreements"
    tenant = "target__agreement__customer"
    customer_actions = {VIEW}
    staff_actions = {VIEW}
    fields = (
        "target",
        "target_display",
        "agreement",
        "period_start",
        "period_end",
        "measured_value",
        "samples",
        "met",
        "note",
    )
    computed = ("target_display", "agreement")
    filters = ("target", "met")
    extra_filters = {
        "target__agreement": django_filters.ModelChoiceFilter(
            field_name="target__agreement",
            queryset=ServiceLevelAgreement.objects.all(),
            label=_("agreement"),
        )
    }
    orderings = ("period_start",)
    columns = ("target", "period_start", "period_end", "measured_value", "met")


REVIEW_FIELDS = ("agreement", "scheduled_for", "attendees", "performance_discussed", "actions")


class ServiceReviewResource(Resource):
    model = ServiceReview
    area = "agreements"
    tenant = "agreement__customer"
    customer_actions = {VIEW}
    status = "status"
    workflow = REVIEW_WORKFLOW
    fields = (
        "reference",
        "agreement",
        "scheduled_for",
        "held_on",
        "status",
        "attendees",
        "performance_discussed",
        "actions",
    )
    # The meeting date is recorded by holding the review (which moves the agreement's next review).
    staff = Access(create=REVIEW_FIELDS)
    filters = ("agreement", "status")
    list_filters = ("status",)
    search = ("performance_discussed", "reference")
    orderings = ("scheduled_for", "reference", "agreement", "status", "held_on")
    ordering = ("-scheduled_for",)
    columns = ("reference", "agreement", "scheduled_for", "status", "held_on")
