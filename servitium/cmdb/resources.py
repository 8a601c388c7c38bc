"""What configuration management's records show, who may write which field, and how their lists filter."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import VIEW, Access, Indexed, Resource
from servitium.parties.models import Organization

from .lifecycle import AUDIT_WORKFLOW, FINDING_WORKFLOW
from .models import CIRelationship, CIType, ConfigurationItem
from .records import AuditFinding, Baseline, ConfigurationAudit, MasterCopy


class CITypeResource(Resource):
    """The kinds of CI and their attribute schemas: the provider's own. Whether a type is under change
    control is the change policy's to say (`under_change_control`, read-only here)."""

    model = CIType
    area = "cmdb"
    fields = (
        "name",
        "description",
        "attribute_schema",
        "audit_interval_days",
        "financial_asset",
        "under_change_control",
    )
    computed = ("under_change_control",)
    staff = Access(
        create=("name", "description", "attribute_schema", "audit_interval_days", "financial_asset")
    )
    filters = ("name", "financial_asset")
    search = ("name", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "description")


CI_WRITES = (
    "name",
    "ci_type",
    "status",
    "version",
    "description",
    "owner",
    "location",
    "customers",
    "service",
    "documentation_url",
    "asset_number",
    "attributes",
    "master_copies",
)


class ConfigurationItemResource(Resource):
    """Configuration items. A customer reads the CIs that serve its organization (and sees only itself among
    their customers). A CI's status is a plain property (planned, in use, in maintenance, retired), not a
    lifecycle. A write to a CI under change control names the approved change that covers it (`change`, an
    input of the API and the edit form, not a field of the CI: see `control.py`)."""

    model = ConfigurationItem
    area = "cmdb"
    tenant = "customers"
    customer_actions = {VIEW}
    fields = (
        "reference",
        "name",
        "ci_type",
        "ci_type_display",
        "status",
        "version",
        "description",
        "owner",
        "location",
        "customers",
        "service",
        "documentation_url",
        "asset_number",
        "attributes",
        "master_copies",
    )
    computed = ("ci_type_display",)
    staff = Access(create=CI_WRITES)
    filters = (
        "ci_type",
        "status",
        "service",
        "owner",
        "location",
        "master_copies",
        "reference",
        "asset_number",
    )
    extra_filters = {
        "customer": django_filters.ModelChoiceFilter(
            field_name="customers",
            queryset=Organization.objects.all(),
            distinct=True,
            label=_("Customer"),
            help_text=_("Id of a customer organization the CI serves."),
        )
    }
    list_filters = ("ci_type", "status", "service")
    search = ("reference", "name")
    orderings = ("name", "reference", "status", "ci_type", "version")
    ordering = ("name",)
    columns = ("reference", "name", "ci_type", "status", "service", "owner")
    indexed = Indexed(title="name", body=("description", "asset_number"))


class CIRelationshipResource(Resource):
    """A directed link between two CIs. Customers read the relationships between two CIs they see."""

    model = CIRelationship
    area = "cmdb"
    customer_actions = {VIEW}
    fields = ("source", "target", "kind", "description")
    staff = Access(create=fields)
    filters = ("source", "target", "kind")
    list_filters = ("kind",)
    search = ("description", "source__name", "target__name")
    orderings = ("kind",)
    columns = ("source", "kind", "target", "description")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        visible = ConfigurationItem.objects.filter(customers=organization_id).values("pk")
        return queryset.filter(source__in=visible, target__in=visible)


class MasterCopyResource(Resource):
    """The definitive library. `cis` (the CIs built or restored from the copy) is set from the CIs'
    `master_copies`, so it is read-only here."""

    model = MasterCopy
    area = "cmdb"
    fields = (
        "name",
        "kind",
        "version",
        "storage_location",
        "checksum_sha256",
        "custodian",
        "description",
        "cis",
    )
    computed = ("cis",)
    staff = Access(create=fields[:-1])
    filters = ("kind", "custodian", "name", "version")
    list_filters = ("kind",)
    search = ("name", "version", "storage_location", "description")
    orderings = ("name", "version", "kind")
    ordering = ("name", "version")
    columns = ("name", "version", "kind", "storage_location", "custodian")


class BaselineResource(Resource):
    """Frozen snapshots of CIs: evidence. Taken by a service (the CIs to freeze, `cis`, are an input of the
    API, not a field); only the name and purpose may be corrected afterwards."""

    model = Baseline
    area = "cmdb"
    fields = (
        "reference",
        "name",
        "purpose",
        "scope",
        "scope_id",
        "source_type",
        "source_id",
        "item_count",
    )
    staff = Access(
        create=("name", "purpose", "scope", "scope_id", "source_type", "source_id"),
        update=("name", "purpose"),
    )
    filters = ("scope", "scope_id", "source_type", "source_id")
    list_filters = ("scope",)
    search = ("name", "reference", "purpose")
    orderings = ("name", "reference", "item_count")
    ordering = ("-created",)
    columns = ("reference", "name", "scope", "item_count", "created")


class ConfigurationAuditResource(Resource):
    """Configuration audits: planned, then discovered data is imported (`import/`), reconciled into findings
    and closed. What was imported and when is the lifecycle's to write."""

    model = ConfigurationAudit
    area = "cmdb"
    status = "status"
    workflow = AUDIT_WORKFLOW
    fields = (
        "reference",
        "title",
        "status",
        "scope",
        "scope_ci_type",
        "scope_service",
        "planned_for",
        "auditor",
        "notes",
        "source_name",
        "discovered_count",
        "row_errors",
        "imported_at",
        "reconciled_at",
        "closed_at",
        "findings_open",
        "findings_total",
    )
    computed = ("discovered_count", "findings_open", "findings_total")
    staff = Access(
        create=("title", "scope", "scope_ci_type", "scope_service", "planned_for", "auditor", "notes")
    )
    filters = ("status", "scope", "scope_ci_type", "scope_service", "auditor")
    list_filters = ("status", "scope")
    search = ("title", "reference", "notes")
    orderings = ("reference", "planned_for", "reconciled_at", "status")
    ordering = ("-created",)
    columns = ("reference", "title", "status", "scope", "planned_for", "reconciled_at")


class AuditFindingResource(Resource):
    """One difference an audit found. What was found stays as recorded; its follow-up (owner, due date,
    notes) is written, and it is settled by its transitions (`close` with a resolution) or actions."""

    model = AuditFinding
    area = "cmdb"
    status = "status"
    workflow = FINDING_WORKFLOW
    fields = (
        "reference",
        "audit",
        "kind",
        "ci",
        "identifier",
        "discovered",
        "differences",
        "owner",
        "due_date",
        "status",
        "resolution",
        "notes",
        "effect_review",
    )
    staff = Access(
        create=(
            "audit",
            "kind",
            "ci",
            "identifier",
            "discovered",
            "differences",
            "owner",
            "due_date",
            "notes",
            "effect_review",
        ),
        update=("owner", "due_date", "notes", "effect_review"),
    )
    filters = ("audit", "kind", "status", "resolution", "owner", "ci")
    list_filters = ("kind", "status", "audit")
    search = ("identifier", "reference", "notes")
    orderings = ("due_date", "reference", "kind", "status")
    ordering = ("due_date",)
    columns = ("reference", "audit", "kind", "identifier", "owner", "due_date", "status", "resolution")
