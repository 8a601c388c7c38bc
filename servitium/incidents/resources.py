"""What incident and request records show, who may write which field, and how their lists filter."""

from __future__ import annotations

from servitium.core import permissions
from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Indexed, Resource

from .lifecycle import HELD_MAIL_WORKFLOW, INCIDENT_WORKFLOW
from .models import (
    HeldMail,
    Incident,
    IncidentEvent,
    IncidentImportRun,
    MailMessage,
    MajorIncidentDefinition,
    MajorIncidentUpdate,
    PostIncidentReview,
    PriorityRule,
    RequestItem,
    SavedFilter,
    SlaClock,
)

# What a customer may say when raising a ticket: what is wrong, with which of its services or CIs, how
# badly (and for whom: only its own organization is there to name). Who works on it, how it is classified
# for security and how it ends are the provider's to say.
CUSTOMER_RAISES = (
    "title",
    "description",
    "customer",
    "service",
    "affected_ci",
    "channel",
    "category",
    "impact",
    "urgency",
    "request_item",
)
STAFF_WRITES = (
    "title",
    "description",
    "service",
    "customer",
    "caller",
    "channel",
    "category",
    "impact",
    "urgency",
    "assignment_group",
    "assignee",
    "affected_ci",
    "affected_ci_name",
    "is_security",
    "security_category",
    "security_risk",
    "resolution_code",
    "resolution_notes",
    "closure_code",
)

# What an agent asks when a ticket comes in (on the phone, at the desk): who calls, about what, how badly.
# Assignment, classification and resolution are set on the ticket's page afterwards.
STAFF_NEW_TICKET = (
    "customer",
    "caller",
    "channel",
    "service",
    "impact",
    "urgency",
    "title",
    "description",
)


class IncidentResource(Resource):
    model = Incident
    area = "incidents"
    tenant = "customer"
    customer_actions = {VIEW, ADD}
    status = "status"
    workflow = INCIDENT_WORKFLOW
    counted_by = ("kind", "status")  # the queues' counts, kept by the database
    fields = (
        "reference",
        "kind",
        "title",
        "description",
        "service",
        "customer",
        "caller",
        "channel",
        "category",
        "impact",
        "urgency",
        "priority",
        "status",
        "assignment_group",
        "assignee",
        "affected_ci",
        "affected_ci_name",
        "request_item",
        "approval",
        "approved_by",
        "is_security",
        "security_category",
        "security_risk",
        "is_major",
        "major_manager",
        "major_declared_at",
        "resolution_code",
        "resolution_notes",
        "closure_code",
        "escalation_level",
        "responded_at",
        "resolved_at",
        "closed_at",
        "reopen_count",
        "reassignment_count",
        "source",
        "external_id",
        "sla_clocks",
    )
    computed = ("sla_clocks",)
    # The request item is chosen when the request is raised; afterwards it is part of its history.
    staff = Access(
        create=(*STAFF_WRITES, "request_item"),
        update=STAFF_WRITES,
        required=("title", "customer"),
        create_form=STAFF_NEW_TICKET,
    )
    customer = Access(create=CUSTOMER_RAISES, update=(), required=("title",))
    filters = (
        "status",
        "priority",
        "kind",
        "customer",
        "service",
        "assignment_group",
        "assignee",
        "caller",
        "channel",
        "category",
        "is_security",
        "security_category",
        "affected_ci",
        "is_major",
        "approval",
        "request_item",
        "escalation_level",
        "reference",
        "source",
        "external_id",
    )
    list_filters = ("status", "priority", "kind", "assignment_group")
    search = ("reference", "external_id", "title", "description")
    orderings = ("created", "updated", "priority", "status", "reference", "title")
    ordering = ("-created",)
    columns = ("reference", "title", "priority", "status", "customer", "assignee", "created")
    indexed = Indexed(title="title", body=("description", "resolution_notes"))


class PriorityRuleResource(Resource):
    model = PriorityRule
    area = "incidents"
    fields = ("impact", "urgency", "priority")
    staff = Access(create=fields)
    filters = ("impact", "urgency", "priority")
    orderings = ("impact", "urgency", "priority")
    columns = ("impact", "urgency", "priority")


class RequestItemResource(Resource):
    model = RequestItem
    area = "incidents"
    tenant = "service__customers"  # customers see the items of the services they receive
    customer_actions = {VIEW}
    fields = (
        "service",
        "name",
        "description",
        "fulfilment_instructions",
        "needs_approval",
        "approver",
        "fulfilment_group",
        "response_target_s",
        "resolution_target_s",
        "active",
    )
    staff = Access(create=fields)
    filters = ("service", "needs_approval", "active")
    search = ("name", "description")
    orderings = ("name",)
    columns = ("name", "service", "needs_approval", "active")


class OnTheTicket(Resource):
    """Records that belong to a ticket: the customer sees them with its own tickets (a subclass without
    `model` is a shared base, not a declaration of its own)."""

    area = "incidents"
    tenant = "incident__customer"
    customer_actions = {VIEW}


class MajorIncidentDefinitionResource(Resource):
    model = MajorIncidentDefinition
    area = "incidents"
    tenant = "customer"
    customer_actions = {VIEW}
    fields = ("customer", "service", "criteria", "priority_at_or_above", "agreed_on")
    staff = Access(create=fields)
    filters = ("customer", "service")
    orderings = ("agreed_on",)
    columns = ("customer", "service", "priority_at_or_above", "agreed_on")


class MajorIncidentUpdateResource(OnTheTicket):
    model = MajorIncidentUpdate
    fields = ("incident", "audience", "body", "sent_to", "author")
    staff = Access(create=("incident", "audience", "body"), update=())
    filters = ("incident", "audience")
    orderings = ("created",)
    columns = ("incident", "audience", "created")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """Customers read the updates addressed to customers, on their own tickets."""
        return queryset.filter(
            incident__customer=organization_id, audience=MajorIncidentUpdate.Audience.CUSTOMER
        )


class PostIncidentReviewResource(OnTheTicket):
    model = PostIncidentReview
    fields = (
        "incident",
        "held_on",
        "participants",
        "summary",
        "root_cause",
        "went_well",
        "to_improve",
        "actions",
    )
    staff = Access(create=fields, update=fields[1:])
    filters = ("incident",)
    search = ("summary", "to_improve", "incident__reference")
    orderings = ("held_on",)
    ordering = ("-held_on",)
    columns = ("incident", "held_on", "summary", "to_improve")


class SlaClockResource(OnTheTicket):
    """Written only by the clock services; read with the ticket."""

    model = SlaClock


class IncidentEventResource(OnTheTicket):
    """History imported with a ticket."""

    model = IncidentEvent


class MailMessageResource(Resource):
    """The mail log: provider staff only (addresses and outcomes of the gateway)."""

    model = MailMessage
    area = "incidents"


class HeldMailResource(Resource):
    """Mail from unknown senders waiting for triage: provider staff only. It arrives by mail (never created
    by hand); an agent names the organization and accepts it, or rejects it."""

    model = HeldMail
    area = "incidents"
    staff_actions = {VIEW, CHANGE}
    status = "status"
    workflow = HELD_MAIL_WORKFLOW
    fields = (
        "sender",
        "sender_name",
        "subject",
        "text",
        "status",
        "organization",
        "person",
        "incident",
        "decision_note",
    )
    staff = Access(create=(), update=("organization",))
    filters = ("status", "organization", "sender")
    list_filters = ("status",)
    search = ("sender", "sender_name", "subject", "text")
    orderings = ("created", "sender", "status")
    ordering = ("-created",)
    columns = ("created", "sender", "subject", "status", "organization", "incident")


class SavedFilterResource(Resource):
    """An agent's saved queue filters: their own only, whatever their roles (the scope below is the one
    place that says so); customers keep none."""

    model = SavedFilter
    area = "incidents"
    fields = ("name", "query")
    staff = Access(create=("name", "query"), update=("name", "query"), required=("name",))
    search = ("name",)
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "query")

    @classmethod
    def scope(cls, queryset, user, action):
        if not permissions.is_provider_user(user):
            return queryset.none()
        return queryset.filter(owner=user)


class IncidentImportRunResource(Resource):
    """Imports started in the browser: seen only by those who may import (the incident area's full
    rights), each their own runs and administrators everybody's; written by the system alone (the page
    starts them, the task queue carries them out)."""

    model = IncidentImportRun
    area = "incidents"
    staff_actions = frozenset({VIEW})
    status = "status"
    fields = (
        "file_name",
        "mapping_name",
        "status",
        "fraction",
        "stage",
        "started_by",
        "started_at",
        "finished_at",
        "failure_reason",
    )
    filters = ("status", "started_by")
    orderings = ("created", "file_name", "status")
    ordering = ("-created",)
    columns = ("created", "file_name", "mapping_name", "status", "started_by")

    @classmethod
    def scope(cls, queryset, user, action):
        if action != VIEW or not permissions.area_allows(user, "incidents", permissions.ALL):
            return queryset.none()
        if permissions.ADMINISTRATOR in permissions.user_roles(user):
            return queryset
        return queryset.filter(started_by=user)
