"""Mail from addresses nobody knows: held for an agent instead of dropped.

A customer's new employee writing to the service desk must not go unheard. Their message waits in a
triage queue; the sender is told it arrived (unless `SERVITIUM_MAIL_TRIAGE_ANSWER` is off). An agent
accepts it (naming the organization: the sender becomes a person of it and the message a ticket, with its
attachments, acknowledged as any new ticket) or rejects it (spam, a wrong address), and the decision is in
the change log like any other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.parties.models import Organization, Person

from ..lifecycle import HELD_MAIL_WORKFLOW
from ..mail import outbound
from ..mail.parsing import ParsedMail, parse
from ..models import HeldMail, MailMessage
from .opening import open_ticket


def hold(mail: ParsedMail, raw: bytes, message: MailMessage) -> HeldMail:
    """Keep a message from an unknown sender for triage and tell the sender it arrived."""
    held = core_services.record_create(
        model=HeldMail,
        data={},
        derived={
            "message": message,
            "sender": mail.sender[:254],
            "sender_name": (mail.sender_name or "")[:200],
            "subject": mail.subject[:255],
            "text": mail.text,
            "raw": raw,
            "organization": suggested_organization(mail.sender),
        },
        actor=None,
    )
    if settings.MAIL_TRIAGE_ANSWER:
        outbound.answer_unthreaded(
            to=[mail.sender],
            subject=mail.subject,
            in_reply_to=mail.message_id,
            text=_(
                "Thank you for your message. Your address is not yet known to our service desk, so a "
                "member of the team will look at it and answer you. You do not need to write again."
            ),
        )
    return held


def suggested_organization(address: str) -> Organization | None:
    """The customer whose people write from the same domain, when exactly one does (a guess the agent
    confirms; public mail domains match nobody since several organizations' people use them)."""
    domain = address.rpartition("@")[2].lower()
    if not domain:
        return None
    rows = (
        Person.objects.filter(email__iendswith="@" + domain, organization__kind=Organization.Kind.CUSTOMER)
        .values("organization")
        .annotate(n=Count("pk"))[:2]
    )
    ids = [r["organization"] for r in rows]
    return Organization.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None


def waiting(queryset: QuerySet[HeldMail]) -> QuerySet[HeldMail]:
    return queryset.filter(status=HeldMail.Status.WAITING)


@transaction.atomic
def held_mail_transition(
    *, actor: Any, instance: HeldMail, transition: str, note: str = "", data: dict | None = None
) -> HeldMail:
    """Accept (open a ticket for the named organization) or reject a held message."""
    held = HeldMail.objects.select_for_update().get(pk=instance.pk)
    organization = (data or {}).get("organization")
    if organization not in (None, ""):
        held.organization = _customer(organization)
    step = HELD_MAIL_WORKFLOW.check(held, held.status, transition)
    extra: dict[str, Any] = {"organization": held.organization, "decision_note": note.strip()}
    if step.name == "accept":
        person = _person_for(held, actor)
        mail = parse(bytes(held.raw))
        incident = open_ticket(mail, person, held.organization, timezone.now(), actor=actor)
        # Replies to the original message find the ticket through the mail log.
        MailMessage.objects.filter(pk=held.message_id).update(incident=incident)
        extra.update(person=person, incident=incident)
    return core_services.record_transition(
        instance=held,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def _customer(value: Any) -> Organization:
    pk = value.pk if isinstance(value, Organization) else value
    try:
        return Organization.objects.get(pk=int(pk), kind=Organization.Kind.CUSTOMER)
    except (TypeError, ValueError, Organization.DoesNotExist):
        raise ValidationError(
            {"organization": _("%(value)r is not a customer organization.") % {"value": value}}
        ) from None


def _person_for(held: HeldMail, actor: Any) -> Person:
    """The sender as a person of the organization (found again if someone added them meanwhile)."""
    known = Person.objects.filter(email__iexact=held.sender).first()
    if known is not None:
        if known.organization_id != held.organization_id:
            raise ValidationError(
                {
                    "organization": _("%(address)s already belongs to %(org)s.")
                    % {"address": held.sender, "org": known.organization}
                }
            )
        return known
    name = held.sender_name.strip() or held.sender.partition("@")[0]
    return core_services.record_create(
        model=Person,
        data={},
        derived={"name": name[:200], "email": held.sender, "organization": held.organization},
        actor=actor,
    )
