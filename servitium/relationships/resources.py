"""What the records of business relationship management show, who may write which field, and how their
lists filter."""

from __future__ import annotations

from django.db.models import Q

from servitium.core.declaration import ADD, DELETE, VIEW, Access, Indexed, Resource

from .lifecycle import COMPLAINT_WORKFLOW, SURVEY_WORKFLOW
from .models import (
    Communication,
    Complaint,
    ComplaintDefinition,
    CustomerRelationship,
    InterestedParty,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)


class CustomerRelationshipResource(Resource):
    """The relationship with one customer: the customer reads it, relationship staff keep it."""

    model = CustomerRelationship
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW}
    fields = ("customer", "relationship_manager", "business_context", "next_review_due")
    # The record *is* the relationship with one customer: it is not moved to another one afterwards.
    staff = Access(create=fields, update=fields[1:])
    filters = ("customer", "relationship_manager", "next_review_due")
    list_filters = ("relationship_manager",)
    search = ("customer__name", "business_context")
    orderings = ("customer", "relationship_manager", "next_review_due")
    columns = ("customer", "relationship_manager", "next_review_due")


class InterestedPartyResource(Resource):
    model = InterestedParty
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW}
    fields = ("customer", "person", "name", "kind", "interest")
    staff = Access(create=fields)
    filters = ("customer", "kind", "person")
    list_filters = ("customer", "kind")
    search = ("name", "interest")
    orderings = ("name", "kind")
    columns = ("name", "customer", "kind")


class CommunicationResource(Resource):
    """The communication log with a customer."""

    model = Communication
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW}
    fields = ("customer", "occurred_on", "channel", "summary", "participants", "follow_up")
    staff = Access(create=fields)
    filters = ("customer", "channel", "participants", "occurred_on")
    list_filters = ("customer", "channel")
    search = ("summary", "follow_up")
    orderings = ("occurred_on", "customer", "channel")
    ordering = ("-occurred_on", "-id")
    columns = ("occurred_on", "customer", "channel", "summary")


class ComplaintDefinitionResource(Resource):
    """What counts as a complaint, as agreed with one customer (who reads it)."""

    model = ComplaintDefinition
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW}
    fields = ("customer", "definition", "agreed_on", "agreed_with")
    # The definition agreed with one customer is not moved to another one afterwards.
    staff = Access(create=fields, update=fields[1:])
    filters = ("customer", "agreed_with")
    search = ("definition",)
    orderings = ("customer", "agreed_on")
    columns = ("customer", "agreed_on", "agreed_with")


# What a customer may say when it complains: what is wrong, with which of its services, how it reached us
# (and for whom: only its own organization is there to name). Who raised it is the signed-in user; the
# investigation, the actions, the resolution and the escalation are the provider's to write.
CUSTOMER_COMPLAINS = ("customer", "service", "title", "description", "received_via")
STAFF_RECORDS = (
    "customer",
    "raised_by",
    "service",
    "title",
    "description",
    "received_via",
    "findings",
    "actions_taken",
    "resolution",
)


class ComplaintResource(Resource):
    model = Complaint
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW, ADD}
    status = "status"
    workflow = COMPLAINT_WORKFLOW
    fields = (
        "reference",
        "customer",
        "raised_by",
        "service",
        "title",
        "description",
        "received_via",
        "status",
        "findings",
        "actions_taken",
        "resolution",
        "escalation_level",
        "escalated_at",
        "escalated_to",
        "escalation_reason",
        "resolved_at",
        "closed_at",
    )
    # Provider staff name the organization that complains; a customer's own complaint is its organization's.
    staff = Access(create=STAFF_RECORDS, required=("customer", "title", "description"))
    customer = Access(create=CUSTOMER_COMPLAINS, update=(), required=("title", "description"))
    filters = ("status", "customer", "service", "raised_by", "escalation_level", "received_via", "reference")
    list_filters = ("status", "customer")
    search = ("reference", "title", "description")
    orderings = ("created", "reference", "title", "customer", "status", "escalation_level")
    ordering = ("-created",)
    columns = ("reference", "title", "customer", "status", "escalation_level", "created")
    indexed = Indexed(title="title", body=("description",))


class SurveyResource(Resource):
    model = Survey
    area = "relationships"
    customer_actions = {VIEW}
    status = "status"
    workflow = SURVEY_WORKFLOW
    fields = (
        "title",
        "kind",
        "status",
        "questions",
        "services",
        "period_start",
        "period_end",
        "low_score_threshold",
    )
    staff = Access(create=tuple(n for n in fields if n != "status"))
    filters = ("kind", "status", "services")
    list_filters = ("kind", "status")
    search = ("title",)
    orderings = ("title", "kind", "status", "period_start", "period_end")
    ordering = ("-created",)
    columns = ("title", "kind", "status", "period_start", "period_end")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """Customers read the surveys their organization was invited to or answered."""
        invited = SurveyInvitation.objects.filter(customer_id=organization_id).values("survey_id")
        answered = SurveyResponse.objects.filter(customer_id=organization_id).values("survey_id")
        return queryset.filter(Q(pk__in=invited) | Q(pk__in=answered))


class SurveyInvitationResource(Resource):
    """The sample of a survey round: drawn by the round service, marked answered by the response service;
    nobody writes it by hand."""

    model = SurveyInvitation
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW}
    staff_actions = {VIEW}
    fields = ("survey", "person", "customer", "round_label", "responded")
    filters = ("survey", "customer", "person", "responded", "round_label")
    orderings = ("round_label",)


SURVEY_ANSWERS = ("survey", "invitation", "customer", "service", "answers")


class SurveyResponseResource(Resource):
    """One respondent's answers: given once, by a customer user for its own organization or entered by
    provider staff (a paper form, a call); kept as given (the evidence of satisfaction measured)."""

    model = SurveyResponse
    area = "relationships"
    tenant = "customer"
    customer_actions = {VIEW, ADD}
    staff_actions = {VIEW, ADD, DELETE}
    fields = ("survey", "invitation", "respondent", "customer", "service", "answers", "score")
    staff = Access(create=(*SURVEY_ANSWERS, "respondent"), update=(), required=("survey", "answers"))
    customer = Access(create=SURVEY_ANSWERS, update=(), required=("survey", "answers"))
    filters = ("survey", "customer", "service", "invitation", "respondent")
    orderings = ("score", "survey")
    ordering = ("-created",)
    columns = ("survey", "customer", "service", "score")
