"""Handing a signed chain head to a witness outside Servitium's reach: a webhook, mail (core/anchors.py).

Through the task queue, so that a slow witness never holds up sealing; each head is on disk before it is
queued. A failure is logged with the position it was about and retried (10 times, a minute apart); a
witness that stays unreachable misses that head only (the next one covers the chain up to it). The
witness receives the signed line and the public key to check it with.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from huey.contrib.djhuey import db_task

from . import ledgerkey

logger = logging.getLogger(__name__)
TIMEOUT_S = 10


def line_text(line: dict[str, Any]) -> str:
    """A signed line as it stands in the anchor file (and in the witnesses' mail)."""
    return json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def send(line: dict[str, Any]) -> None:
    """Queue the line for each configured witness."""
    if settings.ANCHOR_WEBHOOK:
        send_anchor_webhook(line)
    if settings.ANCHOR_EMAIL:
        send_anchor_mail(line)


@db_task(name="SendChangeLogAnchorWebhook", retries=10, retry_delay=60)
def send_anchor_webhook(line: dict[str, Any]) -> None:
    post(line)


@db_task(name="SendChangeLogAnchorMail", retries=10, retry_delay=60)
def send_anchor_mail(line: dict[str, Any]) -> None:
    mail(line)


def envelope(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "servitium-changelog-anchor",
        "anchor": line,
        "public_key": ledgerkey.public_pem(ledgerkey.current().public),
    }


def post(line: dict[str, Any]) -> None:
    import urllib.error  # here: every process imports this module, few send anything
    import urllib.request

    url = settings.ANCHOR_WEBHOOK
    if not url.startswith(("https://", "http://")):
        raise ValueError("SERVITIUM_ANCHOR_WEBHOOK must be an http(s) address")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(envelope(line), sort_keys=True).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Servitium change-log anchor"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            response.read(1024)
    except (urllib.error.URLError, OSError) as exc:  # HTTPError (a non-2xx answer) is a URLError
        logger.warning("change-log anchor seq %s: the webhook witness failed: %s", line.get("seq"), exc)
        raise


def mail(line: dict[str, Any]) -> None:
    from django.core.mail import EmailMessage

    body = (
        "Servitium sealed its change log up to the position below and signed the chain head.\n"
        "Keep this message: `servitium verify-changelog` on the server compares the database with these\n"
        "signed heads, and anyone can check the signature with the public key below.\n\n"
        f"{line_text(line)}\n\n{ledgerkey.public_pem(ledgerkey.current().public)}"
    )
    try:
        EmailMessage(
            subject=f"Servitium change-log anchor: {line.get('kind')} seq {line.get('seq', '-')}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(settings.ANCHOR_EMAIL),
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
    except Exception as exc:
        logger.warning("change-log anchor seq %s: the mail witness failed: %s", line.get("seq"), exc)
        raise
