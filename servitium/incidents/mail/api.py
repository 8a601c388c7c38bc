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

from .inbound import process
from .parsing import MalformedMessage

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
        roles = permissions.user_roles(request.user)
        if not (request.user.is_superuser or MAIL_GATEWAY in roles or permissions.ADMINISTRATOR in roles):
            raise PermissionDenied(_("Only the mail gateway may hand in mail."))
        try:
            result = process(request.body)
        except MalformedMessage as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"outcome": result.outcome, "reference": result.reference, "message_id": result.message_id}
        )
