"""REST resources: webhook subscriptions (declared in resources.py), their delivery log, their secret
and the test delivery."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import outbound, permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import selectors, services
from .models import WebhookDelivery, WebhookSubscription
from .resources import WebhookSubscriptionResource


class WebhookSubscriptionSerializer(RecordSerializer):
    record_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        help_text="Record types as app_label.model (e.g. incidents.incident), from the declared ones.",
    )
    events = serializers.ListField(child=serializers.ChoiceField(choices=outbound.EVENTS))

    class Meta:
        resource = WebhookSubscriptionResource


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "object_type",
            "object_id",
            "state",
            "attempts",
            "status_code",
            "response_excerpt",
            "error",
            "duration_ms",
            "next_retry_at",
            "created",
            "finished_at",
        ]


SecretSerializer = inline_serializer("WebhookSecret", {"secret": serializers.CharField()})


class WebhookSubscriptionViewSet(RecordViewSet):
    """Where Servitium POSTs signed events (docs/api.md "Outbound webhooks"). Administrators only.
    `deliveries/` lists the last deliveries, `test/` sends a ping, `secret/` reads (GET) or rotates
    (POST) the signing secret."""

    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    create_service = staticmethod(services.subscription_create)
    update_service = staticmethod(services.subscription_update)
    delete_service = staticmethod(services.subscription_delete)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def deliveries(self, request: Request, pk=None) -> Response:
        subscription = self.get_object()
        rows = selectors.recent_deliveries(subscription)
        return Response(WebhookDeliverySerializer(rows, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def test(self, request: Request, pk=None) -> Response:
        subscription = self.get_object()
        self._require(permissions.CHANGE, subscription)
        sent = services.send_ping(actor=request.user, instance=subscription)
        return Response(WebhookDeliverySerializer(sent).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(methods=["GET"], request=None, responses=SecretSerializer)
    @extend_schema(methods=["POST"], request=None, responses=SecretSerializer)
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def secret(self, request: Request, pk=None) -> Response:
        subscription = self.get_object()
        self._require(permissions.CHANGE, subscription)  # auditors read subscriptions, not their keys
        if request.method == "POST":
            subscription = services.secret_rotate(actor=request.user, instance=subscription)
        return Response({"secret": subscription.secret})


def register(router) -> None:
    router.register("webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhooksubscription")
