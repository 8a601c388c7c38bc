"""What a customer user does about its cloud services in the portal, each through the owning app's services
after the same permission check the API makes (`permissions.can` on the record for the action the
declaration opens to customers): marking its own onboarding steps done and accepting the service, raising
a resource request, agreeing an exit plan and confirming receipt of a data export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from servitium.cloud import services as cloud_services
from servitium.cloud.models import OnboardingTask, ResourceRequest, Subscription
from servitium.core import permissions
from servitium.core.errors import NotPermitted, TransitionNotAllowed
from servitium.exits import services as exit_services
from servitium.exits.lifecycle import ACKNOWLEDGE
from servitium.exits.models import DataExport, ExitPlan


def task_done(*, actor: Any, task: OnboardingTask, note: str = "") -> OnboardingTask:
    """Mark one of the customer's onboarding steps done; the acceptance step accepts the service."""
    if not permissions.can(actor, permissions.CHANGE, task):
        raise NotPermitted(_("This step is ours to do, not yours."))
    return cloud_services.task_complete(actor=actor, instance=task, note=note)


def resource_request(
    *, actor: Any, subscription: Subscription, resource: str, change: Decimal, justification: str
) -> ResourceRequest:
    """Ask for more (or fewer) of a resource: approved at once within the quota, else it waits for the
    provider's approval (the cloud services decide)."""
    data = {
        "subscription": subscription,
        "resource": resource,
        "change": change,
        "justification": justification,
    }
    return cloud_services.request_create(actor=actor, data=data)


def plan_acknowledge(*, actor: Any, plan: ExitPlan) -> ExitPlan:
    """The customer agrees a draft exit plan (as the person its account belongs to)."""
    if not permissions.can(actor, ACKNOWLEDGE, plan):
        raise NotPermitted(_("Only a user of the customer agrees its exit plan."))
    if plan.status != ExitPlan.Status.DRAFT:
        raise TransitionNotAllowed(
            _("%(ref)s is %(status)s: there is nothing left to agree.")
            % {"ref": plan.reference, "status": plan.get_status_display()}
        )
    return exit_services.plan_transition(actor=actor, instance=plan, transition="acknowledge")


def export_acknowledge(*, actor: Any, export: DataExport) -> DataExport:
    """Confirm that the organization received its data export."""
    if not permissions.can(actor, ACKNOWLEDGE, export):
        raise NotPermitted(_("Only a user of the customer confirms receipt of its data."))
    E = DataExport.Status
    if export.status == E.ACKNOWLEDGED:
        raise TransitionNotAllowed(_("You confirmed receipt of %(ref)s already.") % {"ref": export.reference})
    if export.status != E.HANDED_OVER:
        raise TransitionNotAllowed(
            _("%(ref)s has not been handed over to you yet: confirm receipt once it has.")
            % {"ref": export.reference}
        )
    return exit_services.export_acknowledge(actor=actor, instance=export)
