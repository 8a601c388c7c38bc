"""Writes of capacity and demand management: plans (with their approval by someone other than the author
and their reviews), plan lines, metrics, the intake of measurements (one function for the API and, later,
monitoring events) with the threshold states and the incidents a critical breach raises, and demand
records, by hand or counted from service requests. Every write goes through the audited core services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import TransitionNotAllowed

from .lifecycle import PLAN_WORKFLOW
from .models import MAX_FIGURE, CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement

MAX_BATCH = 5000  # measurements in one intake call


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- plans ------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> CapacityPlan:
    """Record a draft plan; its author is the one who writes it, its first review falls one interval on."""
    derived = dict(derived or {})
    derived.setdefault("author", _user(actor))
    if not data.get("next_review") and not derived.get("next_review"):
        interval = data.get("review_interval_days") or derived.get("review_interval_days") or 90
        derived["next_review"] = timezone.localdate() + dt.timedelta(days=int(interval))
    return core_services.record_create(model=CapacityPlan, data=data, actor=actor, m2m=m2m, derived=derived)


def _draft(plan: Any) -> None:
    """An approved plan is kept as it was approved: revise it (back to draft) to change it or its lines."""
    if not isinstance(plan, CapacityPlan):
        return
    stored = CapacityPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    if (stored or plan.status) == CapacityPlan.Status.APPROVED:
        raise TransitionNotAllowed(
            _("%(ref)s is approved; revise it (back to draft) before changing it.") % {"ref": plan.reference}
        )


@transaction.atomic
def plan_update(
    *, actor: Any, instance: CapacityPlan, data: dict[str, Any], m2m: dict | None = None
) -> CapacityPlan:
    """Change a draft plan (an approved one is revised first)."""
    _draft(instance)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def plan_transition(
    *,
    actor: Any,
    instance: CapacityPlan,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CapacityPlan:
    """Approve a draft plan (not by its author; the review clock restarts) or take it back to draft."""
    now = now or timezone.now()
    plan = CapacityPlan.objects.select_for_update().get(pk=instance.pk)
    step = PLAN_WORKFLOW.check(plan, plan.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "approve":
        refuse_self_approval(
            actor,
            users=[plan.author_id],
            message=_("The author of a capacity plan may not approve it; somebody else approves it."),
        )
        today = timezone.localdate(now)
        extra.update(
            {
                "approved_by": _user(actor),
                "approved_at": now,
                "last_reviewed": today,
                "next_review": today + dt.timedelta(days=plan.review_interval_days),
            }
        )
    elif step.name == "revise":
        # The next approval needs the change this revision is made under (lifecycle.approvable).
        extra.update(
            {"approved_by": None, "approved_at": None, "revision": plan.revision + 1, "change": None}
        )
    return core_services.record_transition(
        instance=plan,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


@transaction.atomic
def plan_review(
    *, actor: Any, instance: CapacityPlan, note: str = "", today: dt.date | None = None
) -> CapacityPlan:
    """Record that the plan was looked at again today: the next review moves on by the interval."""
    today = today or timezone.localdate()
    derived = {
        "last_reviewed": today,
        "next_review": today + dt.timedelta(days=instance.review_interval_days),
    }
    plan = core_services.record_update(instance=instance, data={}, derived=derived, actor=actor)
    if note.strip():
        core_services.comment_store(
            target=plan,
            body=_("Review: %(note)s") % {"note": note.strip()},
            visibility="internal",
            author=_user(actor),
            actor=actor,
        )
    return plan


@transaction.atomic
def line_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> CapacityPlanLine:
    """Add a line to a draft plan."""
    _draft({**data, **(derived or {})}.get("plan"))
    return core_services.record_create(
        model=CapacityPlanLine, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def line_update(
    *, actor: Any, instance: CapacityPlanLine, data: dict[str, Any], m2m: dict | None = None
) -> CapacityPlanLine:
    """Change a line of a draft plan (and move it only to another draft plan)."""
    _draft(instance.plan)
    _draft(data.get("plan"))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def line_delete(*, actor: Any, instance: CapacityPlanLine) -> None:
    """Remove a line from a draft plan."""
    _draft(instance.plan)
    core_services.record_delete(instance=instance, actor=actor)


# --- metrics and measurements -------------------------------------------------------------------------------


@transaction.atomic
def metric_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> CapacityMetric:
    return core_services.record_create(model=CapacityMetric, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def metric_update(
    *, actor: Any, instance: CapacityMetric, data: dict[str, Any], m2m: dict | None = None
) -> CapacityMetric:
    """Change a metric; new thresholds put its latest value in a new state at once."""
    metric = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    if metric.last_value is not None:
        evaluate(metric, actor=actor)
    return metric


def _row_error(index: int, field: str, message: str) -> ValidationError:
    return ValidationError(
        {
            "measurements": [
                _("Row %(row)d, %(field)s: %(message)s") % {"row": index, "field": field, "message": message}
            ]
        }
    )


def _parse_row(
    index: int, row: Any, metrics: dict[int, CapacityMetric]
) -> tuple[CapacityMetric, dt.datetime, Decimal]:
    if not isinstance(row, dict):
        raise _row_error(index, "row", _("Give each measurement as {metric, measured_at, value}."))
    unknown = sorted(set(row) - {"metric", "measured_at", "value"})
    if unknown:
        raise _row_error(index, unknown[0], _("A measurement does not carry this field."))
    metric = row.get("metric")
    metric_id = metric.pk if isinstance(metric, CapacityMetric) else metric
    if isinstance(metric_id, bool) or not isinstance(metric_id, int) or metric_id not in metrics:
        raise _row_error(index, "metric", _("No such capacity metric."))
    when = row.get("measured_at")
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, dt.datetime):
        raise _row_error(index, "measured_at", _("Give the time in ISO 8601, e.g. 2026-01-31T12:00:00Z."))
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise _row_error(index, "measured_at", _("A measurement cannot lie in the future."))
    value = row.get("value")
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) and value is not None else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) >= MAX_FIGURE:
        raise _row_error(index, "value", _("Give a number."))
    return metrics[metric_id], when, number.quantize(Decimal("0.0001"))


@transaction.atomic
def measurements_record(
    *, actor: Any, rows: Iterable[Any], metrics: Iterable[CapacityMetric] | None = None
) -> list[Measurement]:
    """Take in many measurements at once (`{metric, measured_at, value}` each; metric as an id or a record):
    all are checked first (the error names the first bad row, counting from 0) and none is stored if one is
    bad; then each metric's latest value and state are brought up to date, and a critical breach raises
    or a recovery notes its incident (see `evaluate`). `metrics` limits which metrics may be written (the
    caller's permitted ones); None: any."""
    rows = list(rows)
    if not rows:
        raise ValidationError({"measurements": [_("Give at least one measurement.")]})
    if len(rows) > MAX_BATCH:
        raise ValidationError({"measurements": [_("At most %(n)d measurements at once.") % {"n": MAX_BATCH}]})
    if metrics is None:
        ids = {r.get("metric") for r in rows if isinstance(r, dict)}
        ids = {m.pk if isinstance(m, CapacityMetric) else m for m in ids}
        metrics = CapacityMetric.objects.filter(
            pk__in=[i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
        )
    known = {m.pk: m for m in metrics}
    parsed = []
    seen: set[tuple[int, dt.datetime]] = set()
    for index, row in enumerate(rows):
        metric, when, value = _parse_row(index, row, known)
        if (metric.pk, when) in seen:
            raise _row_error(index, "measured_at", _("This metric has two measurements at this time."))
        seen.add((metric.pk, when))
        parsed.append((index, metric, when, value))
    by_metric: dict[int, list[dt.datetime]] = {}
    for _i, metric, when, _v in parsed:
        by_metric.setdefault(metric.pk, []).append(when)
    clashes = {
        (m, t)
        for m, times in by_metric.items()
        for t in Measurement.objects.filter(metric_id=m, measured_at__in=times).values_list(
            "measured_at", flat=True
        )
    }
    for index, metric, when, _v in parsed:
        if (metric.pk, when) in clashes:
            raise _row_error(index, "measured_at", _("This metric already has a measurement at this time."))
    stored = core_services.record_bulk_create(
        model=Measurement,
        instances=[
            Measurement(metric=metric, measured_at=when, value=value) for _i, metric, when, value in parsed
        ],
        actor=actor,
        validate_rows=False,
        with_changes=False,
        message=_("Measurement taken in"),
    )
    for metric_id in by_metric:
        evaluate(known[metric_id], actor=actor)
    return stored


def measurement_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Measurement:
    """One measurement through the record API or form: the same intake as a batch."""
    core_services.check_input(model=Measurement, actor=actor, data=data)
    values = {**data, **(derived or {})}
    metric = values.get("metric")
    row = {
        "metric": metric.pk if metric is not None else None,
        "measured_at": values.get("measured_at"),
        "value": values.get("value"),
    }
    try:
        return measurements_record(actor=actor, rows=[row], metrics=[metric] if metric is not None else [])[0]
    except ValidationError as exc:
        message = " ".join(exc.messages)
        field = next((f for f in ("metric", "measured_at", "value") if f", {f}:" in message), "measurements")
        raise ValidationError({field: [message]}) from None


@transaction.atomic
def measurement_update(
    *, actor: Any, instance: Measurement, data: dict[str, Any], m2m: dict | None = None
) -> Measurement:
    """Correct a reading; the metric's state follows."""
    measurement = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    evaluate(measurement.metric, actor=actor)
    return measurement


@transaction.atomic
def measurement_delete(*, actor: Any, instance: Measurement) -> None:
    """Remove a reading; the metric's state follows."""
    metric = instance.metric
    core_services.record_delete(instance=instance, actor=actor)
    evaluate(metric, actor=actor)


# --- thresholds and the incidents of a breach --------------------------------------------------------------


def _incident_customer(metric: CapacityMetric):
    from servitium.parties.models import Organization

    if metric.service_id:
        first = metric.service.customers.order_by("name").first()
        if first is not None:
            return first
    return Organization.objects.filter(kind="internal").order_by("name").first()


def _raise_incident(metric: CapacityMetric, value: Decimal, when: dt.datetime, actor: Any):
    from servitium.incidents import services as incident_services
    from servitium.incidents.models import Incident

    customer = _incident_customer(metric)
    if customer is None:
        return None  # nobody to raise it for: the state on the metric still shows the breach
    unit = f" {metric.unit}" if metric.unit else ""
    data = {
        "title": (_("Capacity threshold breached: %(metric)s") % {"metric": metric})[:250],
        "description": _(
            "%(metric)s measured %(value)s%(unit)s at %(when)s, beyond its critical threshold of "
            "%(crit)s%(unit)s. Raised by capacity management; a note follows when it is back within "
            "the threshold."
        )
        % {
            "metric": metric,
            "value": _plain(value),
            "unit": unit,
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
            "crit": _plain(metric.critical_threshold),
        },
        "customer": customer,
        "service": metric.service,
        "channel": Incident.Channel.MONITORING,
        "category": "capacity",
        "impact": 2,
        "urgency": 2,
    }
    if metric.ci_id:
        data["affected_ci"] = metric.ci
    return incident_services.incident_create(actor=None, data={}, derived=data)


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text


@transaction.atomic
def evaluate(metric: CapacityMetric, *, actor: Any = None) -> CapacityMetric:
    """Bring a metric's latest value and state up to date from its newest measurement. Entering the
    critical state raises one incident (kept on the metric while the breach lasts, so further readings
    beyond the threshold raise no other); coming back within it adds a note to that incident and lets a
    later breach raise a new one."""
    metric = (
        CapacityMetric.objects.select_for_update(of=("self",))
        .select_related("service", "ci")
        .get(pk=metric.pk)
    )
    latest = metric.measurements.order_by("-measured_at", "-id").first()
    if latest is None:
        derived = {"state": CapacityMetric.State.UNKNOWN, "last_value": None, "last_measured_at": None}
    else:
        derived = {
            "state": metric.state_of(latest.value),
            "last_value": latest.value,
            "last_measured_at": latest.measured_at,
        }
    from .selectors import metric_forecast

    derived["forecast_breach_at"] = metric_forecast(metric).crossing_at if latest is not None else None
    critical = derived["state"] == CapacityMetric.State.CRITICAL
    if critical and metric.breach_incident_id is None:
        incident = _raise_incident(metric, latest.value, latest.measured_at, actor)
        if incident is not None:
            derived["breach_incident"] = incident
    elif not critical and metric.breach_incident_id is not None:
        incident = metric.breach_incident
        when = derived["last_measured_at"]
        core_services.comment_store(
            target=incident,
            body=_(
                "Capacity management: %(metric)s is back within its critical threshold "
                "(%(value)s at %(when)s)."
            )
            % {
                "metric": metric,
                "value": _plain(derived["last_value"]),
                "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "—",
            },
            visibility="internal",
            author=None,
            actor=actor,
        )
        derived["breach_incident"] = None
    changed = {k: v for k, v in derived.items() if k != "breach_incident" and getattr(metric, k) != v}
    if "breach_incident" in derived:
        changed["breach_incident"] = derived["breach_incident"]
    if changed:
        metric = core_services.record_update(instance=metric, data={}, derived=changed, actor=actor)
    return metric


# --- demand -------------------------------------------------------------------------------------------------


@transaction.atomic
def demand_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Demand:
    return core_services.record_create(model=Demand, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def demand_update(*, actor: Any, instance: Demand, data: dict[str, Any], m2m: dict | None = None) -> Demand:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


REQUESTS_MEASURE = "service requests"


@transaction.atomic
def demand_from_requests(*, actor: Any, start: dt.date, end: dt.date) -> list[Demand]:
    """Count the service requests each customer raised for each service in [start, end) and record them as
    demand ("service requests"), with the same count as the forecast for the next period unless one is
    recorded already. Run again, it updates the counts (idempotent per customer, service and period)."""
    from servitium.incidents.models import Incident

    if end <= start:
        raise ValidationError({"end": [_("The period must end after it starts.")]})
    counts = (
        Incident.objects.filter(
            kind=Incident.Kind.REQUEST,
            service__isnull=False,
            created__date__gte=start,
            created__date__lt=end,
            customer__kind__in=("customer", "internal"),
        )
        .values("customer_id", "service_id")
        .annotate(n=Count("id"))
        .order_by("customer_id", "service_id")
    )
    made = []
    for row in counts:
        lookup = {
            "customer_id": row["customer_id"],
            "service_id": row["service_id"],
            "period_start": start,
            "measure": REQUESTS_MEASURE,
        }
        found = Demand.objects.filter(**lookup).first()
        measured = Decimal(row["n"])
        if found is None:
            made.append(
                core_services.record_create(
                    model=Demand,
                    data={},
                    derived={
                        **lookup,
                        "period_end": end,
                        "measured": measured,
                        "forecast": measured,
                        "source": Demand.Source.REQUESTS,
                    },
                    actor=actor,
                )
            )
        elif found.measured != measured or found.period_end != end:
            made.append(
                core_services.record_update(
                    instance=found, data={}, derived={"measured": measured, "period_end": end}, actor=actor
                )
            )
        else:
            made.append(found)
    return made
