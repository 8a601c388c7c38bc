"""What supplier management's records show, who may write which field, and how their lists filter.

Supplier data is the provider's own: contracts, targets, performance, reviews, disputes and the processes
other parties operate are read and written by provider staff of the supplier area; customers see none
of it. Dates the process keeps (next contract review, resolved on) follow from the transitions and the
reviews, never from direct input: the review check reads them as evidence.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Indexed, Resource

from .lifecycle import CONTRACT_WORKFLOW, DISPUTE_WORKFLOW, SUPPLIER_WORKFLOW
from .models import (
    CONTENT_ITEMS,
    ContractReview,
    Dispute,
    GovernedProcess,
    Supplier,
    SupplierContract,
    SupplierPerformance,
    SupplierTarget,
)

SUPPLIER_DATA = (
    "manager",
    "lead_supplier",
    "category",
    "criticality",
    "notes",
    "selection_criteria",
    "evaluation",
    "evaluated_on",
)


class SupplierResource(Resource):
    model = Supplier
    area = "suppliers"
    status = "status"
    workflow = SUPPLIER_WORKFLOW
    fields = (
        "organization",
        "name",
        "manager",
        "lead_supplier",
        "category",
        "criticality",
        "status",
        "notes",
        "selection_criteria",
        "evaluation",
        "evaluated_on",
    )
    computed = ("name",)
    # The organization is the supplier the record is about: its contracts and disputes hang on it.
    staff = Access(create=("organization", *SUPPLIER_DATA), update=SUPPLIER_DATA)
    filters = ("manager", "lead_supplier", "criticality", "status")
    list_filters = ("criticality", "status")
    search = ("organization__name", "category")
    orderings = ("organization__name", "organization", "manager", "lead_supplier", "criticality", "status")
    ordering = ("organization__name",)
    columns = ("organization", "manager", "lead_supplier", "criticality", "status")
    indexed = Indexed(title="organization__name", body=("category", "notes"))


CONTRACT_TERMS = (
    "supplier",
    "title",
    "services",
    "start_date",
    "end_date",
    "review_interval_days",
    *CONTENT_ITEMS,
)


class SupplierContractResource(Resource):
    model = SupplierContract
    area = "suppliers"
    status = "status"
    workflow = CONTRACT_WORKFLOW
    fields = (
        "reference",
        "supplier",
        "title",
        "services",
        "status",
        "start_date",
        "end_date",
        "review_interval_days",
        "next_review_due",
        "review_overdue",
        *CONTENT_ITEMS,
        "missing_items",
    )
    computed = ("review_overdue", "missing_items")
    # The next review is scheduled by activation and by each contract review.
    staff = Access(create=CONTRACT_TERMS)
    filters = ("supplier", "status", "services")
    list_filters = ("status", "supplier")
    search = ("title", "reference", "scope")
    orderings = ("reference", "title", "supplier", "status", "next_review_due")
    ordering = ("reference",)
    columns = ("reference", "title", "supplier", "status", "next_review_due")
    indexed = Indexed(title="title", body=("scope",))


TARGET_FIELDS = (
    "contract",
    "service",
    "metric",
    "priority",
    "name",
    "target_value",
    "unit",
    "higher_is_better",
)


class SupplierTargetResource(Resource):
    model = SupplierTarget
    area = "suppliers"
    fields = (*TARGET_FIELDS, "misalignments")
    computed = ("misalignments",)
    # For the standard measures, whether higher is better follows from the measure (model.clean()).
    staff = Access(create=TARGET_FIELDS)
    filters = ("contract", "service", "metric", "priority")
    orderings = ("metric", "priority")
    columns = ("contract", "service", "metric", "priority")


class SupplierPerformanceResource(Resource):
    model = SupplierPerformance
    area = "suppliers"
    fields = ("target", "period_start", "period_end", "measured_value", "met", "source", "reviewed_by")
    # Whether the target was met follows from the target (model.clean()).
    staff = Access(create=("target", "period_start", "period_end", "measured_value", "source", "reviewed_by"))
    filters = ("target", "met")
    extra_filters = {
        "target__contract": django_filters.ModelChoiceFilter(
            field_name="target__contract", queryset=SupplierContract.objects.all(), label=_("contract")
        )
    }
    orderings = ("period_start",)
    columns = ("target", "period_start", "period_end", "measured_value", "met")


class ContractReviewResource(Resource):
    model = ContractReview
    area = "suppliers"
    fields = ("contract", "held_on", "reviewer", "findings", "changes_agreed", "changes_impact")
    staff = Access(create=fields)
    filters = ("contract", "reviewer")
    search = ("findings", "changes_agreed", "changes_impact")
    orderings = ("held_on",)
    columns = ("contract", "held_on", "reviewer", "findings")


class DisputeResource(Resource):
    model = Dispute
    area = "suppliers"
    status = "status"
    workflow = DISPUTE_WORKFLOW
    fields = (
        "reference",
        "contract",
        "raised_on",
        "raised_by",
        "description",
        "status",
        "resolution",
        "resolved_on",
    )
    # The date it was resolved is recorded by resolving it.
    staff = Access(create=("contract", "raised_on", "raised_by", "description", "resolution"))
    filters = ("contract", "status")
    list_filters = ("status",)
    search = ("description", "reference")
    orderings = ("raised_on", "reference", "contract", "status")
    ordering = ("-raised_on",)
    columns = ("reference", "contract", "raised_on", "status")


class GovernedProcessResource(Resource):
    model = GovernedProcess
    area = "suppliers"
    fields = (
        "process",
        "part_operated",
        "operated_by",
        "governance",
        "accountable",
        "evidence",
        "performance_measures",
        "last_assessed_on",
        "improvement_control",
    )
    staff = Access(create=fields)
    filters = ("process", "operated_by", "accountable")
    list_filters = ("process",)
    search = ("part_operated", "governance")
    orderings = ("process", "part_operated", "operated_by", "accountable")
    columns = ("process", "part_operated", "operated_by", "accountable", "last_assessed_on")
