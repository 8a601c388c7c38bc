"""What internal-audit records show, who writes which field, and how their lists filter.

The audit area has its own roles (audit-manager: the programme owner; audit-agent: an internal auditor);
the SMS roles read it. Audits, checklists and findings are evidence: never deleted; the checklist is drawn
up by the system and auditors write only its verdicts and notes; a finding's improvement entry is opened by
the system."""

from __future__ import annotations

from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Resource

from .lifecycle import AUDIT_WORKFLOW
from .models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem

AREA = "audits"
READERS = ("sms",)


class AuditProgrammeResource(Resource):
    model = AuditProgramme
    area = AREA
    readable_by = READERS
    fields = ("year", "owner", "approach", "methods", "items")
    computed = ("items",)
    staff = Access(create=("year", "owner", "approach", "methods"), update=("owner", "approach", "methods"))
    filters = ("year", "owner")
    search = ("approach",)
    orderings = ("year",)
    ordering = ("-year",)
    columns = ("year", "owner", "approach")


class ProgrammeItemResource(Resource):
    model = ProgrammeItem
    area = AREA
    readable_by = READERS
    fields = (
        "programme",
        "area",
        "clauses",
        "risk_level",
        "planned_month",
    )
    staff = Access(
        create=("programme", "area", "clauses", "risk_level", "planned_month"),
        update=("clauses", "risk_level", "planned_month"),
    )
    filters = ("programme", "area", "risk_level", "planned_month")
    list_filters = ("risk_level",)
    search = ("area", "clauses")
    orderings = ("planned_month", "area", "risk_level")
    ordering = ("planned_month",)
    columns = ("programme", "area", "risk_level", "planned_month")


AUDIT_WRITES = (
    "title",
    "programme",
    "programme_item",
    "scope_areas",
    "scope_clauses",
    "criteria",
    "objectives",
    "planned_start",
    "planned_end",
    "lead_auditor",
    "auditors",
    "auditees",
    "summary",
)


class AuditResource(Resource):
    model = Audit
    area = AREA
    readable_by = READERS
    staff_actions = {VIEW, ADD, CHANGE}
    status = "status"
    workflow = AUDIT_WORKFLOW
    fields = ("reference", *AUDIT_WRITES[:-1], "status", "summary", "started_on", "reported_on")
    staff = Access(create=AUDIT_WRITES, update=AUDIT_WRITES)
    filters = ("status", "programme", "programme_item", "lead_auditor", "auditors", "reference")
    list_filters = ("status", "programme")
    search = ("reference", "title", "criteria", "scope_clauses")
    orderings = ("reference", "planned_start", "status", "title")
    ordering = ("-planned_start",)
    columns = ("reference", "title", "planned_start", "lead_auditor", "status")


class ChecklistItemResource(Resource):
    model = ChecklistItem
    area = AREA
    readable_by = READERS
    staff_actions = {VIEW, CHANGE}
    fields = ("audit", "requirement", "live_status", "verdict", "notes")
    staff = Access(update=("verdict", "notes"))
    filters = ("audit", "requirement", "live_status", "verdict")
    list_filters = ("verdict", "live_status")
    search = ("notes",)
    orderings = ("order", "verdict")
    ordering = ("audit", "order")
    columns = ("audit", "requirement", "live_status", "verdict")


class FindingResource(Resource):
    model = Finding
    area = AREA
    readable_by = READERS
    staff_actions = {VIEW, ADD, CHANGE}
    fields = ("audit", "grade", "description", "requirement", "area", "owner", "nonconformity", "opportunity")
    staff = Access(
        create=("audit", "grade", "description", "requirement", "area", "owner"),
        update=("description", "owner"),
    )
    filters = ("audit", "grade", "requirement", "area", "owner", "nonconformity", "opportunity")
    list_filters = ("grade",)
    search = ("description",)
    orderings = ("grade", "created")
    ordering = ("-created",)
    columns = ("audit", "grade", "description", "owner", "nonconformity")
