"""What a customer user reads about its organization's cloud services in the portal: subscriptions with
their quotas and use, the onboarding steps that are theirs, resource requests, exit plans with their data
exports, and issued charging statements. Every queryset passes `permissions.restrict`, so another
organization's records are never found (the pages answer 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import OfferingOption
from servitium.cloud.models import (
    OnboardingTask,
    Party,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    TaskKind,
    UsageRecord,
)
from servitium.core import permissions
from servitium.exits.lifecycle import ACKNOWLEDGE, agreeable
from servitium.exits.models import DataExport, ExitPlan
from servitium.finance.models import ChargingStatement

from . import wording

# --- subscriptions ------------------------------------------------------------------------------------------


def subscriptions(user: Any) -> QuerySet[Subscription]:
    """The organization's subscriptions, newest first."""
    return permissions.restrict(Subscription.objects.select_related("offering__service"), user).order_by(
        "-start", "-id"
    )


def subscription_get(user: Any, pk: int) -> Subscription | None:
    options = Prefetch("options", queryset=OfferingOption.objects.order_by("kind", "sort_order", "name"))
    return subscriptions(user).select_related("agreement").prefetch_related(options).filter(pk=pk).first()


def subscription_row(subscription: Subscription) -> dict[str, Any]:
    return {
        "subscription": subscription,
        "status": wording.words(wording.SUBSCRIPTION_WORDS, subscription.status),
    }


@dataclass(frozen=True)
class QuotaLine:
    """One quota beside its latest measured use: the bar's width (capped at 100) and colour."""

    quota: SubscriptionQuota
    used: Decimal | None  # the latest period's use (None: nothing measured yet)
    period_end: dt.date | None

    @property
    def percent(self) -> float | None:
        if self.used is None or not self.quota.limit:
            return None
        return round(float(self.used) / float(self.quota.limit) * 100, 1)

    @property
    def limit(self) -> str:
        return wording.amount(self.quota.limit)

    @property
    def allocated(self) -> str:
        return wording.amount(self.quota.allocated)

    @property
    def used_text(self) -> str:
        return wording.amount(self.used)

    @property
    def width(self) -> float:
        return min(self.percent or 0.0, 100.0)

    @property
    def tone(self) -> str:
        return wording.usage_tone(self.percent)


def quota_lines(subscription: Subscription, user: Any) -> list[QuotaLine]:
    """Each quota with the use of its latest measured period (summed if several records share it)."""
    quotas = list(
        permissions.restrict(SubscriptionQuota.objects.filter(subscription=subscription), user).order_by(
            "resource"
        )
    )
    latest: dict[str, tuple[dt.date, Decimal, dt.date]] = {}
    records = permissions.restrict(UsageRecord.objects.filter(subscription=subscription), user)
    for record in records.order_by("-period_start")[:500]:
        seen = latest.get(record.resource)
        if seen is None:
            latest[record.resource] = (record.period_start, record.quantity, record.period_end)
        elif seen[0] == record.period_start:
            latest[record.resource] = (seen[0], seen[1] + record.quantity, seen[2])
    lines = []
    for quota in quotas:
        found = latest.get(quota.resource)
        lines.append(QuotaLine(quota, found[1] if found else None, found[2] if found else None))
    return lines


def exit_plans_of(subscription: Subscription, user: Any) -> QuerySet[ExitPlan]:
    return exit_plans(user).filter(subscriptions=subscription)


# --- onboarding ---------------------------------------------------------------------------------------------


def onboarding(subscription: Subscription, user: Any) -> dict[str, Any]:
    """The customer's own onboarding steps (the acceptance last) and how far the provider's steps are.
    A step may be marked done when the permission path lets the user change it and the subscription is
    in onboarding; the acceptance also waits until every other step is done (the cloud services say so)."""
    tasks = list(
        permissions.restrict(OnboardingTask.objects.filter(subscription=subscription), user).order_by(
            "order", "id"
        )
    )
    changeable = set(
        permissions.restrict(
            OnboardingTask.objects.filter(subscription=subscription, done_at__isnull=True),
            user,
            permissions.CHANGE,
        ).values_list("pk", flat=True)
    )
    in_onboarding = subscription.status == Subscription.Status.ONBOARDING
    today = timezone.localdate()
    ours = [t for t in tasks if t.party == Party.PROVIDER]
    open_count = sum(1 for t in tasks if t.done_at is None)
    mine = []
    for task in tasks:
        if task.party != Party.CUSTOMER:
            continue
        acceptance = task.kind == TaskKind.ACCEPTANCE
        may = in_onboarding and task.pk in changeable
        mine.append(
            {
                "task": task,
                "acceptance": acceptance,
                "overdue": task.overdue(today),
                "can_do": may and (not acceptance or open_count == 1),
                "waits": may and acceptance and open_count > 1,
            }
        )
    return {
        "mine": mine,
        "ours_done": sum(1 for t in ours if t.done_at is not None),
        "ours": len(ours),
        "in_onboarding": in_onboarding,
    }


def task_get(user: Any, subscription: Subscription, pk: Any) -> OnboardingTask | None:
    """One onboarding task of the subscription the user may see (None: not found)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    found = permissions.restrict(OnboardingTask.objects.filter(subscription=subscription), user)
    return found.filter(pk=pk).first()


# --- resource requests --------------------------------------------------------------------------------------


def resource_requests(user: Any) -> QuerySet[ResourceRequest]:
    return permissions.restrict(
        ResourceRequest.objects.select_related("subscription__offering"), user
    ).order_by("-created", "-id")


def request_row(request: ResourceRequest) -> dict[str, Any]:
    return {
        "request": request,
        "change": wording.amount(request.change),
        "status": wording.words(wording.REQUEST_WORDS, request.status),
        "quota_check": wording.quota_check(request.within_quota),
    }


# --- exit and transfer --------------------------------------------------------------------------------------


def exit_plans(user: Any) -> QuerySet[ExitPlan]:
    return permissions.restrict(ExitPlan.objects.all(), user).order_by("-created", "-id")


def exit_plan_get(user: Any, pk: int) -> ExitPlan | None:
    return (
        exit_plans(user)
        .select_related("owner", "customer_contact", "agreed_by")
        .prefetch_related("subscriptions__offering", "services")
        .filter(pk=pk)
        .first()
    )


def plan_row(plan: ExitPlan, user: Any) -> dict[str, Any]:
    """A plan as the customer reads it, and whether the customer may agree it now."""
    may = plan.status == ExitPlan.Status.DRAFT and permissions.can(user, ACKNOWLEDGE, plan)
    ready = may and agreeable(plan) is None
    return {
        "plan": plan,
        "status": wording.words(wording.PLAN_WORDS, plan.status),
        "can_acknowledge": ready,
        "not_ready": may and not ready,
    }


def inventory(plan: ExitPlan, user: Any) -> QuerySet:
    return permissions.restrict(plan.items.all(), user).order_by("due_on", "id")


def exports(user: Any, plan: ExitPlan | None = None) -> QuerySet[DataExport]:
    found = permissions.restrict(DataExport.objects.select_related("plan", "acknowledged_by"), user)
    if plan is not None:
        found = found.filter(plan=plan)
    return found.order_by("-created", "-id")


def export_row(export: DataExport, user: Any) -> dict[str, Any]:
    return {
        "export": export,
        "status": wording.words(wording.EXPORT_WORDS, export.status),
        "download": bool(export.file),
        "can_acknowledge": export.status == DataExport.Status.HANDED_OVER
        and permissions.can(user, ACKNOWLEDGE, export),
    }


def export_get(user: Any, pk: Any) -> DataExport | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return exports(user).filter(pk=pk).first()


# --- charging statements ------------------------------------------------------------------------------------


def statements(user: Any) -> QuerySet[ChargingStatement]:
    """The statements issued to the organization (drafts stay with the provider: the declaration's
    customer scope)."""
    return permissions.restrict(ChargingStatement.objects.all(), user).order_by("-period_start", "-id")


def statement_row(statement: ChargingStatement) -> dict[str, Any]:
    """The statement with its period's last day (the record keeps the first day after it)."""
    return {"statement": statement, "last_day": statement.period_end - dt.timedelta(days=1)}


# --- the home page ------------------------------------------------------------------------------------------


def waiting_for_you(user: Any) -> list[dict[str, Any]]:
    """What needs the customer's action: onboarding steps to do, exit plans to agree, exports whose
    receipt to confirm. Each as a sentence and the page to do it on."""
    found: list[dict[str, Any]] = []
    tasks = permissions.restrict(
        OnboardingTask.objects.filter(
            done_at__isnull=True, subscription__status=Subscription.Status.ONBOARDING
        ),
        user,
        permissions.CHANGE,
    ).select_related("subscription__offering")
    per_subscription: dict[int, list[OnboardingTask]] = {}
    for task in tasks:
        per_subscription.setdefault(task.subscription_id, []).append(task)
    for steps in per_subscription.values():
        sub = steps[0].subscription
        found.append(
            {
                "text": _("%(offering)s: %(n)d onboarding steps are yours to do.")
                % {"offering": sub.offering.name, "n": len(steps)}
                if len(steps) > 1
                else _("%(offering)s: an onboarding step is yours to do: %(title)s.")
                % {"offering": sub.offering.name, "title": steps[0].title},
                "url": reverse("portal:subscription", args=[sub.pk]),
                "link": _("Open the checklist"),
            }
        )
    for plan in exit_plans(user).filter(status=ExitPlan.Status.DRAFT):
        if plan_row(plan, user)["can_acknowledge"]:
            found.append(
                {
                    "text": _("The exit plan %(ref)s is ready for you to agree.") % {"ref": plan.reference},
                    "url": reverse("portal:exit_plan", args=[plan.pk]),
                    "link": _("Read and agree"),
                }
            )
    for export in exports(user).filter(status=DataExport.Status.HANDED_OVER):
        found.append(
            {
                "text": _("Your data export %(ref)s was handed over: please confirm you received it.")
                % {"ref": export.reference},
                "url": reverse("portal:exit_plan", args=[export.plan_id])
                if export.plan_id
                else reverse("portal:exits"),
                "link": _("Confirm receipt"),
            }
        )
    return found
