"""UI pages of business relationship management."""

from servitium.core import permissions
from servitium.core import views as generic

from . import services
from .lifecycle import COMPLAINT_WORKFLOW
from .models import Communication, Complaint, CustomerRelationship, Survey, SurveyResponse
from .selectors import survey_analysis


class ComplaintList(generic.RecordListView):
    model = Complaint
    columns = ["reference", "title", "customer", "status", "escalation_level", "created"]
    filter_fields = ["status", "customer"]
    search_fields = ["reference", "title", "description"]
    default_sort = "-created"

    def base_queryset(self):
        return Complaint.objects.select_related("customer")


class ComplaintDetail(generic.RecordDetailView):
    model = Complaint
    fields = [
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
        "escalated_to",
        "escalation_reason",
    ]
    workflow = COMPLAINT_WORKFLOW
    transition_service = staticmethod(services.complaint_transition)


class ComplaintForm(generic.RecordFormView):
    model = Complaint
    form_fields = [
        "customer",
        "raised_by",
        "service",
        "title",
        "description",
        "received_via",
        "findings",
        "actions_taken",
        "resolution",
    ]
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if permissions.is_customer_user(self.request.user):
            # Customers describe the complaint; the rest is the provider's to fill in.
            for name in ("customer", "raised_by", "findings", "actions_taken", "resolution"):
                form.fields.pop(name, None)
        return form


class RelationshipList(generic.RecordListView):
    model = CustomerRelationship
    columns = ["customer", "relationship_manager", "next_review_due"]
    search_fields = ["customer__name"]

    def base_queryset(self):
        return CustomerRelationship.objects.select_related("customer", "relationship_manager")


class RelationshipDetail(generic.RecordDetailView):
    model = CustomerRelationship
    fields = ["customer", "relationship_manager", "business_context", "next_review_due"]


class RelationshipForm(generic.RecordFormView):
    model = CustomerRelationship
    form_fields = ["customer", "relationship_manager", "business_context", "next_review_due"]


class CommunicationList(generic.RecordListView):
    model = Communication
    columns = ["occurred_on", "customer", "channel", "summary"]
    filter_fields = ["customer", "channel"]
    search_fields = ["summary"]
    default_sort = "-occurred_on"


class CommunicationDetail(generic.RecordDetailView):
    model = Communication
    fields = ["occurred_on", "customer", "channel", "summary", "participants", "follow_up"]


class CommunicationForm(generic.RecordFormView):
    model = Communication
    form_fields = ["customer", "occurred_on", "channel", "summary", "participants", "follow_up"]


class SurveyList(generic.RecordListView):
    model = Survey
    columns = ["title", "kind", "status", "period_start", "period_end"]
    filter_fields = ["kind", "status"]
    search_fields = ["title"]


class SurveyDetail(generic.RecordDetailView):
    model = Survey
    fields = [
        "title",
        "kind",
        "status",
        "services",
        "period_start",
        "period_end",
        "low_score_threshold",
        "questions",
    ]
    template_name = "relationships/survey_detail.html"

    def context(self, obj):
        context = super().context(obj)
        visible = permissions.restrict(SurveyResponse.objects.filter(survey=obj), self.request.user)
        context["analysis"] = survey_analysis(obj, visible)
        return context


class SurveyForm(generic.RecordFormView):
    model = Survey
    form_fields = [
        "title",
        "kind",
        "questions",
        "services",
        "period_start",
        "period_end",
        "low_score_threshold",
    ]
