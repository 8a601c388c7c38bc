"""What incident management shows on its own queue beside the tickets (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel

from .models import HeldMail


def held_mail_notice(_obj: Any, user: Any) -> dict[str, Any] | None:
    """On the queue: how many messages from unknown senders wait for someone to take them in."""
    if not permissions.is_provider_user(user):
        return None
    waiting = permissions.restrict(HeldMail.objects.filter(status=HeldMail.Status.WAITING), user).count()
    if not waiting:
        return None
    return {"waiting": waiting, "url": reverse("incidents:heldmail_list") + "?status=waiting"}


def register() -> None:
    register_panel(
        "incidents.incident", "incidents/_held_mail_notice.html", held_mail_notice, page=LIST, order=5
    )
