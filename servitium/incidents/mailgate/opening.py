"""Opening a ticket from a message: for a known sender at once, for a held one when an agent accepts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.models import Comment
from servitium.parties.models import Organization, Person

from .. import services
from ..mail import outbound
from ..mail.parsing import ParsedMail
from ..models import Incident


def ticket_author(person: Person | None):
    user = person.user if person and person.user_id else None
    return user if user is not None and user.is_active else None


def open_ticket(
    mail: ParsedMail,
    person: Person | None,
    customer: Organization,
    now: dt.datetime,
    *,
    actor: Any = None,
    log: Any = None,
) -> Incident:
    """Open the ticket, keep the attachments and acknowledge it with the reference. `log(incident)` records
    the message in the mail log (the gateway's own; an accepted held message is logged already)."""
    incident = services.incident_create(
        actor=actor,
        data={
            "title": (mail.subject or _("(no subject)"))[: Incident._meta.get_field("title").max_length],
            "description": mail.text,
            "customer": customer,
            "caller": person,
            "channel": Incident.Channel.EMAIL,
        },
        now=now,
    )
    if log is not None:
        log(incident)
    store_attachments(incident, mail, person)
    with outbound.speaking_to([mail.sender]):
        text = _(
            "Thank you, we have recorded your message as %(ref)s.\n\n"
            "Reply to this message to add information; please keep %(ref)s in the subject."
        ) % {"ref": incident.reference}
    outbound.notify(
        incident,
        to=[mail.sender],
        subject=incident.title,
        automatic=True,
        thread=[mail.message_id],  # the customer's message is all the new ticket's thread holds
        text=text,
    )
    return incident


def store_attachments(incident: Incident, mail: ParsedMail, person: Person | None) -> None:
    refused = []
    for item in mail.attachments:
        upload = SimpleUploadedFile(item.name[:200], item.data, content_type=item.content_type)
        try:
            with transaction.atomic():
                core_services.attachment_store(target=incident, upload=upload, actor=ticket_author(person))
        except ValidationError as exc:
            refused.append(f"{item.name}: {'; '.join(m for ms in exc.message_dict.values() for m in ms)}")
    refused += mail.skipped  # parts the parser could not read
    if refused:
        Comment.objects.create(
            target_type=ContentType.objects.get_for_model(Incident),
            object_id=incident.pk,
            body=_("Attachments not kept:") + "\n" + "\n".join(refused),
            visibility=Comment.Visibility.INTERNAL,
            author_name="mail gateway",
        )
