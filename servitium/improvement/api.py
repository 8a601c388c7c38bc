"""REST resources of improvement: `nonconformities` (the path API.md names; it was conformity's),
`corrective-actions` and `improvement-opportunities` (the path relationships used)."""

from __future__ import annotations

from rest_framework import serializers

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity
from .resources import CorrectiveActionResource, ImprovementOpportunityResource, NonconformityResource


class SourceFields(serializers.Serializer):
    """The source record as `app_label.model` and the path of its page (read-only)."""

    source_object_type = serializers.SerializerMethodField(
        help_text="The record that raised it, as app_label.model (null when raised by hand)."
    )
    source_url = serializers.SerializerMethodField(help_text="Its page, when it has one.")

    def get_source_object_type(self, obj) -> str | None:
        if obj.source_type_id is None:
            return None
        return f"{obj.source_type.app_label}.{obj.source_type.model}"

    def get_source_url(self, obj) -> str:
        return obj.source_url()


class NonconformitySerializer(SourceFields, RecordSerializer):
    actions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of its corrective actions (corrective-actions/)."
    )

    class Meta:
        resource = NonconformityResource


class OpportunitySerializer(SourceFields, RecordSerializer):
    class Meta:
        resource = ImprovementOpportunityResource


class NonconformityViewSet(RecordViewSet):
    """Nonconformities from every source; transitions record_correction (correction), analyse_cause
    (root_cause), plan_action, complete_action, effective / not_effective (effectiveness_method), close
    (only after an effective check)."""

    queryset = Nonconformity.objects.select_related("source_type").prefetch_related("actions")
    serializer_class = NonconformitySerializer
    update_service = staticmethod(services.nonconformity_update)
    transition_service = staticmethod(services.nonconformity_transition)
    delete_service = staticmethod(services.nonconformity_delete)


class CorrectiveActionViewSet(RecordViewSet):
    """Corrective actions of nonconformities; transitions start, complete, cancel."""

    queryset = CorrectiveAction.objects.select_related("nonconformity")
    resource = CorrectiveActionResource
    create_service = staticmethod(services.corrective_action_create)
    transition_service = staticmethod(services.corrective_action_transition)


class OpportunityViewSet(RecordViewSet):
    """Improvement opportunities; transitions approve, reject (decision_note), start, implement, evaluate
    (evaluation)."""

    queryset = ImprovementOpportunity.objects.select_related("source_type")
    serializer_class = OpportunitySerializer
    update_service = staticmethod(services.opportunity_update)
    transition_service = staticmethod(services.opportunity_transition)
    delete_service = staticmethod(services.opportunity_delete)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("nonconformities", NonconformityViewSet, basename="nonconformity")
    router.register("corrective-actions", CorrectiveActionViewSet, basename="correctiveaction")
    router.register("improvement-opportunities", OpportunityViewSet, basename="improvementopportunity")
