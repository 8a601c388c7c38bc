"""Writes of the cloud service lifecycle: subscriptions and their transitions (onboarding from the
offering's template, going live once the customer accepted, notice and termination), quotas, onboarding
tasks and their completion, resource requests checked against the quota (approved at once within it, held
for a cloud manager beyond it) and their fulfilment with its cost, and usage taken in singly, in bulk or
from a CSV file, all or nothing. Every write goes through the audited core services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import TransitionNotAllowed

from .lifecycle import REQUEST_WORKFLOW, SUBSCRIPTION_WORKFLOW
from .models import (
    MAX_FIGURE,
    OnboardingTask,
    Party,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    TaskKind,
    UsageRecord,
)

MAX_ROWS = 5000  # usage rows in one intake
S = Subscription.Status
R = ResourceRequest.Status


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- subscriptions ------------------------------------------------------------------------------------------


def _check_options(offering: Any, options: Any) -> None:
    if options is None or offering is None:
        return
    wrong = sorted(str(o.name) for o in options if o.offering_id != offering.pk)
    if wrong:
        raise ValidationError(
            {
                "options": [
                    _("These options belong to another offering: %(names)s.") % {"names": ", ".join(wrong)}
                ]
            }
        )


@transaction.atomic
def subscription_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Subscription:
    """Record an ordered subscription; its options must be options of its offering."""
    values = {**data, **(derived or {})}
    _check_options(values.get("offering"), (m2m or {}).get("options"))
    return core_services.record_create(model=Subscription, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def subscription_update(
    *, actor: Any, instance: Subscription, data: dict[str, Any], m2m: dict | None = None
) -> Subscription:
    _check_options(instance.offering, (m2m or {}).get("options"))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _date(data: dict[str, Any], name: str) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None


def _instantiate_tasks(subscription: Subscription, actor: Any, today: dt.date) -> None:
    """The offering's template becomes the subscription's checklist; a checklist always ends with the
    customer's acceptance."""
    template = (
        getattr(subscription.offering, "onboarding_template", None) if subscription.offering_id else None
    )
    steps = list(template.tasks.select_related("owner_team__lead").all()) if template is not None else []
    tasks = [
        OnboardingTask(
            subscription=subscription,
            title=step.title,
            kind=step.kind,
            party=step.party,
            owner=step.owner or (step.owner_team.lead if step.owner_team_id else None),
            team=step.owner_team,
            due_on=today + dt.timedelta(days=step.due_offset_days),
            order=step.order,
        )
        for step in steps
    ]
    if not any(t.kind == TaskKind.ACCEPTANCE for t in tasks):
        last = max((s.due_offset_days for s in steps), default=14)
        tasks.append(
            OnboardingTask(
                subscription=subscription,
                title=_("Customer accepts the service"),
                kind=TaskKind.ACCEPTANCE,
                party=Party.CUSTOMER,
                due_on=today + dt.timedelta(days=last + 2),
                order=max((t.order for t in tasks), default=0) + 1,
            )
        )
    core_services.record_bulk_create(
        model=OnboardingTask, instances=tasks, actor=actor, message=_("Onboarding checklist started")
    )


def _make_customer_of_service(subscription: Subscription, actor: Any) -> str:
    """Going live makes the customer a customer of the offering's service (through the catalogue's own
    service, which logs it), unless it is one already. Returns what was done, for the transition's log."""
    from servitium.catalog import services as catalog_services

    service = subscription.offering.service
    if service.customers.filter(pk=subscription.customer_id).exists():
        return ""
    current = list(service.customers.all())
    catalog_services.service_update(
        actor=actor,
        instance=service,
        data={},
        m2m={"customers": [*current, subscription.customer]},
    )
    return _(" %(customer)s is now a customer of %(service)s.") % {
        "customer": subscription.customer.name,
        "service": service.name,
    }


@transaction.atomic
def subscription_transition(
    *,
    actor: Any,
    instance: Subscription,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Subscription:
    """Move a subscription along its lifecycle (lifecycle.py). Starting onboarding lays out the checklist;
    going live needs it done and accepted and makes the customer a customer of the service; notice takes
    the effective end (`effective_end`, optionally `notice_given_on`); completing the termination sets the
    end (`end`, default today)."""
    data = data or {}
    day = _today(today)
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("offering__service")
        .get(pk=instance.pk)
    )
    step = SUBSCRIPTION_WORKFLOW.get(transition)
    extra: dict[str, Any] = {}
    if step.name == "terminate" and subscription.status in step.sources:
        effective = _date(data, "effective_end")
        notice = _date(data, "notice_given_on") or day
        if effective is None:
            raise ValidationError({"effective_end": [_("Give the date the subscription ends.")]})
        if effective < notice:
            raise ValidationError({"effective_end": [_("The end cannot come before the notice.")]})
        extra.update({"notice_given_on": notice, "effective_end": effective})
    if step.name == "complete_termination" and subscription.status in step.sources:
        end = _date(data, "end") or day
        if end < subscription.start:
            raise ValidationError({"end": [_("The end cannot come before the start.")]})
        extra["end"] = end
    SUBSCRIPTION_WORKFLOW.check(subscription, subscription.status, transition)
    message = note or str(step.label)
    if step.name == "start_onboarding":
        extra["onboarding_started_on"] = day
        _instantiate_tasks(subscription, actor, day)
    elif step.name == "go_live":
        extra["live_on"] = day
        message += _make_customer_of_service(subscription, actor)
    return core_services.record_transition(
        instance=subscription, actor=actor, field="status", target=step.target, message=message, extra=extra
    )


# --- quotas -------------------------------------------------------------------------------------------------


@transaction.atomic
def quota_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> SubscriptionQuota:
    return core_services.record_create(
        model=SubscriptionQuota, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def quota_update(
    *, actor: Any, instance: SubscriptionQuota, data: dict[str, Any], m2m: dict | None = None
) -> SubscriptionQuota:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


# --- onboarding tasks ---------------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> OnboardingTask:
    """Add a step to a subscription's checklist while it is ordered or onboarding."""
    subscription = {**data, **(derived or {})}.get("subscription")
    if subscription is not None and subscription.status not in (S.ORDERED, S.ONBOARDING):
        raise ValidationError({"subscription": [_("The subscription's onboarding is over.")]})
    return core_services.record_create(model=OnboardingTask, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def task_update(
    *, actor: Any, instance: OnboardingTask, data: dict[str, Any], m2m: dict | None = None
) -> OnboardingTask:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def task_complete(
    *, actor: Any, instance: OnboardingTask, note: str = "", now: dt.datetime | None = None
) -> OnboardingTask:
    """Mark a step done (who and when). Customer users do their own organization's customer-side steps;
    the acceptance is the customer's alone (a customer user of the organization, or the system for
    records imported) and comes after every other step."""
    now = now or timezone.now()
    task = (
        OnboardingTask.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .get(pk=instance.pk)
    )
    subscription = task.subscription
    customer = permissions.is_customer_user(actor)
    if subscription.status != S.ONBOARDING:
        raise TransitionNotAllowed(_("Only tasks of a subscription in onboarding are completed."))
    if customer and (task.party != Party.CUSTOMER or actor.organization_id != subscription.customer_id):
        raise TransitionNotAllowed(_("This task is the provider's to do."))
    if task.done_at is not None:
        raise TransitionNotAllowed(_("This task is done already."))
    if task.kind == TaskKind.ACCEPTANCE:
        if actor is not None and not customer:
            raise TransitionNotAllowed(_("Only the customer accepts the service."))
        waiting = subscription.tasks.filter(done_at__isnull=True).exclude(pk=task.pk).count()
        if waiting:
            raise TransitionNotAllowed(
                _("%(n)d other onboarding tasks are still open; the customer accepts when they are done.")
                % {"n": waiting}
            )
    derived: dict[str, Any] = {"done_at": now, "done_by": _user(actor)}
    if note.strip():
        derived["note"] = note.strip()
    task = core_services.record_update(instance=task, data={}, derived=derived, actor=actor)
    if task.kind == TaskKind.ACCEPTANCE:
        core_services.record_update(
            instance=subscription,
            data={},
            derived={"accepted_at": now, "accepted_by": _user(actor)},
            actor=actor,
        )
    return task


# --- resource requests --------------------------------------------------------------------------------------


def _committed(subscription: Subscription, resource: str) -> Decimal:
    """What is approved but not yet fulfilled for the resource: it counts against the quota already."""
    found = ResourceRequest.objects.filter(
        subscription=subscription, resource=resource, status=R.APPROVED
    ).aggregate(total=Sum("change"))["total"]
    return found or Decimal("0")


@transaction.atomic
def request_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ResourceRequest:
    """Submit a resource request: within the quota (what is allocated, approved and asked for together
    stays within the limit) it is approved at once; beyond it, or for a resource without a quota, it waits
    for a cloud manager's approval. Releasing more than is allocated is refused."""
    core_services.check_input(model=ResourceRequest, actor=actor, data=data)
    values = {**data, **(derived or {})}
    subscription, resource, change = values.get("subscription"), values.get("resource"), values.get("change")
    if subscription is not None and subscription.status not in (S.ONBOARDING, S.LIVE):
        raise ValidationError(
            {"subscription": [_("Resources are requested for a subscription in onboarding or live.")]}
        )
    quota = None
    if subscription is not None and isinstance(resource, str):
        resource = resource.strip()
        quota = (
            SubscriptionQuota.objects.select_for_update()
            .filter(subscription=subscription, resource=resource)
            .first()
        )
    within = False
    if subscription is not None and isinstance(change, Decimal) and resource:
        allocated = quota.allocated if quota is not None else Decimal("0")
        projected = allocated + _committed(subscription, resource) + change
        if projected < 0:
            raise ValidationError(
                {
                    "change": [
                        _("Only %(n)s is allocated; no more can be released.") % {"n": allocated.normalize()}
                    ]
                }
            )
        within = quota is not None and (change < 0 or projected <= quota.limit)
    derived = {
        **(derived or {}),
        "resource": resource,
        "within_quota": within,
        "status": R.APPROVED if within else R.PENDING,
        "requested_by": _user(actor),
    }
    if within:
        derived["decision_reason"] = _("Within the quota: approved on submission.")
    if quota is not None and not values.get("unit"):
        derived["unit"] = quota.unit
    return core_services.record_create(
        model=ResourceRequest, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def request_update(
    *, actor: Any, instance: ResourceRequest, data: dict[str, Any], m2m: dict | None = None
) -> ResourceRequest:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _decimal(data: dict[str, Any], name: str, *, allow_negative: bool = False) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) >= MAX_FIGURE:
        raise ValidationError({name: [_("Give a number.")]})
    if number < 0 and not allow_negative:
        raise ValidationError({name: [_("Give a figure of zero or more.")]})
    return number


def _fulfil(request: ResourceRequest, actor: Any, note: str, data: dict[str, Any], now: dt.datetime) -> dict:
    """Allocate what was asked (or `quantity`), at `unit_cost` (default: the quota's price), and bring the
    quota up to date: an approved request beyond the quota raises it to what is now allocated."""
    quantity = _decimal(data, "quantity", allow_negative=True)
    quantity = request.change if quantity is None else quantity
    if quantity == 0 or (quantity > 0) != (request.change > 0):
        raise ValidationError({"quantity": [_("Allocate in the direction asked for, and not zero.")]})
    quota = (
        SubscriptionQuota.objects.select_for_update()
        .filter(subscription_id=request.subscription_id, resource=request.resource)
        .first()
    )
    unit_cost = _decimal(data, "unit_cost")
    if unit_cost is None:
        if quota is None:
            raise ValidationError({"unit_cost": [_("Give the cost per unit and month of the new resource.")]})
        unit_cost = quota.unit_price
    allocated = (quota.allocated if quota is not None else Decimal("0")) + quantity
    if allocated < 0:
        raise ValidationError({"quantity": [_("No more can be released than is allocated.")]})
    if quota is None:
        core_services.record_create(
            model=SubscriptionQuota,
            data={},
            derived={
                "subscription": request.subscription,
                "resource": request.resource,
                "unit": request.unit,
                "limit": allocated,
                "allocated": allocated,
                "unit_price": unit_cost,
            },
            actor=actor,
        )
    else:
        core_services.record_update(
            instance=quota,
            data={},
            derived={"allocated": allocated, "limit": max(quota.limit, allocated)},
            actor=actor,
        )
    identifiers = str(data.get("allocation_note") or data.get("identifiers") or note or "").strip()
    return {
        "allocated_quantity": quantity,
        "allocation_note": identifiers[:5000],
        "unit_cost": unit_cost,
        "total_cost": (quantity * unit_cost).quantize(Decimal("0.01")),
        "fulfilled_at": now,
        "fulfilled_by": _user(actor),
    }


@transaction.atomic
def request_transition(
    *,
    actor: Any,
    instance: ResourceRequest,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> ResourceRequest:
    """Approve or reject a request beyond the quota (a cloud manager, not the requester; a rejection says
    why in `reason`), or fulfil an approved one (`quantity`, `unit_cost`, `allocation_note`)."""
    data = data or {}
    now = now or timezone.now()
    request = (
        ResourceRequest.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .get(pk=instance.pk)
    )
    step = REQUEST_WORKFLOW.get(transition)
    reason = str(data.get("reason") or note or "").strip()
    if step.name == "reject" and request.status in step.sources and not reason:
        raise ValidationError({"reason": [_("Say why the request is rejected.")]})
    REQUEST_WORKFLOW.check(request, request.status, transition)
    extra: dict[str, Any] = {}
    if step.name in ("approve", "reject"):
        refuse_self_approval(
            actor,
            users=[request.requested_by_id],
            message=_("Who asked for resources may not decide on the request; another cloud manager does."),
        )
        extra = {"decided_by": _user(actor), "decided_at": now, "decision_reason": reason[:5000]}
    elif step.name == "fulfil":
        extra = _fulfil(request, actor, note, data, now)
    return core_services.record_transition(
        instance=request,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- usage --------------------------------------------------------------------------------------------------

USAGE_COLUMNS = ("subscription", "resource", "period_start", "period_end", "quantity", "source", "note")


def _row_error(label: str, field: str, message: str) -> ValidationError:
    return ValidationError({"rows": [f"{label}, {field}: {message}"]})


def _parse_usage_row(label: str, row: Any, subscriptions: dict[Any, Subscription]) -> UsageRecord:
    if not isinstance(row, dict):
        raise _row_error(
            label, "row", _("Give each row as {subscription, resource, period_start, period_end, quantity}.")
        )
    unknown = sorted(set(row) - set(USAGE_COLUMNS))
    if unknown:
        raise _row_error(label, unknown[0], _("A usage row does not carry this field."))
    key = row.get("subscription")
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key.strip())
    elif isinstance(key, str):
        key = key.strip()
    if not isinstance(key, int | str) or isinstance(key, bool) or key not in subscriptions:
        raise _row_error(label, "subscription", _("No such subscription that you may record usage for."))
    resource = row.get("resource")
    if (
        not isinstance(resource, str)
        or not resource.strip()
        or len(resource.strip()) > 80
        or "\x00" in resource
    ):
        raise _row_error(label, "resource", _("Name the resource (at most 80 characters)."))
    days = {}
    for name in ("period_start", "period_end"):
        value = row.get(name)
        try:
            days[name] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _row_error(label, name, _("Give a date as YYYY-MM-DD.")) from None
    if days["period_end"] < days["period_start"]:
        raise _row_error(label, "period_end", _("The period cannot end before it starts."))
    value = row.get("quantity")
    try:
        quantity = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite() or not (0 <= quantity < MAX_FIGURE):
        raise _row_error(label, "quantity", _("Give a number of zero or more."))
    texts = {}
    for name, limit in (("source", 120), ("note", 5000)):
        text = row.get(name) or ""
        if not isinstance(text, str) or len(text) > limit or "\x00" in text:
            raise _row_error(label, name, _("Give text of at most %(n)d characters.") % {"n": limit})
        texts[name] = text.strip()
    return UsageRecord(
        subscription=subscriptions[key],
        resource=resource.strip(),
        period_start=days["period_start"],
        period_end=days["period_end"],
        quantity=quantity.quantize(Decimal("0.0001")),
        **texts,
    )


@transaction.atomic
def usage_record(
    *, actor: Any, rows: list[Any], subscriptions: Any, labels: list[str] | None = None, source: str = ""
) -> list[UsageRecord]:
    """Take in usage rows (API, bulk, CSV): every row is checked first and the error names the first bad
    one; none is stored unless all are good. `subscriptions` are those the caller may record usage for;
    a row names one by id or by reference."""
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": [_("Give at least one usage row.")]})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": [_("At most %(n)d rows at once.") % {"n": MAX_ROWS}]})
    if hasattr(subscriptions, "filter"):  # a queryset: only the subscriptions the rows name are read
        keys = [r.get("subscription") for r in rows if isinstance(r, dict)]
        numbers = [
            int(k)
            for k in keys
            if isinstance(k, int | str) and not isinstance(k, bool) and str(k).strip().isdigit()
        ]
        numbers = [n for n in numbers if 0 < n < 2**63]
        names = [k.strip() for k in keys if isinstance(k, str) and not k.strip().isdigit()]
        subscriptions = subscriptions.filter(Q(pk__in=numbers) | Q(reference__in=names))
    known: dict[Any, Subscription] = {}
    for sub in subscriptions:
        known[sub.pk] = sub
        known[sub.reference] = sub
    labels = labels or [_("Row %(n)d") % {"n": i} for i in range(len(rows))]
    parsed: list[UsageRecord] = []
    seen: dict[tuple, str] = {}
    for label, row in zip(labels, rows, strict=True):
        record = _parse_usage_row(label, row, known)
        key = (record.subscription.pk, record.resource, record.period_start)
        if key in seen:
            raise _row_error(
                label, "period_start", _("%(other)s has the same resource and period.") % {"other": seen[key]}
            )
        seen[key] = label
        if not record.source:
            record.source = source
        parsed.append(record)
    for label, record in zip(labels, parsed, strict=True):
        if UsageRecord.objects.filter(
            subscription=record.subscription, resource=record.resource, period_start=record.period_start
        ).exists():
            raise _row_error(
                label, "period_start", _("Usage of this resource is recorded for this period already.")
            )
    return core_services.record_bulk_create(
        model=UsageRecord, instances=parsed, actor=actor, message=_("Usage taken in")
    )


def usage_subscriptions(actor: Any) -> Any:
    """The subscriptions `actor` may record usage for (none for customers)."""
    if actor is not None and not permissions.has_permission(actor, permissions.ADD, UsageRecord):
        return Subscription.objects.none()
    found = Subscription.objects.all()
    return found if actor is None else permissions.restrict(found, actor)


def usage_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> UsageRecord:
    """One usage record through the record API or form: the same checks as a batch, the error naming the
    field."""
    core_services.check_input(model=UsageRecord, actor=actor, data=data)
    values = {**data, **(derived or {})}
    sub = values.get("subscription")
    row = {k: values.get(k) for k in USAGE_COLUMNS if values.get(k) is not None}
    if sub is not None:
        row["subscription"] = sub.pk
    try:
        return usage_record(actor=actor, rows=[row], subscriptions=[sub] if sub is not None else [])[0]
    except ValidationError as exc:
        message = " ".join(exc.messages)
        field = next((f for f in USAGE_COLUMNS if f", {f}:" in message), "rows")
        raise ValidationError({field: [message.split(": ", 1)[-1]]}) from None


@transaction.atomic
def usage_update(
    *, actor: Any, instance: UsageRecord, data: dict[str, Any], m2m: dict | None = None
) -> UsageRecord:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


CSV_MAX_BYTES = 2 * 1024 * 1024


def usage_from_csv(*, actor: Any, content: bytes | str, name: str = "") -> list[UsageRecord]:
    """Usage from a CSV file with the header subscription,resource,period_start,period_end,quantity and
    optionally source,note (a subscription by id or reference); errors name the line (the header is
    line 1)."""
    import csv
    import io

    if isinstance(content, bytes):
        if len(content) > CSV_MAX_BYTES:
            raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in USAGE_COLUMNS[:5] if c not in header]
    if missing:
        raise ValidationError({"file": [_("The header lacks: %(cols)s.") % {"cols": ", ".join(missing)}]})
    rows, labels = [], []
    try:
        for row in reader:
            rows.append(
                {
                    k.strip(): (v or "")
                    for k, v in row.items()
                    if k is not None and k.strip() in USAGE_COLUMNS and v
                }
            )
            labels.append(_("Line %(n)d") % {"n": reader.line_num})
    except csv.Error as exc:
        raise ValidationError({"file": [_("The file is not valid CSV: %(e)s") % {"e": exc}]}) from None
    source = _("CSV upload %(name)s") % {"name": name} if name else _("CSV upload")
    return usage_record(
        actor=actor, rows=rows, subscriptions=usage_subscriptions(actor), labels=labels, source=source[:120]
    )
