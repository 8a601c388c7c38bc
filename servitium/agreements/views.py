"""UI pages of service level management (columns, filters, fields and forms from resources.py)."""

from django.utils import timezone

from servitium.core import permissions
from servitium.core import views as generic

from . import services
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget


class AgreementList(generic.RecordListView):
    model = ServiceLevelAgreement

    def base_queryset(self):
        return ServiceLevelAgreement.objects.select_related("customer", "service")


class AgreementDetail(generic.RecordDetailView):
    model = ServiceLevelAgreement
    transition_service = staticmethod(services.agreement_transition)
    template_name = "agreements/agreement_detail.html"

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        context["targets"] = permissions.restrict(ServiceTarget.objects.filter(agreement=obj), user)
        context["reviews"] = permissions.restrict(ServiceReview.objects.filter(agreement=obj), user)
        context["missing"] = obj.missing_for_agreement() if obj.status == obj.Status.DRAFT else []
        return context


class AgreementForm(generic.RecordFormView):
    model = ServiceLevelAgreement
    create_service = staticmethod(services.agreement_create)
    update_service = staticmethod(services.agreement_update)


class TargetList(generic.RecordListView):
    model = ServiceTarget

    def base_queryset(self):
        return ServiceTarget.objects.select_related("agreement")


class TargetDetail(generic.RecordDetailView):
    model = ServiceTarget


class TargetForm(generic.RecordFormView):
    model = ServiceTarget
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)


class ReviewList(generic.RecordListView):
    model = ServiceReview

    def base_queryset(self):
        return ServiceReview.objects.select_related("agreement")


class ReviewDetail(generic.RecordDetailView):
    model = ServiceReview
    transition_service = staticmethod(services.review_transition)
    template_name = "agreements/review_detail.html"
    # Holding a review records the meeting date and what was discussed, from the page's own form.
    transition_fields = ("held_on", "performance_discussed")

    def context(self, obj):
        context = super().context(obj)
        context["hold"] = next((t for t in context["transitions"] if t.name == "hold"), None)
        context["transitions"] = [t for t in context["transitions"] if t.name != "hold"]
        context["today"] = timezone.localdate()
        return context


class ReviewForm(generic.RecordFormView):
    model = ServiceReview
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
