"""Service requests raised from catalogue request items, and their approval step."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.errors import NotPermitted, TransitionNotAllowed
from servitium.parties.models import Person

from . import clocks
from .models import Approval, Incident, RequestItem


def apply_request_item(data: dict[str, Any]) -> dict[str, Any]:
    """Fill a new service request from its request item: service, fulfilment group, approval step."""
    item: RequestItem | None = data.get("request_item")
    if item is None:
        return data
    if data.get("kind") == Incident.Kind.INCIDENT:
        raise ValidationError(
            {"request_item": [_("Request items raise service requests: use service-requests.")]}
        )
    if not item.active:
        raise ValidationError({"request_item": [_("%(item)s is no longer offered.") % {"item": item}]})
    if data.get("service") not in (None, item.service):
        raise ValidationError({"service": [_("The request item belongs to %(s)s.") % {"s": item.service}]})
    data = {**data, "service": item.service, "kind": Incident.Kind.REQUEST}
    if item.fulfilment_group_id and not data.get("assignment_group"):
        data["assignment_group"] = item.fulfilment_group
    if item.needs_approval:
        data["approval"] = Approval.PENDING
    if not data.get("title"):
        data["title"] = item.name
    return data


def may_approve(user: Any, incident: Incident) -> bool:
    """The item's named approver, or (with no approver named) the customer's own users; provider
    managers of the incidents area may always decide."""
    if permissions.area_allows(user, "incidents", permissions.ALL):
        return True
    item = incident.request_item
    if item is not None and item.approver_id:
        return Person.objects.filter(pk=item.approver_id, user=user).exists()
    return permissions.is_customer_user(user) and user.organization_id == incident.customer_id


@transaction.atomic
def request_decide(*, actor: Any, incident: Incident, decision: str, note: str = "") -> Incident:
    """Approve or reject a request awaiting approval; a rejected request is closed and its clocks stop."""
    incident = (
        Incident.objects.select_for_update(of=("self",)).select_related("request_item").get(pk=incident.pk)
    )
    if incident.approval != Approval.PENDING:
        raise TransitionNotAllowed(_("%(ref)s is not waiting for approval.") % {"ref": incident.reference})
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": [_("The decision is 'approve' or 'reject'.")]})
    if not may_approve(actor, incident):
        raise NotPermitted(_("You may not decide on this request."))
    approver = Person.objects.filter(user=actor).first() if getattr(actor, "pk", None) else None
    if decision == "approve":
        data = {"approval": Approval.APPROVED, "approved_by": approver}
        if incident.assignment_group_id and incident.status == Incident.Status.NEW:
            data["status"] = Incident.Status.ASSIGNED
        return core_services.record_transition(
            instance=incident,
            actor=actor,
            field="approval",
            target=Approval.APPROVED,
            message=note or _("Request approved"),
            extra={k: v for k, v in data.items() if k != "approval"},
        )
    now = timezone.now()
    clocks.clocks_cancel(incident, now)
    return core_services.record_transition(
        instance=incident,
        actor=actor,
        field="approval",
        target=Approval.REJECTED,
        message=note or _("Request rejected"),
        extra={
            "approved_by": approver,
            "status": Incident.Status.CLOSED,
            "closure_code": "rejected",
            "resolution_notes": note,
            "closed_at": now,
        },
    )
