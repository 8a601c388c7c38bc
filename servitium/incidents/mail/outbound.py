"""Outbound ticket mail: every message carries the reference in its subject and threading headers
(Message-ID, In-Reply-To, References) so that the customer's reply finds its ticket again.

Messages are recorded as `MailMessage` rows in the caller's transaction and handed to the task queue
after commit, so a rolled-back change sends nothing and a slow SMTP server never holds a request.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import translation
from huey.contrib.djhuey import db_task

from servitium.core.jobs import as_job

from ..models import Incident, MailMessage
from .parsing import LOOP_HEADER

_silenced: ContextVar[bool] = ContextVar("servitium_mail_silenced", default=False)


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Send nothing from this block (demo data and history loads must not mail anyone)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def language_of(addresses: list[str]) -> str:
    """The language to write to these addresses in: the one their logins chose (through the login's own
    address or the person's), when they agree; the installation's default otherwise."""
    from servitium.parties.models import User

    wanted = {a.strip().lower() for a in addresses if a}
    if not wanted:
        return settings.LANGUAGE_CODE
    chosen = set(
        User.objects.filter(is_active=True)
        .filter(models.Q(email__in=wanted) | models.Q(person__email__in=wanted))
        .exclude(language="")
        .values_list("language", flat=True)
    )
    known = dict(settings.LANGUAGES)
    return chosen.pop() if len(chosen) == 1 and next(iter(chosen)) in known else settings.LANGUAGE_CODE


@contextlib.contextmanager
def speaking_to(addresses: list[str]) -> Iterator[None]:
    """Compose a message in its recipients' language, whatever the language of the request that caused it
    (a German agent's reply must not reach an English caller in German)."""
    with translation.override(language_of(addresses)):
        yield


def _thread_ids(incident: Incident) -> list[str]:
    ids = list(
        MailMessage.objects.filter(incident=incident)
        .exclude(outcome__in=MailMessage.IGNORED)
        .order_by("created", "id")
        .values_list("message_id", flat=True)
    )
    # The first message starts the thread; the latest few are enough for clients to place the reply.
    return ids[:1] + ids[1:][-9:]


def notify(
    incident: Incident,
    *,
    to: list[str],
    text: str,
    subject: str | None = None,
    automatic: bool = False,
    thread: list[str] | None = None,
) -> MailMessage | None:
    """Queue a message about a ticket. `automatic` marks acknowledgements and alerts as machine-written
    (RFC 3834 `Auto-Submitted: auto-replied`) so that other robots do not answer them. `thread` gives the
    Message-IDs to answer when the caller knows them (otherwise they are read from the ticket's mail)."""
    thread = _thread_ids(incident) if thread is None else thread
    return _queue(
        incident=incident,
        to=to,
        subject=f"[{incident.reference}] {subject or incident.title}",
        id_prefix=incident.reference,
        text=text,
        automatic=automatic,
        thread=thread,
    )


def answer_unthreaded(*, to: list[str], subject: str, in_reply_to: str, text: str) -> MailMessage | None:
    """Answer a message that belongs to no ticket (yet): machine-written, in the sender's thread."""
    return _queue(
        incident=None,
        to=to,
        subject=f"Re: {subject}" if subject else "Re:",
        id_prefix="answer",
        text=text,
        automatic=True,
        thread=[in_reply_to] if in_reply_to else [],
    )


def _queue(
    *,
    incident: Incident | None,
    to: list[str],
    subject: str,
    id_prefix: str,
    text: str,
    automatic: bool,
    thread: list[str],
) -> MailMessage | None:
    """Log the message in this transaction and hand it to the task queue after commit."""
    to = sorted({a.strip().lower() for a in to if a and "@" in a})
    if not to or _silenced.get():
        return None
    subject = subject[:255]
    message_id = f"<{id_prefix}.{uuid.uuid4().hex[:16]}@{settings.MAIL_DOMAIN}>"
    headers = {"Message-ID": message_id, LOOP_HEADER: settings.MAIL_DOMAIN}
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread)
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    record = MailMessage.objects.create(
        message_id=message_id,
        direction=MailMessage.Direction.OUTBOUND,
        incident=incident,
        sender=settings.DEFAULT_FROM_EMAIL,
        recipients=", ".join(to),
        subject=subject,
        outcome=MailMessage.Outcome.SENT,
    )
    payload = {"subject": subject, "body": text, "to": to, "headers": headers}
    transaction.on_commit(lambda: send_ticket_mail(payload))
    return record


@db_task(name="SendTicketMail", retries=5, retry_delay=60)
@as_job
def send_ticket_mail(payload: dict[str, Any]) -> None:
    EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        headers=payload["headers"],
    ).send()


# Higher apps (the portal's notification preferences) say whether a caller wants a topic's mail:
# (incident, topic) -> False to leave the caller out. Topics: "replies", "waiting", "resolved".
_CALLER_FILTERS: list[Callable[[Incident, str], bool]] = []


def register_caller_filter(wants: Callable[[Incident, str], bool]) -> None:
    if wants not in _CALLER_FILTERS:
        _CALLER_FILTERS.append(wants)


def caller_address(incident: Incident, topic: str = "") -> list[str]:
    """The caller's address for mail on `topic`, unless the caller said they do not want it."""
    if not (incident.caller_id and incident.caller.email):
        return []
    if topic and not all(wants(incident, topic) for wants in _CALLER_FILTERS):
        return []
    return [incident.caller.email]


def on_comment_saved(sender, instance, created: bool, **kwargs) -> None:
    """A public reply written by the provider (web or API) goes to the caller by mail, in the thread."""
    from servitium.core import permissions
    from servitium.core.models import Comment

    if not created or instance.visibility != Comment.Visibility.PUBLIC or instance.author_name:
        return
    if instance.target_type.model_class() is not Incident:
        return
    if instance.author is None or permissions.is_customer_user(instance.author):
        return
    incident = Incident.objects.select_related("caller").filter(pk=instance.object_id).first()
    if incident is not None:
        notify(incident, to=caller_address(incident, "replies"), text=instance.body)
