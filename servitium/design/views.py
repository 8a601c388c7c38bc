"""UI of service design and transition: projects (the project page shows its plan, design, acceptance
criteria with their results, transition links, expected against achieved outcomes, handover items and what
blocks the next stage), requirements, criteria, outcomes and handover items. Columns, filters, fields and
forms come from resources.py."""

from __future__ import annotations

from servitium.core import permissions
from servitium.core import views as generic

from . import selectors, services
from .models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)


class ProjectList(generic.RecordListView):
    model = DesignProject

    def base_queryset(self):
        return DesignProject.objects.select_related("service", "owner")


class ProjectDetail(generic.RecordDetailView):
    model = DesignProject
    template_name = "design/designproject_detail.html"
    transition_service = staticmethod(services.project_transition)

    def base_queryset(self):
        return DesignProject.objects.select_related(
            "service", "change", "owner", "author", "plan_agreed_by", "decision_by", "accepted_by"
        )

    def context(self, obj):
        context = super().context(obj)
        context.update(selectors.project_page(obj, self.request.user, can_change=context["can_change"]))
        return context


class ProjectForm(generic.RecordFormView):
    model = DesignProject
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)


class RequirementList(generic.RecordListView):
    model = ServiceRequirement

    def base_queryset(self):
        return ServiceRequirement.objects.select_related("service", "customer")


class RequirementDetail(generic.RecordDetailView):
    model = ServiceRequirement
    template_name = "design/servicerequirement_detail.html"
    transition_service = staticmethod(services.requirement_transition)

    def base_queryset(self):
        return ServiceRequirement.objects.select_related(
            "service", "customer", "source_person", "source_document", "agreed_by"
        )

    def context(self, obj):
        context = super().context(obj)
        context["projects"] = permissions.restrict(obj.projects.all(), self.request.user).order_by("-id")
        return context


class RequirementForm(generic.RecordFormView):
    model = ServiceRequirement
    create_service = staticmethod(services.requirement_create)
    update_service = staticmethod(services.requirement_update)


def _child_views(model, create, update):
    class List(generic.RecordListView):
        def base_queryset(self):
            return model.objects.select_related("project")

    class Detail(generic.RecordDetailView):
        def base_queryset(self):
            return model.objects.select_related("project")

    class Form(generic.RecordFormView):
        create_service = staticmethod(create)
        update_service = staticmethod(update)

    for view in (List, Detail, Form):
        view.model = model
    return List, Detail, Form


CriterionList, CriterionDetail, CriterionForm = _child_views(
    ServiceAcceptanceCriterion, services.criterion_create, services.criterion_update
)
OutcomeList, OutcomeDetail, OutcomeForm = _child_views(
    ExpectedOutcome, services.outcome_create, services.outcome_update
)
HandoverList, HandoverDetail, HandoverForm = _child_views(
    HandoverItem, services.handover_create, services.handover_update
)
