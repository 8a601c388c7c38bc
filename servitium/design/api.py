"""REST resources of service design and transition: requirements (with agree / withdraw), projects (with
their stage transitions), acceptance criteria, expected outcomes and handover items. Representations,
filters and input rules come from resources.py; writes go through services.py."""

from __future__ import annotations

from servitium.core.api.base import RecordViewSet

from . import services
from .models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)


class ServiceRequirementViewSet(RecordViewSet):
    """What a new or changed service must meet, per customer; agreed by a named person."""

    queryset = ServiceRequirement.objects.select_related(
        "service", "customer", "source_person", "source_document", "agreed_by"
    )
    create_service = staticmethod(services.requirement_create)
    update_service = staticmethod(services.requirement_update)
    transition_service = staticmethod(services.requirement_transition)


class DesignProjectViewSet(RecordViewSet):
    """Design and transition projects; `transitions/` moves them through planning, design, build and test,
    acceptance, transition and review (a 409 names what the next stage still needs)."""

    queryset = DesignProject.objects.select_related(
        "service",
        "change",
        "owner",
        "author",
        "plan_agreed_by",
        "planning_approved_by",
        "design_approved_by",
        "capacity_plan",
        "availability_plan",
        "continuity_plan",
        "decision_by",
        "accepted_by",
    ).prefetch_related(
        "requirements",
        "customers",
        "depends_on",
        "contracts",
        "agreements",
        "security_controls",
        "releases",
        "changes",
    )
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    transition_service = staticmethod(services.project_transition)


class ServiceAcceptanceCriterionViewSet(RecordViewSet):
    queryset = ServiceAcceptanceCriterion.objects.select_related("project")
    create_service = staticmethod(services.criterion_create)
    update_service = staticmethod(services.criterion_update)
    delete_service = staticmethod(services.child_delete)


class ExpectedOutcomeViewSet(RecordViewSet):
    queryset = ExpectedOutcome.objects.select_related("project")
    create_service = staticmethod(services.outcome_create)
    update_service = staticmethod(services.outcome_update)
    delete_service = staticmethod(services.child_delete)


class HandoverItemViewSet(RecordViewSet):
    queryset = HandoverItem.objects.select_related("project", "ci", "contract", "agreement", "document")
    create_service = staticmethod(services.handover_create)
    update_service = staticmethod(services.handover_update)
    delete_service = staticmethod(services.child_delete)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("service-requirements", ServiceRequirementViewSet, basename="servicerequirement")
    router.register("design-projects", DesignProjectViewSet, basename="designproject")
    router.register(
        "design-acceptance-criteria", ServiceAcceptanceCriterionViewSet, basename="serviceacceptancecriterion"
    )
    router.register("design-outcomes", ExpectedOutcomeViewSet, basename="expectedoutcome")
    router.register("handover-items", HandoverItemViewSet, basename="handoveritem")
