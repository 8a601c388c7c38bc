"""REST resources of the management system (rules in resources.py). Provider staff of the SMS area write;
top management and auditors read; customers see nothing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import selectors, services
from .models import (
    Commitment,
    CommunicationEntry,
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PartyRequirement,
    PlanSection,
    ProcessDefinition,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
    Stakeholder,
)
from .resources import (
    ContextIssueResource,
    ObjectiveResource,
    ProcessDefinitionResource,
    ProcessRoleResource,
    SmsPlanResource,
)


class ContextIssueSerializer(RecordSerializer):
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        resource = ContextIssueResource


class ContextIssueViewSet(RecordViewSet):
    """Internal and external issues bearing on the SMS (2018 4.1); `review_overdue`: unreviewed for a year."""

    queryset = ContextIssue.objects.select_related("owner")
    serializer_class = ContextIssueSerializer
    transition_service = staticmethod(services.context_issue_transition)


class StakeholderViewSet(RecordViewSet):
    """Interested parties of the SMS: an organization or a named group (2018 4.2)."""

    queryset = Stakeholder.objects.select_related("organization")


class PartyRequirementViewSet(RecordViewSet):
    """Requirements of interested parties and how the SMS addresses them."""

    queryset = PartyRequirement.objects.select_related("party", "stated_by")


class ScopeStatementViewSet(RecordViewSet):
    """Versions of the SMS scope: approve (not by the author), then make current; the current one becomes
    superseded."""

    queryset = ScopeStatement.objects.prefetch_related(
        "services", "locations", "organizations", "other_party_processes"
    )
    create_service = staticmethod(services.scope_create)
    update_service = staticmethod(services.scope_update)
    transition_service = staticmethod(services.scope_transition)


class CommitmentViewSet(RecordViewSet):
    """What top management did to back the SMS, with evidence."""

    queryset = Commitment.objects.select_related("made_by")


class RaciRowSerializer(serializers.Serializer):
    process = serializers.CharField()
    process_label = serializers.CharField()
    activity = serializers.CharField()
    R = serializers.ListField(child=serializers.CharField())
    A = serializers.ListField(child=serializers.CharField())
    C = serializers.ListField(child=serializers.CharField())
    I = serializers.ListField(child=serializers.CharField())  # noqa: E741
    accountable_ok = serializers.BooleanField()


class ProcessDefinitionSerializer(RecordSerializer):
    class Meta:
        resource = ProcessDefinitionResource


class ProcessDefinitionViewSet(RecordViewSet):
    """The process register: each process's owner, procedure, performance criteria and review dates; one
    entry per process (a second is refused, 400 on `process`)."""

    queryset = ProcessDefinition.objects.select_related("owner", "procedure")
    serializer_class = ProcessDefinitionSerializer
    create_service = staticmethod(services.process_definition_create)
    update_service = staticmethod(services.process_definition_update)


class ProcessRoleSerializer(RecordSerializer):
    class Meta:
        resource = ProcessRoleResource
        # "One accountable per activity" is checked by the service, which names the `raci` field.
        validators: list = []


class ProcessRoleViewSet(RecordViewSet):
    """RACI entries per process activity; a second accountable for an activity is refused (400 on `raci`)."""

    queryset = ProcessRole.objects.select_related("person", "team")
    serializer_class = ProcessRoleSerializer
    create_service = staticmethod(services.process_role_create)
    update_service = staticmethod(services.process_role_update)

    @extend_schema(
        responses=RaciRowSerializer(many=True), description="The RACI matrix: one row per activity."
    )
    @action(detail=False, methods=["get"])
    def matrix(self, request):
        rows = selectors.raci_matrix(request.user, request.query_params.get("process") or None)
        return Response(
            [
                {
                    "process": row.process,
                    "process_label": str(row.label),
                    "activity": row.activity,
                    **{k: [str(r.holder) for r in v] for k, v in row.cells.items()},
                    "accountable_ok": row.accountable_count == 1,
                }
                for row in rows
            ]
        )


class SmsSettingsViewSet(RecordViewSet):
    """The SMS appointments (one record): the management representative and their duties."""

    queryset = SmsSettings.objects.select_related("management_representative", "appointed_by")
    create_service = staticmethod(services.settings_create)


class ObjectiveSerializer(RecordSerializer):
    target_display = serializers.CharField(read_only=True)
    off_track_without_action = serializers.BooleanField(read_only=True)

    class Meta:
        resource = ObjectiveResource


class ObjectiveViewSet(RecordViewSet):
    """Measurable objectives on a registered indicator; progress follows the monthly measurements."""

    queryset = Objective.objects.select_related("owner").prefetch_related("services", "requirements")
    serializer_class = ObjectiveSerializer
    create_service = staticmethod(services.objective_create)
    update_service = staticmethod(services.objective_update)
    transition_service = staticmethod(services.objective_transition)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ObjectiveMeasureResult",
            {"measured": serializers.IntegerField(), "tracking": serializers.CharField()},
        ),
        description="Measure the last whole month now (as the monthly job does).",
    )
    @action(detail=True, methods=["post"])
    def measure(self, request, pk=None):
        objective = self.get_object()
        self._require(permissions.CHANGE, objective)
        written = services.objective_measure_months(months=1, objectives=[objective], actor=request.user)
        objective.refresh_from_db()
        return Response({"measured": written, "tracking": objective.tracking})


class ObjectiveMeasurementViewSet(RecordViewSet):
    """Monthly values of an objective's indicator; the target and the verdict follow from the objective."""

    queryset = ObjectiveMeasurement.objects.select_related("objective")
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)


class SmsPlanSerializer(RecordSerializer):
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        resource = SmsPlanResource


class SmsPlanViewSet(RecordViewSet):
    """The service management plan (one); created with a section per content item. POST review/ records a
    review and sets the next one."""

    queryset = SmsPlan.objects.select_related("owner")
    serializer_class = SmsPlanSerializer
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)

    @extend_schema(
        request=None, responses=SmsPlanSerializer, description="Record a review of the plan today."
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        self._require(permissions.CHANGE, plan)
        plan = services.plan_review(actor=request.user, plan=plan)
        return Response(self.get_serializer(plan).data)


class PlanSectionViewSet(RecordViewSet):
    """Sections of the plan, one per content item: missing, draft or complete."""

    queryset = PlanSection.objects.select_related("plan", "owner")
    update_service = staticmethod(services.section_update)
    transition_service = staticmethod(services.section_transition)


class CommunicationEntryViewSet(RecordViewSet):
    """The communication plan: what, when, with whom, who and how."""

    queryset = CommunicationEntry.objects.select_related(
        "communicator", "communicator_team"
    ).prefetch_related("parties")


def register(router) -> None:
    """Add this app's resources to the API router (basenames are the model names)."""
    router.register("context-issues", ContextIssueViewSet, basename="contextissue")
    router.register("sms-interested-parties", StakeholderViewSet, basename="stakeholder")
    router.register("party-requirements", PartyRequirementViewSet, basename="partyrequirement")
    router.register("scope-statements", ScopeStatementViewSet, basename="scopestatement")
    router.register("commitments", CommitmentViewSet, basename="commitment")
    router.register("process-roles", ProcessRoleViewSet, basename="processrole")
    router.register("processes", ProcessDefinitionViewSet, basename="processdefinition")
    router.register("sms-settings", SmsSettingsViewSet, basename="smssettings")
    router.register("objectives", ObjectiveViewSet, basename="objective")
    router.register("objective-measurements", ObjectiveMeasurementViewSet, basename="objectivemeasurement")
    router.register("sms-plans", SmsPlanViewSet, basename="smsplan")
    router.register("plan-sections", PlanSectionViewSet, basename="plansection")
    router.register("communication-plan", CommunicationEntryViewSet, basename="communicationentry")
