"""UI of the improvement register: nonconformities, corrective actions and improvement opportunities
(generic list, detail and form pages; the steps that take input and the corrective actions are a panel of
the nonconformity's page)."""

from __future__ import annotations

from servitium.core import views as generic

from . import services
from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity


class NonconformityList(generic.RecordListView):
    model = Nonconformity
    template_name = "improvement/list.html"

    def base_queryset(self):
        return Nonconformity.objects.select_related("owner")


class NonconformityDetail(generic.RecordDetailView):
    model = Nonconformity
    transition_service = staticmethod(services.nonconformity_transition)
    transition_fields = services.NC_TRANSITION_FIELDS


class NonconformityForm(generic.RecordFormView):
    model = Nonconformity
    update_service = staticmethod(services.nonconformity_update)


class CorrectiveActionList(generic.RecordListView):
    model = CorrectiveAction
    template_name = "improvement/list.html"

    def base_queryset(self):
        return CorrectiveAction.objects.select_related("nonconformity", "owner")


class CorrectiveActionDetail(generic.RecordDetailView):
    model = CorrectiveAction
    transition_service = staticmethod(services.corrective_action_transition)


class CorrectiveActionForm(generic.RecordFormView):
    model = CorrectiveAction
    create_service = staticmethod(services.corrective_action_create)


class OpportunityList(generic.RecordListView):
    model = ImprovementOpportunity
    template_name = "improvement/list.html"

    def base_queryset(self):
        return ImprovementOpportunity.objects.select_related("owner")


class OpportunityDetail(generic.RecordDetailView):
    model = ImprovementOpportunity
    transition_service = staticmethod(services.opportunity_transition)
    transition_fields = services.OPPORTUNITY_TRANSITION_FIELDS


class OpportunityForm(generic.RecordFormView):
    model = ImprovementOpportunity
    update_service = staticmethod(services.opportunity_update)
