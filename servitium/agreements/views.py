"""UI pages of service level management."""

from servitium.core import views as generic

from . import services
from .lifecycle import AGREEMENT_WORKFLOW, REVIEW_WORKFLOW
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget


class AgreementList(generic.RecordListView):
    model = ServiceLevelAgreement
    columns = ["reference", "title", "customer", "service", "status", "next_review_due"]
    filter_fields = ["status", "kind", "customer", "service"]
    search_fields = ["title", "reference"]
    default_sort = "reference"

    def base_queryset(self):
        return ServiceLevelAgreement.objects.select_related("customer", "service")


class AgreementDetail(generic.RecordDetailView):
    model = ServiceLevelAgreement
    fields = [
        "reference",
        "kind",
        "title",
        "customer",
        "service",
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
        "workload",
        "exceptions",
    ]
    workflow = AGREEMENT_WORKFLOW
    transition_service = staticmethod(services.agreement_transition)
    template_name = "agreements/agreement_detail.html"

    def context(self, obj):
        from servitium.core import permissions

        context = super().context(obj)
        user = self.request.user
        context["targets"] = permissions.restrict(ServiceTarget.objects.filter(agreement=obj), user)
        context["reviews"] = permissions.restrict(ServiceReview.objects.filter(agreement=obj), user)
        context["missing"] = obj.missing_for_agreement() if obj.status == obj.Status.DRAFT else []
        return context


class AgreementForm(generic.RecordFormView):
    model = ServiceLevelAgreement
    form_fields = [
        "kind",
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
        "exceptions",
    ]
    create_service = staticmethod(services.agreement_create)
    update_service = staticmethod(services.agreement_update)


class TargetDetail(generic.RecordDetailView):
    model = ServiceTarget
    fields = [
        "agreement",
        "metric",
        "priority",
        "name",
        "target_value",
        "unit",
        "higher_is_better",
        "description",
    ]


class TargetForm(generic.RecordFormView):
    model = ServiceTarget
    form_fields = ["agreement", "metric", "priority", "name", "target_value", "unit", "description"]
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)


class ReviewList(generic.RecordListView):
    model = ServiceReview
    columns = ["reference", "agreement", "scheduled_for", "status", "held_on"]
    filter_fields = ["status"]
    search_fields = ["reference", "performance_discussed"]
    default_sort = "-scheduled_for"

    def base_queryset(self):
        return ServiceReview.objects.select_related("agreement", "agreement__customer", "agreement__service")


class ReviewDetail(generic.RecordDetailView):
    model = ServiceReview
    fields = [
        "reference",
        "agreement",
        "scheduled_for",
        "status",
        "held_on",
        "attendees",
        "performance_discussed",
        "actions",
    ]
    workflow = REVIEW_WORKFLOW
    transition_service = staticmethod(services.review_transition)


class ReviewForm(generic.RecordFormView):
    model = ServiceReview
    form_fields = ["agreement", "scheduled_for", "attendees", "performance_discussed", "actions"]
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
