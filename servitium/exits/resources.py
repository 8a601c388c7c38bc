"""What exit plans, their inventory items, data exports, handover and disposal records show, who may write
which field, and how their lists filter. Exit managers and agents write them; customer users read their own
organization's (tenant `customer`), acknowledge (agree) a draft exit plan, download their own exports and
acknowledge receipt (the `acknowledge` action). Statuses change only through transitions; stamps (agreed,
done, acknowledged, disposed by) are the services'."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import ADD, CHANGE, DELETE, VIEW, Access, Resource

from .lifecycle import ACKNOWLEDGE, EXPORT_WORKFLOW, PLAN_WORKFLOW
from .models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord

PLAN_WRITES = (
    "customer",
    "kind",
    "receiving_party",
    "agreements",
    "services",
    "subscriptions",
    "notice_received_on",
    "effective_end",
    "exit_terms",
    "dispose_not_before",
    "owner",
    "customer_contact",
)


class ExitPlanResource(Resource):
    model = ExitPlan
    area = "exits"
    tenant = "customer"
    customer_actions = {VIEW, ACKNOWLEDGE}  # its users agree a draft plan themselves (the portal)
    staff_actions = {VIEW, ADD, CHANGE, DELETE}  # staff record an agreement (`agree`); never acknowledge
    status = "status"
    workflow = PLAN_WORKFLOW
    fields = ("reference", *PLAN_WRITES, "status", "agreed_on", "agreed_by", "closed_at")
    staff = Access(create=PLAN_WRITES, update=PLAN_WRITES[1:])
    filters = ("customer", "kind", "status", "owner", "reference")
    extra_filters = {
        "ends_before": django_filters.DateFilter(
            field_name="effective_end", lookup_expr="lt", label=_("ends before"), help_text=_("YYYY-MM-DD")
        ),
    }
    list_filters = ("customer", "kind", "status")
    search = ("reference", "receiving_party", "exit_terms", "customer__name")
    orderings = ("reference", "customer", "kind", "status", "effective_end", "dispose_not_before")
    ordering = ("-created", "-id")
    columns = ("reference", "customer", "kind", "status", "effective_end", "dispose_not_before")


ITEM_WRITES = ("plan", "kind", "description", "ci", "document", "agreement", "action", "due_on", "note")


class ExitItemResource(Resource):
    model = ExitItem
    area = "exits"
    tenant = "plan__customer"
    customer_actions = {VIEW}
    fields = (*ITEM_WRITES, "done_at", "done_by")
    staff = Access(create=ITEM_WRITES, update=ITEM_WRITES[1:])
    filters = ("plan", "kind", "action", "ci", "document", "agreement")
    extra_filters = {
        "due_before": django_filters.DateFilter(
            field_name="due_on", lookup_expr="lt", label=_("due before"), help_text=_("YYYY-MM-DD")
        ),
        "done": django_filters.BooleanFilter(
            field_name="done_at", lookup_expr="isnull", exclude=True, label=_("done")
        ),
    }
    list_filters = ("kind", "action")
    search = ("description", "note", "plan__reference")
    orderings = ("plan", "kind", "action", "due_on", "done_at")
    ordering = ("plan", "due_on", "id")
    columns = ("plan", "kind", "description", "action", "due_on", "done_at")


class DataExportResource(Resource):
    model = DataExport
    area = "exits"
    tenant = "customer"
    customer_actions = {VIEW, ACKNOWLEDGE}
    status = "status"
    workflow = EXPORT_WORKFLOW
    fields = (
        "reference",
        "customer",
        "plan",
        "status",
        "requested_by",
        "failure_reason",
        "size",
        "sha256",
        "counts",
        "started_at",
        "finished_at",
        "handed_over_at",
        "acknowledged_at",
        "acknowledged_by",
        "download",
    )
    computed = ("download",)
    detail_hidden = ("counts",)  # the page shows them as a table
    staff = Access(create=("customer", "plan"), update=("plan",))
    filters = ("customer", "plan", "status", "reference")
    list_filters = ("customer", "status")
    search = ("reference", "customer__name", "sha256")
    orderings = ("reference", "customer", "status", "finished_at", "size")
    ordering = ("-created", "-id")
    columns = ("reference", "customer", "plan", "status", "size", "finished_at", "acknowledged_at")


HANDOVER_WRITES = (
    "plan",
    "export",
    "exit_items",
    "receiving_party",
    "recipient",
    "handed_over_at",
    "channel",
    "acknowledged_on",
    "acknowledgement",
    "note",
)


class HandoverRecordResource(Resource):
    model = HandoverRecord
    area = "exits"
    tenant = "plan__customer"
    customer_actions = {VIEW}
    fields = HANDOVER_WRITES
    staff = Access(create=HANDOVER_WRITES, update=HANDOVER_WRITES[3:])
    filters = ("plan", "channel", "recipient")
    # `?export=csv` is the lists' CSV download: the export a handover carried is filtered as `data_export`.
    extra_filters = {
        "data_export": django_filters.NumberFilter(field_name="export", label=_("data export (id)")),
    }
    list_filters = ("channel",)
    search = ("receiving_party", "acknowledgement", "note", "plan__reference")
    orderings = ("handed_over_at", "plan", "channel", "acknowledged_on", "receiving_party")
    ordering = ("-handed_over_at", "-id")
    columns = ("plan", "receiving_party", "handed_over_at", "channel", "acknowledged_on")


DISPOSAL_WRITES = ("plan", "exit_items", "scope", "includes_backups", "method", "disposed_at", "evidence")


class DisposalRecordResource(Resource):
    model = DisposalRecord
    area = "exits"
    tenant = "plan__customer"
    customer_actions = {VIEW}
    fields = (*DISPOSAL_WRITES, "disposed_by")
    staff = Access(create=DISPOSAL_WRITES, update=("evidence",))
    filters = ("plan", "method", "includes_backups")
    list_filters = ("method", "includes_backups")
    search = ("scope", "evidence", "plan__reference")
    orderings = ("disposed_at", "plan", "method")
    ordering = ("-disposed_at", "-id")
    columns = ("plan", "method", "disposed_at", "includes_backups", "evidence")
