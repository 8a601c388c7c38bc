"""`POST /api/v1/mail/inbound/`: the mail gateway over HTTP, so that `servitium mailgate` in an MTA pipe is a
small client that starts in milliseconds and the running server does the work (as Request Tracker's
rt-mailgate does). The body is the raw RFC 822 message."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from servitium.core import permissions
from servitium.core.api import lane

from ..mail.parsing import MalformedMessage
from .inbound import MailResult, process

MAIL_GATEWAY = "mail-gateway"


class InboundMailView(APIView):
    parser_classes: list = []  # the body is read raw, never parsed as a form or JSON

    @extend_schema(
        request={"message/rfc822": {"type": "string", "format": "binary"}},
        responses={
            200: inline_serializer(
                "InboundMailResult",
                {
                    "outcome": serializers.CharField(),
                    "reference": serializers.CharField(allow_null=True),
                    "message_id": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="Not a usable message (the MTA should bounce it)."),
        },
        description="Take one email message (raw RFC 822 body); for the mail-gateway or administrator role.",
    )
    def post(self, request):
        if not may_hand_in_mail(request.user):
            raise PermissionDenied(_("Only the mail gateway may hand in mail."))
        try:
            result = process(request.body)
        except MalformedMessage as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_answer(result))


def may_hand_in_mail(user) -> bool:
    roles = permissions.user_roles(user)
    return user.is_superuser or MAIL_GATEWAY in roles or permissions.ADMINISTRATOR in roles


def _answer(result: MailResult) -> dict:
    return {"outcome": result.outcome, "reference": result.reference, "message_id": result.message_id}


@lane.route("api:mail-inbound", "POST", allow="POST, OPTIONS", media="message/rfc822")
def _lane_inbound(request) -> tuple[int, dict] | None:
    """The MTA pipe's call through the fast lane; refusals and unusable messages get the full stack's
    answer (nothing is written before the message is parsed and the sender checked)."""
    if not may_hand_in_mail(request.user):
        return None
    try:
        result = process(request.data)
    except MalformedMessage:
        return None
    request.lane_committed = True
    return 200, _answer(result)
