"""UI pages of business relationship management (columns, filters, detail fields and forms come from the
declarations in resources.py)."""

from servitium.core import views as generic

from . import services
from .models import Communication, Complaint, CustomerRelationship, Survey
from .selectors import survey_analysis_for


class ComplaintList(generic.RecordListView):
    model = Complaint

    def base_queryset(self):
        return Complaint.objects.select_related("customer")


class ComplaintDetail(generic.RecordDetailView):
    model = Complaint
    transition_service = staticmethod(services.complaint_transition)


class ComplaintForm(generic.RecordFormView):
    model = Complaint
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)


class RelationshipList(generic.RecordListView):
    model = CustomerRelationship

    def base_queryset(self):
        return CustomerRelationship.objects.select_related("customer", "relationship_manager")


class RelationshipDetail(generic.RecordDetailView):
    model = CustomerRelationship


class RelationshipForm(generic.RecordFormView):
    model = CustomerRelationship


class CommunicationList(generic.RecordListView):
    model = Communication

    def base_queryset(self):
        return Communication.objects.select_related("customer")


class CommunicationDetail(generic.RecordDetailView):
    model = Communication


class CommunicationForm(generic.RecordFormView):
    model = Communication
    create_service = staticmethod(services.communication_create)
    update_service = staticmethod(services.communication_update)


class SurveyList(generic.RecordListView):
    model = Survey


class SurveyDetail(generic.RecordDetailView):
    model = Survey
    template_name = "relationships/survey_detail.html"
    transition_service = staticmethod(services.survey_transition)

    def context(self, obj):
        context = super().context(obj)
        context["analysis"] = survey_analysis_for(obj, self.request.user)
        return context


class SurveyForm(generic.RecordFormView):
    model = Survey
    update_service = staticmethod(services.survey_update)
