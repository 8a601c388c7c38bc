"""`POST /api/v1/mail/inbound/`: the mail gateway over HTTP, so that `servitium mailgate` in an MTA pipe is a
small client that starts in milliseconds and the running server does the work (as Request Tracker's
rt-mailgate does). The body is the raw RFC 822 message.

The answers are the client's exit codes: 200 taken; 400 (unreadable) or 413 (over SERVITIUM_MAIL_MAX_BYTES)
with the reason in `detail`, a permanent fault the MTA bounces; 5xx a temporary one it retries. The body
is read here, up to that limit, rather than through Django's `request.body` (which stops at
DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MiB, for every other endpoint), and read to its end even when refused:
a server that answers before the client has sent everything breaks its pipe, which reads as temporary.
"""

from __future__ import annotations

from django.conf import settings
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
            413: OpenApiResponse(description="Over SERVITIUM_MAIL_MAX_BYTES (the MTA should bounce it)."),
        },
        description="Take one email message (raw RFC 822 body); for the mail-gateway or administrator role.",
    )
    def post(self, request):
        if not may_hand_in_mail(request.user):  # checked before the body is read: no stranger's upload
            raise PermissionDenied(_("Only the mail gateway may hand in mail."))
        raw, size = read_body(request, settings.MAIL_MAX_BYTES)
        if size > settings.MAIL_MAX_BYTES:
            detail = _("The message is %(size)d bytes, over this service desk's limit of %(max)d bytes.") % {
                "size": size,
                "max": settings.MAIL_MAX_BYTES,
            }
            return Response({"detail": detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            result = process(raw)
        except MalformedMessage as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_answer(result))


CHUNK = 1 << 20


def read_body(request, limit: int) -> tuple[bytes, int]:
    """The body, and its size; over `limit` bytes (by its Content-Length) the body is read to its end a
    chunk at a time and dropped."""
    stream = request.stream  # the WSGI input, ending at Content-Length; None without a body
    if stream is None:
        return b"", 0
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    chunks, total = [], 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if size <= limit and total <= limit:
            chunks.append(chunk)
    if size > limit or total > limit:
        return b"", max(total, size)
    return b"".join(chunks), total


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
