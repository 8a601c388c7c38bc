"""The review inputs that come from apps below the management system (registered by this app, which may
import them): status of previous review actions, service performance, customer feedback, supplier
performance, audit and assessment results, changes, and — until the improvement app registers its own
under the same key — nonconformities from the conformity engine.

Each function takes the period (dates, both inclusive) and the reading user (None: the system, which
sees everything), reads through the one permission path, aggregates in the database, and returns the
context of its template, or None when there is nothing in the period to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core import charts, permissions
from servitium.core.reviewinputs import register_review_input

EXPIRY_HORIZON_DAYS = 90  # contracts ending this soon after the period are named
SHOWN = 10  # rows named per list in the pack


def visible(queryset: QuerySet, user: Any) -> QuerySet:
    """What the reader may see; the system (None) reads everything."""
    return queryset if user is None else permissions.restrict(queryset, user, permissions.VIEW)


def window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes [first day 00:00, day after the last 00:00)."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone),
    )


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


# --- status of actions from previous reviews ------------------------------------------------------------


def previous_actions(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """Actions of the reviews held up to the end of the period: where each stands, the overdue ones."""
    from .models import ManagementReview, ReviewAction

    earlier = visible(ManagementReview.objects.filter(held_on__isnull=False, held_on__lte=end), user)
    held = list(earlier.order_by("-held_on").values("reference", "held_on")[:5])
    if not held:
        # Nothing to follow up yet: the pack says so instead of leaving the topic blank.
        return {
            "first_review": True,
            "reviews": [],
            "counts": {},
            "open": [],
            "completed": [],
            "chart_svg": "",
        }
    today = timezone.localdate()
    actions = visible(ReviewAction.objects.filter(review__in=earlier), user)
    A = ReviewAction.Status
    stats = actions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=A.OPEN)),
        overdue=Count("pk", filter=Q(status=A.OPEN, due_date__lt=today)),
        done=Count("pk", filter=Q(status=A.DONE)),
        cancelled=Count("pk", filter=Q(status=A.CANCELLED)),
    )
    still_open = [
        {
            "reference": a.reference,
            "description": a.description,
            "owner": str(a.owner),
            "due_date": a.due_date,
            "overdue_days": a.days_overdue(today),
            "review": a.review.reference,
        }
        for a in actions.filter(status=A.OPEN).select_related("owner", "review").order_by("due_date")[:SHOWN]
    ]
    completed = [
        {
            "reference": a.reference,
            "description": a.description,
            "completed_on": a.completed_on,
            "note": a.completion_note,
        }
        for a in actions.filter(status=A.DONE, completed_on__gte=start, completed_on__lte=end).order_by(
            "completed_on"
        )[:SHOWN]
    ]
    on_time = stats["open"] - stats["overdue"]
    chart = charts.bars(
        [
            charts.Bar(_("done"), stats["done"], colour=charts.GOOD),
            charts.Bar(_("open, on time"), on_time),
            charts.Bar(_("open, overdue"), stats["overdue"], colour=charts.BAD),
            charts.Bar(_("cancelled"), stats["cancelled"], colour=charts.GREY),
        ],
        title=_("Actions from previous reviews"),
    )
    return {
        "first_review": False,
        "reviews": held,
        "counts": stats,
        "open": still_open,
        "completed": completed,
        "chart_svg": chart,
    }


# --- performance of the services ------------------------------------------------------------------------


def service_performance(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """SLA compliance per agreement (the performance job's records of periods inside the review period),
    incidents and major incidents raised, and resolution within target."""
    from servitium.agreements.models import TargetPerformance
    from servitium.incidents.models import Incident
    from servitium.incidents.selectors import sla_compliance

    begin, finish = window(start, end)
    records = visible(TargetPerformance.objects.all(), user).filter(
        period_start__gte=begin, period_end__lte=finish, met__isnull=False
    )
    rows = (
        records.values(
            "target__agreement_id",
            "target__agreement__reference",
            "target__agreement__title",
            "target__agreement__service__name",
            "target__agreement__customer__name",
        )
        .annotate(periods=Count("pk"), met=Count("pk", filter=Q(met=True)))
        .order_by("target__agreement__service__name", "target__agreement__reference")
    )
    agreements = [
        {
            "reference": r["target__agreement__reference"],
            "title": r["target__agreement__title"],
            "service": r["target__agreement__service__name"],
            "customer": r["target__agreement__customer__name"],
            "measured": r["periods"],
            "met": r["met"],
            "compliance": share(r["met"], r["periods"]),
        }
        for r in rows
    ]
    by_service: dict[str, list[int]] = {}
    for a in agreements:
        totals = by_service.setdefault(a["service"], [0, 0])
        totals[0] += a["measured"]
        totals[1] += a["met"]
    services = [
        {"service": name, "measured": n, "met": met, "compliance": share(met, n)}
        for name, (n, met) in sorted(by_service.items())
    ]
    incidents = visible(Incident.objects.filter(kind=Incident.Kind.INCIDENT), user)
    raised = incidents.filter(created__gte=begin, created__lt=finish).aggregate(
        total=Count("pk"), major=Count("pk", filter=Q(is_major=True))
    )
    resolution = [
        r
        for r in sla_compliance(incidents, start, end + dt.timedelta(days=1))
        if r["metric"] == "resolution_time"
    ]
    clocks = sum(r["clocks"] for r in resolution)
    within = sum(r["met"] for r in resolution)
    if not agreements and not raised["total"] and not clocks:
        return None
    chart = charts.bars(
        [
            charts.Bar(
                s["service"],
                s["compliance"] and s["compliance"] * 100,
                percent(s["compliance"]),
                charts.share_colour(s["compliance"]),
            )
            for s in services
        ],
        maximum=100,
        title=_("SLA targets met per service"),
    )
    return {
        "agreements": agreements,
        "services": services,
        "measured": sum(a["measured"] for a in agreements),
        "met": sum(a["met"] for a in agreements),
        "compliance": share(sum(a["met"] for a in agreements), sum(a["measured"] for a in agreements)),
        "incidents": raised["total"],
        "major_incidents": raised["major"],
        "resolution_clocks": clocks,
        "resolved_within_target": within,
        "resolution_compliance": share(within, clocks),
        "chart_svg": chart,
    }


# --- customer satisfaction and complaints ---------------------------------------------------------------


def customer_feedback(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """Survey responses and scores of the period per customer; complaints raised, resolved and still open."""
    from servitium.relationships.models import Complaint, SurveyResponse

    begin, finish = window(start, end)
    responses = visible(SurveyResponse.objects.all(), user).filter(created__gte=begin, created__lt=finish)
    overall = responses.aggregate(n=Count("pk"), mean=Avg("score"))
    per_customer = [
        {"customer": r["customer__name"], "responses": r["n"], "mean_score": _round(r["mean"])}
        for r in responses.values("customer__name")
        .annotate(n=Count("pk"), mean=Avg("score"))
        .order_by("customer__name")
    ]
    complaints = visible(Complaint.objects.all(), user)
    C = Complaint.Status
    ended = (C.RESOLVED, C.CLOSED)
    counts = complaints.aggregate(
        raised=Count("pk", filter=Q(created__gte=begin, created__lt=finish)),
        resolved=Count("pk", filter=Q(resolved_at__gte=begin, resolved_at__lt=finish)),
        open=Count("pk", filter=Q(created__lt=finish) & ~Q(status__in=ended)),
    )
    if not overall["n"] and not any(counts.values()):
        return None
    still_open = [
        {"reference": c.reference, "title": c.title, "customer": str(c.customer), "raised": c.created.date()}
        for c in complaints.filter(created__lt=finish)
        .exclude(status__in=ended)
        .select_related("customer")
        .order_by("created")[:SHOWN]
    ]
    chart = charts.bars(
        [
            charts.Bar(r["customer"], r["mean_score"], f"{r['mean_score']:g} ({r['responses']})")
            for r in per_customer
            if r["mean_score"] is not None
        ],
        maximum=5,
        title=_("Mean survey score per customer (1-5)"),
    )
    return {
        "responses": overall["n"],
        "mean_score": _round(overall["mean"]),
        "per_customer": per_customer,
        "complaints": counts,
        "open_complaints": still_open,
        "chart_svg": chart,
    }


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


# --- supplier performance -------------------------------------------------------------------------------


def supplier_performance(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """Supplier targets met per supplier, contract reviews held, disputes, contracts about to end."""
    from servitium.suppliers.models import ContractReview, Dispute, SupplierContract, SupplierPerformance

    performance = visible(SupplierPerformance.objects.all(), user).filter(
        period_start__gte=start, period_end__lte=end
    )
    per_supplier = [
        {
            "supplier": r["target__contract__supplier__organization__name"],
            "measured": r["n"],
            "met": r["met"],
            "compliance": share(r["met"], r["n"]),
        }
        for r in performance.values("target__contract__supplier__organization__name")
        .annotate(n=Count("pk"), met=Count("pk", filter=Q(met=True)))
        .order_by("target__contract__supplier__organization__name")
    ]
    reviews = visible(ContractReview.objects.all(), user).filter(held_on__gte=start, held_on__lte=end).count()
    disputes = visible(Dispute.objects.all(), user).aggregate(
        raised=Count("pk", filter=Q(raised_on__gte=start, raised_on__lte=end)),
        open=Count("pk", filter=Q(raised_on__lte=end, status=Dispute.Status.OPEN)),
    )
    horizon = end + dt.timedelta(days=EXPIRY_HORIZON_DAYS)
    expiring = [
        {
            "reference": c.reference,
            "title": c.title,
            "supplier": str(c.supplier.organization),
            "end_date": c.end_date,
        }
        for c in visible(SupplierContract.objects.all(), user)
        .filter(status=SupplierContract.Status.ACTIVE, end_date__isnull=False, end_date__lte=horizon)
        .select_related("supplier__organization")
        .order_by("end_date")[:SHOWN]
    ]
    if not per_supplier and not reviews and not any(disputes.values()) and not expiring:
        return None
    chart = charts.bars(
        [
            charts.Bar(
                s["supplier"],
                s["compliance"] * 100,
                percent(s["compliance"]),
                charts.share_colour(s["compliance"]),
            )
            for s in per_supplier
        ],
        maximum=100,
        title=_("Supplier targets met"),
    )
    return {
        "per_supplier": per_supplier,
        "contract_reviews": reviews,
        "disputes": disputes,
        "expiring": expiring,
        "horizon_days": EXPIRY_HORIZON_DAYS,
        "chart_svg": chart,
    }


# --- audit and assessment results -----------------------------------------------------------------------


def _leaf_outcomes(assessment_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """Per assessment and framework: how many leaf requirements (those with no sub-requirements) were met,
    failed, without evidence, not applicable — one aggregate."""
    from servitium.conformity.models import Requirement, Result

    children = Requirement.objects.filter(parent_id=OuterRef("requirement_id"))
    rows = (
        Result.objects.filter(assessment_id__in=assessment_ids)
        .filter(~Exists(children))
        .values("assessment_id", "requirement__framework__slug", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[int, dict[str, dict[str, int]]] = {}
    for r in rows:
        slot = out.setdefault(r["assessment_id"], {}).setdefault(
            r["requirement__framework__slug"], {"met": 0, "failed": 0, "no_evidence": 0, "not_applicable": 0}
        )
        status = r["status"]
        key = "failed" if status in ("not_met", "partly_met") else status
        slot[key] = slot.get(key, 0) + r["n"]
    return out


def _shares(counts: dict[str, int]) -> dict[str, Any]:
    judged = counts["met"] + counts["failed"] + counts["no_evidence"]
    return {
        **counts,
        "applicable": judged,
        "met_share": share(counts["met"], judged),
        "failed_share": share(counts["failed"], judged),
        "no_evidence_share": share(counts["no_evidence"], judged),
    }


def audit_results(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """The latest conformity assessment up to the end of the period (share of leaf obligations met, not met,
    without evidence, per framework) and the trend over the period (the last run of each month)."""
    from servitium.conformity.models import Assessment

    begin, finish = window(start, end)
    runs = visible(Assessment.objects.all(), user).filter(started_at__lt=finish)
    latest = runs.order_by("-started_at", "-id").first()
    if latest is None:
        return None
    in_period = list(
        runs.filter(started_at__gte=begin).order_by("started_at").values("id", "started_at", "reference")
    )
    last_of_month: dict[str, dict] = {}
    for run in in_period:
        last_of_month[run["started_at"].strftime("%Y-%m")] = run
    points = list(last_of_month.values())[-12:]
    ids = sorted({latest.pk, *(p["id"] for p in points)})
    outcomes = _leaf_outcomes(ids)
    frameworks = [
        {"framework": slug, **_shares(counts)} for slug, counts in sorted(outcomes.get(latest.pk, {}).items())
    ]
    main = (
        "iso20000-1:2018"
        if any(f["framework"] == "iso20000-1:2018" for f in frameworks)
        else (frameworks[0]["framework"] if frameworks else "")
    )
    trend = []
    for p in points:
        counts = outcomes.get(p["id"], {}).get(main)
        trend.append(
            {
                "month": p["started_at"].strftime("%Y-%m"),
                "assessment": p["reference"],
                "met_share": _shares(counts)["met_share"] if counts else None,
            }
        )
    chart = charts.bars(
        [
            charts.Bar(
                f["framework"],
                f["met_share"] and f["met_share"] * 100,
                percent(f["met_share"]),
                charts.share_colour(f["met_share"], 0.9),
            )
            for f in frameworks
        ],
        maximum=100,
        title=_("Leaf obligations met in the latest assessment"),
    )
    trend_chart = charts.columns(
        [(t["month"], None if t["met_share"] is None else round(t["met_share"] * 100, 1)) for t in trend],
        maximum=100,
        title=_("Share met per month (%(f)s)") % {"f": main},
    )
    return {
        "latest": {"reference": latest.reference, "started_at": latest.started_at},
        "frameworks": frameworks,
        "runs_in_period": len(in_period),
        "trend_framework": main,
        "trend": trend,
        "chart_svg": chart,
        "trend_svg": trend_chart,
    }


# --- changes --------------------------------------------------------------------------------------------


def sms_changes(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """Changes raised in the period by category and type, unsuccessful ones, emergency share, per month."""
    from servitium.changes.lifecycle import UNSUCCESSFUL
    from servitium.changes.models import Category, Change, ChangeType

    begin, finish = window(start, end)
    changes = visible(Change.objects.all(), user).filter(created__gte=begin, created__lt=finish)
    stats = changes.aggregate(
        total=Count("pk"),
        implemented=Count("pk", filter=Q(actual_start__isnull=False)),
        unsuccessful=Count("pk", filter=Q(outcome__in=UNSUCCESSFUL)),
        emergency=Count("pk", filter=Q(category=Category.EMERGENCY)),
    )
    if not stats["total"]:
        return None
    labels = dict(Category.choices)
    by_category = [
        {"category": str(labels.get(r["category"], r["category"])), "count": r["n"]}
        for r in changes.values("category").annotate(n=Count("pk")).order_by("-n", "category")
    ]
    type_labels = dict(ChangeType.choices)
    by_type = [
        {"type": str(type_labels.get(r["change_type"], r["change_type"])), "count": r["n"]}
        for r in changes.values("change_type").annotate(n=Count("pk")).order_by("-n", "change_type")
    ]
    monthly = [
        (r["month"].strftime("%Y-%m"), r["n"])
        for r in changes.annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]
    failed = [
        {"reference": c.reference, "title": c.title, "outcome": c.get_outcome_display()}
        for c in changes.filter(outcome__in=UNSUCCESSFUL).order_by("-created")[:SHOWN]
    ]
    return {
        **stats,
        "failure_rate": share(stats["unsuccessful"], stats["implemented"]),
        "emergency_share": share(stats["emergency"], stats["total"]),
        "by_category": by_category,
        "by_type": by_type,
        "monthly": [{"month": m, "count": n} for m, n in monthly],
        "failed": failed,
        "chart_svg": charts.bars(
            [charts.Bar(c["category"], c["count"]) for c in by_category], title=_("Changes by category")
        ),
        "trend_svg": charts.columns(monthly, title=_("Changes raised per month")),
    }


def register() -> None:
    """Register this app's inputs (the improvement, audit, risk, competence, documents and sms apps
    register theirs)."""
    register_review_input(
        "previous_actions",
        gettext_lazy("Actions from previous management reviews"),
        previous_actions,
        topics=("previous_actions",),
        template="reviews/inputs/previous_actions.html",
        order=10,
    )
    register_review_input(
        "service_performance",
        gettext_lazy("Service performance"),
        service_performance,
        topics=("service_performance",),
        template="reviews/inputs/service_performance.html",
        order=30,
    )
    register_review_input(
        "customer_feedback",
        gettext_lazy("Customer satisfaction and complaints"),
        customer_feedback,
        topics=("customer_feedback",),
        template="reviews/inputs/customer_feedback.html",
        order=40,
    )
    register_review_input(
        "supplier_performance",
        gettext_lazy("Supplier performance"),
        supplier_performance,
        topics=("supplier_performance",),
        template="reviews/inputs/supplier_performance.html",
        order=50,
    )
    register_review_input(
        "assessment_results",  # the audits app registers the internal audits under "internal_audits"
        gettext_lazy("Conformity assessment results"),
        audit_results,
        topics=("audit_results",),
        template="reviews/inputs/audit_results.html",
        order=60,
    )
    register_review_input(
        "sms_changes",
        gettext_lazy("Changes"),
        sms_changes,
        topics=("sms_changes",),
        template="reviews/inputs/sms_changes.html",
        order=100,
    )
