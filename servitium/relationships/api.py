"""REST resources of business relationship management."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import BoundedPrimaryKeyRelatedField
from servitium.core.declaration import Resource
from servitium.parties.models import Person

from . import services
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
from .resources import (
    CommunicationResource,
    ComplaintDefinitionResource,
    ComplaintResource,
    CustomerRelationshipResource,
    InterestedPartyResource,
    SurveyInvitationResource,
    SurveyResource,
    SurveyResponseResource,
)
from .selectors import survey_analysis_for


def declared(resource: type[Resource], basename: str) -> type[RecordSerializer]:
    """The declaration's serializer, its `url` named after the route (`customer-relationship-detail`)."""
    meta = type("Meta", (), {"resource": resource})
    return type(
        f"{resource.model.__name__}Serializer",
        (RecordSerializer,),
        {
            "Meta": meta,
            "build_url_field": lambda self, field_name, model_class: (
                serializers.HyperlinkedIdentityField,
                {"view_name": f"api:{basename}-detail"},
            ),
        },
    )


class CustomerRelationshipViewSet(RecordViewSet):
    """The relationship manager and business context per customer."""

    queryset = CustomerRelationship.objects.all()
    serializer_class = declared(CustomerRelationshipResource, "customer-relationship")


class InterestedPartyViewSet(RecordViewSet):
    queryset = InterestedParty.objects.all()
    serializer_class = declared(InterestedPartyResource, "interested-party")


class CommunicationViewSet(RecordViewSet):
    """The communication log with customers."""

    queryset = Communication.objects.prefetch_related("participants")
    serializer_class = declared(CommunicationResource, "communication")
    create_service = staticmethod(services.communication_create)
    update_service = staticmethod(services.communication_update)


class ComplaintDefinitionViewSet(RecordViewSet):
    queryset = ComplaintDefinition.objects.all()
    serializer_class = declared(ComplaintDefinitionResource, "complaint-definition")


ComplaintSerializer = declared(ComplaintResource, "complaint")


class EscalationSerializer(serializers.Serializer):
    reason = serializers.CharField()
    to = BoundedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)


class ComplaintViewSet(RecordViewSet):
    """Service complaints. Customer users raise them for their own organization and follow them."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)
    transition_service = staticmethod(services.complaint_transition)

    @extend_schema(request=EscalationSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Escalate when normal channels have not resolved the complaint."""
        complaint = self.get_object()
        self._require(permissions.CHANGE, complaint)
        payload = EscalationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        complaint = services.complaint_escalate(
            actor=request.user,
            instance=complaint,
            reason=payload.validated_data["reason"],
            to=payload.validated_data.get("to"),
        )
        return Response(self.get_serializer(complaint).data)


SurveySerializer = declared(SurveyResource, "survey")


class SurveyRoundSerializer(serializers.Serializer):
    sample_size = serializers.IntegerField(min_value=1, max_value=100_000, help_text="How many people.")
    seed = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=2**63 - 1,
        help_text="The same seed, the same sample.",
    )
    label = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50, help_text="The round (default: today)."
    )


class SurveyInvitationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    customer = serializers.IntegerField()


class SurveyRoundResultSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    invitations = SurveyInvitationSummarySerializer(many=True)


class SurveyGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    responses = serializers.IntegerField()
    mean_score = serializers.FloatField(allow_null=True)


class SurveyAnalysisSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    mean_score = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="Score 1-5 -> responses."
    )
    invited = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    by_service = SurveyGroupSerializer(many=True)
    by_customer = SurveyGroupSerializer(many=True)
    low_scores = serializers.IntegerField()


class SurveyViewSet(RecordViewSet):
    """Satisfaction surveys; transitions `open` and `close` (also as the `open/` and `close/` actions),
    `send-round` and `analysis`."""

    queryset = Survey.objects.prefetch_related("services")
    serializer_class = SurveySerializer
    update_service = staticmethod(services.survey_update)
    delete_service = staticmethod(services.survey_delete)
    transition_service = staticmethod(services.survey_transition)

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"], url_path="open")
    def open_survey(self, request, pk=None):
        survey = self.get_object()
        self._require(permissions.CHANGE, survey)
        return Response(
            self.get_serializer(
                services.survey_set_status(actor=request.user, survey=survey, status="open")
            ).data
        )

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"], url_path="close")
    def close_survey(self, request, pk=None):
        survey = self.get_object()
        self._require(permissions.CHANGE, survey)
        return Response(
            self.get_serializer(
                services.survey_set_status(actor=request.user, survey=survey, status="closed")
            ).data
        )

    @extend_schema(request=SurveyRoundSerializer, responses={201: SurveyRoundResultSerializer})
    @action(detail=True, methods=["post"], url_path="send-round")
    def send_round(self, request, pk=None):
        """Invite a representative sample (stratified by customer; repeatable with the same seed)."""
        survey = self.get_object()
        self._require(permissions.CHANGE, survey)
        payload = SurveyRoundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitations = services.survey_round_send(
            actor=request.user,
            survey=survey,
            sample_size=payload.validated_data["sample_size"],
            seed=payload.validated_data["seed"],
            label=payload.validated_data["label"],
        )
        return Response(
            {
                "invited": len(invitations),
                "invitations": [
                    {"id": i.pk, "person": i.person_id, "customer": i.customer_id} for i in invitations
                ],
            },
            status=201,
        )

    @extend_schema(responses={200: SurveyAnalysisSerializer})
    @action(detail=True, methods=["get"])
    def analysis(self, request, pk=None):
        """Responses, mean score and distribution overall, per service and per customer (what you may see)."""
        return Response(survey_analysis_for(self.get_object(), request.user))


class SurveyResponseViewSet(RecordViewSet):
    """Answers to surveys; a customer user answers for their own organization. Answers are kept as given."""

    http_method_names = ["get", "post", "delete", "head", "options"]
    queryset = SurveyResponse.objects.all()
    serializer_class = declared(SurveyResponseResource, "survey-response")
    create_service = staticmethod(services.survey_response_submit)


class InvitationViewSet(RecordViewSet):
    """The people sampled by each survey round (written by `send-round` only)."""

    http_method_names = ["get", "head", "options"]
    queryset = SurveyInvitation.objects.all()
    serializer_class = declared(SurveyInvitationResource, "survey-invitation")


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("customer-relationships", CustomerRelationshipViewSet, basename="customer-relationship")
    router.register("interested-parties", InterestedPartyViewSet, basename="interested-party")
    router.register("communications", CommunicationViewSet, basename="communication")
    router.register("complaint-definitions", ComplaintDefinitionViewSet, basename="complaint-definition")
    router.register("complaints", ComplaintViewSet, basename="complaint")
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
    router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
