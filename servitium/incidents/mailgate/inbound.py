"""The inbound mail gateway: one message in, one outcome out.

A new message from a known person opens a ticket for their organization and is acknowledged with the
reference; a reply (In-Reply-To/References to a message we know, or the reference in the subject) is added
to its ticket as a public reply, resumes a ticket waiting for the customer and reopens a resolved one.
Machine-written mail (automatic replies, delivery reports, our own messages coming back) never opens or
touches a ticket, and a sender who writes too often is refused for the hour. A message from an address
nobody knows waits for an agent (triage.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.context import change_context
from servitium.core.models import Comment
from servitium.parties.models import Organization, Person

from .. import services
from ..mail import outbound
from ..mail.parsing import MalformedMessage, ParsedMail, parse, strip_quoted
from ..models import Incident, MailMessage
from . import triage
from .opening import open_ticket, store_attachments, ticket_author

logger = logging.getLogger(__name__)
Outcome = MailMessage.Outcome


@dataclass
class MailResult:
    outcome: str
    incident: Incident | None = None
    message_id: str = ""
    message: MailMessage | None = None  # the mail log's row

    @property
    def reference(self) -> str | None:
        return self.incident.reference if self.incident else None


def process(raw: bytes, *, now: dt.datetime | None = None) -> MailResult:
    """Take one RFC 822 message. Raises `parsing.MalformedMessage`, with the reason, for a message that
    can never be taken (unreadable, too large, content the database refuses): a permanent fault. Any other
    exception is a temporary failure (the database is unreachable, the disk is full): the caller lets the
    message be delivered again. Either way nothing of the message is stored."""
    mail = parse(raw)
    try:
        with change_context(context="mail"), transaction.atomic():
            return _process(mail, raw, now or timezone.now())
    except ValidationError as exc:
        # The message's own values break a rule of the record it would become: the same every time.
        logger.warning("mail %s refused: %s", mail.message_id, exc.messages)
        why = "; ".join(exc.messages)
        raise MalformedMessage(_("the message cannot be stored: %(why)s") % {"why": why}) from exc
    except DataError as exc:
        # The database refuses a value of the message (its type or length); also the same every time.
        logger.warning("mail %s refused by the database: %s", mail.message_id, exc)
        raise MalformedMessage(_("the message cannot be stored: %(why)s") % {"why": exc}) from exc


def _log(mail: ParsedMail, outcome: str, incident: Incident | None = None) -> MailResult:
    message = MailMessage.objects.create(
        message_id=mail.message_id,
        direction=MailMessage.Direction.INBOUND,
        incident=incident,
        sender=mail.sender[:254],
        recipients=", ".join(mail.recipients)[:2000],
        subject=mail.subject,
        outcome=outcome,
    )
    return MailResult(outcome, incident, mail.message_id, message)


def _seen(mail: ParsedMail, now: dt.datetime) -> tuple[bool, int]:
    """Whether this message was taken before, and how many the sender sent in the last hour (one query:
    both are asked of every message)."""
    same_id = Q(message_id=mail.message_id)
    last_hour = Q(sender=mail.sender, created__gte=now - dt.timedelta(hours=1))
    inbound = MailMessage.objects.filter(same_id | last_hour, direction=MailMessage.Direction.INBOUND)
    counts = inbound.aggregate(duplicates=Count("pk", filter=same_id), recent=Count("pk", filter=last_hour))
    return bool(counts["duplicates"]), counts["recent"]


def _process(mail: ParsedMail, raw: bytes, now: dt.datetime) -> MailResult:
    duplicate, recent = _seen(mail, now)
    if duplicate:
        return MailResult(Outcome.DUPLICATE, None, mail.message_id)
    if mail.machine_kind:
        return _log(mail, mail.machine_kind)
    if recent >= settings.MAIL_RATE_LIMIT_PER_HOUR:
        logger.warning("mail from %s refused: %d messages in the last hour", mail.sender, recent)
        return _log(mail, Outcome.RATE_LIMITED)
    person = Person.objects.select_related("organization", "user").filter(email__iexact=mail.sender).first()
    customer = person.organization if person else _unknown_sender_customer()
    if customer is None:
        if not settings.MAIL_TRIAGE:
            return _log(mail, Outcome.UNKNOWN_SENDER)
        result = _log(mail, Outcome.HELD)
        triage.hold(mail, raw, result.message)
        return result
    incident = _thread_target(mail)
    provider_side = person is not None and person.organization.kind == Organization.Kind.PROVIDER
    if incident is not None and (provider_side or incident.customer_id == customer.pk):
        if incident.status != Incident.Status.CLOSED:
            result = _log(mail, Outcome.APPENDED, incident)
            _append(incident, mail, person, provider_side, now)
            return result
        mail.text = _("Follow-up of %(ref)s, which is closed.") % {"ref": incident.reference} + (
            "\n\n" + mail.text
        )
    if provider_side:
        # Staff write to tickets; they do not open customer tickets by mail.
        return _log(mail, Outcome.UNKNOWN_SENDER)
    logged: list[MailResult] = []
    incident = open_ticket(
        mail, person, customer, now, log=lambda ticket: logged.append(_log(mail, Outcome.OPENED, ticket))
    )
    return logged[0] if logged else MailResult(Outcome.OPENED, incident, mail.message_id)


def _unknown_sender_customer() -> Organization | None:
    name = settings.MAIL_UNKNOWN_SENDER_CUSTOMER
    return Organization.objects.filter(name=name).first() if name else None


def _thread_target(mail: ParsedMail) -> Incident | None:
    if mail.in_reply_to:
        known = (
            MailMessage.objects.filter(message_id__in=mail.in_reply_to, incident__isnull=False)
            .select_related("incident")
            .order_by("-created")
            .first()
        )
        if known is not None:
            return known.incident
    if mail.reference:
        return Incident.objects.filter(reference=mail.reference).first()
    return None


def _append(
    incident: Incident, mail: ParsedMail, person: Person | None, provider_side: bool, now: dt.datetime
) -> None:
    text = strip_quoted(mail.text) or _("(empty message)")
    core_services.comment_store(
        target=incident,
        body=text,
        visibility=Comment.Visibility.PUBLIC,
        author=ticket_author(person),
        author_name=(mail.sender_name or mail.sender)[:200],
        actor=None,
    )
    store_attachments(incident, mail, person)
    if provider_side:
        outbound.notify(incident, to=outbound.caller_address(incident), text=text)
        return
    if incident.status == Incident.Status.PENDING_CUSTOMER:
        services.incident_transition(
            actor=None,
            instance=incident,
            transition="resume",
            note=_("The customer replied by mail."),
            now=now,
        )
    elif incident.status == Incident.Status.RESOLVED:
        services.incident_transition(
            actor=None,
            instance=incident,
            transition="reopen",
            note=_("The customer replied by mail after resolution."),
            now=now,
        )
