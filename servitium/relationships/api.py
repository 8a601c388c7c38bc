"""REST resources of business relationship management."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import RestrictedPrimaryKeyRelatedField
from servitium.parties.models import Person

from . import services
from .lifecycle import COMPLAINT_WORKFLOW
from .models import (
    Communication,
    Complaint,
    ComplaintDefinition,
    CustomerRelationship,
    ImprovementOpportunity,
    InterestedParty,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from .selectors import survey_analysis


def _url(name: str):
    return serializers.HyperlinkedIdentityField, {"view_name": f"api:{name}-detail"}


def simple(model, name: str, fields: list[str], read_only: tuple[str, ...] = ()):
    """A serializer for a plain record: explicit fields, related records by id."""
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": ["id", "url", *fields, "created", "updated"],
            "read_only_fields": list(read_only),
        },
    )
    return type(
        f"{model.__name__}Serializer",
        (RecordSerializer,),
        {
            "Meta": meta,
            "build_url_field": lambda self, f, m: _url(name),
        },
    )


class CustomerRelationshipViewSet(RecordViewSet):
    """The relationship manager and business context per customer."""

    queryset = CustomerRelationship.objects.select_related("customer", "relationship_manager")
    serializer_class = simple(
        CustomerRelationship,
        "customer-relationship",
        ["customer", "relationship_manager", "business_context", "next_review_due"],
    )
    filterset_fields = ["customer", "relationship_manager"]
    ordering_fields = ["created", "next_review_due"]


class InterestedPartyViewSet(RecordViewSet):
    queryset = InterestedParty.objects.select_related("customer", "person")
    serializer_class = simple(
        InterestedParty, "interested-party", ["customer", "person", "name", "kind", "interest"]
    )
    filterset_fields = ["customer", "kind"]
    search_fields = ["name", "interest"]
    ordering_fields = ["name", "created"]


class CommunicationViewSet(RecordViewSet):
    """The communication log with customers."""

    queryset = Communication.objects.select_related("customer").prefetch_related("participants")
    serializer_class = simple(
        Communication,
        "communication",
        ["customer", "occurred_on", "channel", "summary", "participants", "follow_up"],
    )
    filterset_fields = ["customer", "channel"]
    search_fields = ["summary", "follow_up"]
    ordering_fields = ["occurred_on", "created"]


class ComplaintDefinitionViewSet(RecordViewSet):
    queryset = ComplaintDefinition.objects.select_related("customer")
    serializer_class = simple(
        ComplaintDefinition, "complaint-definition", ["customer", "definition", "agreed_on", "agreed_with"]
    )
    filterset_fields = ["customer"]
    ordering_fields = ["created"]


class ComplaintSerializer(RecordSerializer):
    customer = RestrictedPrimaryKeyRelatedField(
        queryset=CustomerRelationship._meta.get_field("customer").related_model.objects.all(), required=False
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "url",
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
            "escalated_at",
            "escalated_to",
            "escalation_reason",
            "resolved_at",
            "closed_at",
            "created",
            "updated",
        ]
        read_only_fields = [
            "reference",
            "status",
            "escalation_level",
            "escalated_at",
            "escalated_to",
            "escalation_reason",
            "resolved_at",
            "closed_at",
        ]

    def build_url_field(self, field_name, model_class):
        return _url("complaint")

    def validate(self, attrs):
        request = self.context.get("request")
        if (
            self.instance is None
            and not attrs.get("customer")
            and not permissions.is_customer_user(request.user)
        ):
            raise serializers.ValidationError({"customer": "Name the customer organization that complains."})
        return attrs


class EscalationSerializer(serializers.Serializer):
    reason = serializers.CharField()
    to = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)


class ComplaintViewSet(RecordViewSet):
    """Service complaints. Customer users raise them for their own organization and follow them."""

    queryset = Complaint.objects.select_related("customer", "raised_by", "service")
    serializer_class = ComplaintSerializer
    filterset_fields = ["customer", "status", "service", "escalation_level"]
    search_fields = ["title", "description", "reference"]
    ordering_fields = ["created", "reference", "escalation_level"]
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)
    workflow = COMPLAINT_WORKFLOW
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


SurveySerializer = simple(
    Survey,
    "survey",
    ["title", "kind", "status", "questions", "services", "period_start", "period_end", "low_score_threshold"],
    read_only=("status",),
)


class SurveyViewSet(RecordViewSet):
    """Satisfaction surveys; `open`, `close`, `send-round` and `analysis` actions."""

    queryset = Survey.objects.prefetch_related("services")
    serializer_class = SurveySerializer
    filterset_fields = ["kind", "status", "services"]
    search_fields = ["title"]
    ordering_fields = ["created", "title"]

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

    @extend_schema(
        request=inline_serializer(
            "SurveyRound",
            {
                "sample_size": serializers.IntegerField(min_value=1),
                "seed": serializers.IntegerField(),
                "label": serializers.CharField(required=False),
            },
        ),
        responses={201: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path="send-round")
    def send_round(self, request, pk=None):
        """Invite a representative sample (stratified by customer; repeatable with the same seed)."""
        survey = self.get_object()
        self._require(permissions.CHANGE, survey)
        try:
            size, seed = int(request.data.get("sample_size", 0)), int(request.data.get("seed", 0))
        except (TypeError, ValueError):
            raise serializers.ValidationError(
                {"sample_size": ["Give whole numbers for sample_size and seed."]}
            ) from None
        invitations = services.survey_round_send(
            actor=request.user,
            survey=survey,
            sample_size=size,
            seed=seed,
            label=str(request.data.get("label", "")),
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

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def analysis(self, request, pk=None):
        """Responses, mean score and distribution overall, per service and per customer (what you may see)."""
        survey = self.get_object()
        visible = permissions.restrict(SurveyResponse.objects.filter(survey=survey), request.user)
        return Response(survey_analysis(survey, visible))


class SurveyResponseSerializer(RecordSerializer):
    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "url",
            "survey",
            "invitation",
            "respondent",
            "customer",
            "service",
            "answers",
            "score",
            "created",
        ]
        read_only_fields = ["score"]
        extra_kwargs = {"customer": {"required": False}}

    def build_url_field(self, field_name, model_class):
        return _url("survey-response")


class SurveyResponseViewSet(RecordViewSet):
    """Answers to surveys; a customer user answers for their own organization."""

    queryset = SurveyResponse.objects.select_related("survey", "customer", "service")
    serializer_class = SurveyResponseSerializer
    filterset_fields = ["survey", "customer", "service"]
    ordering_fields = ["created", "score"]
    create_service = staticmethod(services.survey_response_submit)


class InvitationViewSet(RecordViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = SurveyInvitation.objects.select_related("survey", "person", "customer")
    serializer_class = simple(
        SurveyInvitation, "survey-invitation", ["survey", "person", "customer", "round_label", "responded"]
    )
    filterset_fields = ["survey", "customer", "responded", "round_label"]


class ImprovementViewSet(RecordViewSet):
    queryset = ImprovementOpportunity.objects.select_related("service", "customer")
    serializer_class = simple(
        ImprovementOpportunity,
        "improvement-opportunity",
        ["source", "description", "service", "customer", "survey_response", "status"],
    )
    filterset_fields = ["source", "status", "service", "customer"]
    search_fields = ["description"]
    ordering_fields = ["created"]


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
    router.register("improvement-opportunities", ImprovementViewSet, basename="improvement-opportunity")
