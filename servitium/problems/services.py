"""Writes of problem management: problems (from incidents or from trends), their lifecycle, their links to
incidents, and the known errors recorded from them. Every write goes through the audited core services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import changelog, permissions
from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed
from servitium.core.models import ChangeRecord
from servitium.incidents.models import Incident
from servitium.incidents.services import priority_for

from .lifecycle import KNOWN_ERROR_WORKFLOW, PROBLEM_WORKFLOW
from .models import KnownError, Problem

# Fields a transition may carry (`{"transition": "resolve", "resolution": "..."}`).
TRANSITION_FIELDS = ("root_cause", "workaround", "resolution", "change_reference")


def _priority(impact: Any, urgency: Any) -> int:
    try:
        return priority_for(int(impact), int(urgency))
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"impact": [_("Impact and urgency run from 1 (high) to 3 (low).")]}) from None


def _ids(items: Iterable[Any]) -> list[int]:
    try:
        return sorted({int(getattr(item, "pk", item)) for item in items})
    except (TypeError, ValueError):
        raise ValidationError({"incidents": [_("Name incidents by their ids.")]}) from None


def _visible_incidents(actor: Any, items: Iterable[Any]) -> list[Incident]:
    """The named incidents, each of which the actor must be able to see (the system actor sees all)."""
    ids = _ids(items)
    queryset = Incident.objects.filter(pk__in=ids).select_related("service")
    if actor is not None:
        queryset = permissions.restrict(queryset, actor)
    found = list(queryset)
    missing = sorted(set(ids) - {i.pk for i in found})
    if missing:
        raise ValidationError(
            {"incidents": [_("No incidents with ids %(ids)s that you can see.") % {"ids": missing}]}
        )
    requests = [i.reference for i in found if i.kind != Incident.Kind.INCIDENT]
    if requests:
        raise ValidationError(
            {"incidents": [_("Service requests are not linked to problems: %(refs)s.") % {"refs": requests}]}
        )
    return found


def _ensure_editable(problem: Problem) -> None:
    if problem.status in (Problem.Status.CLOSED, Problem.Status.CANCELLED):
        raise TransitionNotAllowed(
            _("A %(status)s problem is kept as it was; reopen it first.")
            % {"status": problem.get_status_display()}
        )


def _write_incidents(*, actor: Any, problem: Problem, change: Any) -> Problem:
    """Store the problem's set of incidents as `change(current ids)` decides (linking and unlinking are
    the service's decisions, not field input), with its change-log entry."""
    current = set(problem.incidents.values_list("pk", flat=True))
    return core_services.record_update(
        instance=problem, data={}, derived={"incidents": sorted(change(current))}, actor=actor
    )


@transaction.atomic
def problem_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> Problem:
    """Record a problem; its priority follows from impact and urgency; `m2m={"incidents": [...]}` links
    the incidents it was raised from. `data` is what the actor asked for, `derived` what the calling
    service worked out (defaults taken from incidents, a trend's findings)."""
    data, m2m = dict(data), dict(m2m or {})
    incidents = [*(m2m.pop("incidents", None) or ()), *(data.pop("incidents", None) or ())]
    values = {**data, **(derived or {})}
    derived = {**(derived or {}), "priority": _priority(values.get("impact", 3), values.get("urgency", 3))}
    if incidents:
        m2m["incidents"] = [i.pk for i in _visible_incidents(actor, incidents)]
    return core_services.record_create(
        model=Problem, data=data, actor=actor, m2m=m2m or None, derived=derived
    )


@transaction.atomic
def problem_update(
    *,
    actor: Any,
    instance: Problem,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> Problem:
    """Change a problem's fields; a new impact or urgency re-derives the priority. While it is a known
    error, a new root cause or workaround is carried to its known-error record so incident handling sees
    the current one. (Its incidents change by linking and unlinking.)"""
    _ensure_editable(instance)
    derived = dict(derived or {})
    if "impact" in data or "urgency" in data:
        derived["priority"] = _priority(
            data.get("impact", instance.impact), data.get("urgency", instance.urgency)
        )
    problem = core_services.record_update(
        instance=instance, data=data, actor=actor, m2m=m2m or None, derived=derived
    )
    if problem.status == Problem.Status.KNOWN_ERROR and ({"root_cause", "workaround"} & {*data, *derived}):
        known_error_from_problem(actor=actor, problem=problem)
    return problem


@transaction.atomic
def problem_link_incidents(*, actor: Any, problem: Problem, incidents: Iterable[Any]) -> Problem:
    """Add incidents to a problem (those already linked stay)."""
    _ensure_editable(problem)
    added = {i.pk for i in _visible_incidents(actor, incidents)}
    return _write_incidents(actor=actor, problem=problem, change=lambda current: current | added)


@transaction.atomic
def problem_unlink_incidents(*, actor: Any, problem: Problem, incidents: Iterable[Any]) -> Problem:
    """Remove incidents from a problem (the actor names incidents it can see)."""
    _ensure_editable(problem)
    removed = {i.pk for i in _visible_incidents(actor, incidents)}
    return _write_incidents(actor=actor, problem=problem, change=lambda current: current - removed)


def defaults_from_incidents(incidents: list[Incident]) -> dict[str, Any]:
    """What a problem raised from these incidents starts with: the first one's title, what they share
    (service, category, configuration item) and their highest impact and urgency."""
    if not incidents:
        return {}
    first = min(incidents, key=lambda i: (i.created, i.pk))
    data: dict[str, Any] = {
        "title": first.title,
        "description": _("Raised from %(refs)s.") % {"refs": ", ".join(i.reference for i in incidents)},
        "impact": min(i.impact for i in incidents),
        "urgency": min(i.urgency for i in incidents),
        "origin": Problem.Origin.REACTIVE,
    }
    if len({i.service_id for i in incidents}) == 1 and first.service_id:
        data["service"] = first.service
    for field in ("category", "affected_ci_name"):
        values = {getattr(i, field) for i in incidents}
        if len(values) == 1 and getattr(first, field):
            data[field] = values.pop()
    return data


@transaction.atomic
def problem_from_incidents(
    *, actor: Any, incidents: Iterable[Any], data: dict[str, Any] | None = None
) -> Problem:
    """Raise a problem from one or more incidents and link them; `data` overrides the derived fields."""
    linked = _visible_incidents(actor, incidents)
    if not linked:
        raise ValidationError({"incidents": [_("Name at least one incident.")]})
    data = dict(data or {})
    defaults = {k: v for k, v in defaults_from_incidents(linked).items() if k not in data}
    return problem_create(actor=actor, data=data, m2m={"incidents": linked}, derived=defaults)


@transaction.atomic
def problem_transition(
    *,
    actor: Any,
    instance: Problem,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """Move a problem along its lifecycle. Reaching *known error* records (or refreshes) its known error;
    resolving retires it. The transition may carry the root cause, workaround, resolution or RFC."""
    now = now or timezone.now()
    problem = Problem.objects.select_for_update().get(pk=instance.pk)
    step = PROBLEM_WORKFLOW.get(transition)
    given = {f: str(data[f]) for f in TRANSITION_FIELDS if data and data.get(f) is not None}
    stored = {f: getattr(problem, f) for f in given}
    for name, value in given.items():
        setattr(problem, name, value)
    if problem.status in step.sources:
        missing = [f for f in step.needs if not (getattr(problem, f) or "").strip()]
        if missing:
            raise ValidationError(
                {f: [_("Needed to %(step)s.") % {"step": str(step.label).lower()}] for f in missing}
            )
    PROBLEM_WORKFLOW.check(problem, problem.status, transition)
    for name, value in stored.items():  # the change log's "before" is what was stored
        setattr(problem, name, value)
    extra: dict[str, Any] = dict(given)
    if step.name == "resolve":
        extra.update({"resolved_at": now, "closed_at": None})
    elif step.name in ("close", "cancel"):
        extra["closed_at"] = now
    elif step.name == "reopen":
        extra.update({"resolved_at": None, "closed_at": None, "reopen_count": problem.reopen_count + 1})
    problem = core_services.record_transition(
        instance=problem,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.target == Problem.Status.KNOWN_ERROR:
        known_error_from_problem(actor=actor, problem=problem)
    elif step.name in ("resolve", "cancel"):
        for known_error in problem.known_errors.filter(status=KnownError.Status.ACTIVE):
            known_error_transition(
                actor=actor,
                instance=known_error,
                transition="retire",
                note=_("Problem %(ref)s: %(step)s") % {"ref": problem.reference, "step": step.label},
            )
    return problem


@transaction.atomic
def known_error_from_problem(*, actor: Any, problem: Problem) -> KnownError:
    """Record the problem's known error from its root cause and workaround; if it has one already, bring
    that one up to date (and active again)."""
    if not (problem.root_cause or "").strip():
        raise ValidationError({"root_cause": [_("A known error needs the root cause.")]})
    existing = problem.known_errors.order_by("-created", "-id").first()
    if existing is None:
        return core_services.record_create(
            model=KnownError,
            data={},
            derived={
                "problem": problem,
                "title": problem.title,
                "symptoms": problem.description,
                "root_cause": problem.root_cause,
                "workaround": problem.workaround,
                "service": problem.service,
                "category": problem.category,
            },
            actor=actor,
        )
    if existing.status == KnownError.Status.RETIRED:
        existing = known_error_transition(
            actor=actor,
            instance=existing,
            transition="reactivate",
            note=_("Problem %(ref)s is a known error again") % {"ref": problem.reference},
        )
    return core_services.record_update(
        instance=existing,
        data={},
        derived={"root_cause": problem.root_cause, "workaround": problem.workaround},
        actor=actor,
    )


@transaction.atomic
def known_error_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> KnownError:
    """Record a known error directly (e.g. from a supplier's advisory); it starts active."""
    return core_services.record_create(model=KnownError, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def known_error_update(
    *, actor: Any, instance: KnownError, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> KnownError:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def known_error_transition(
    *, actor: Any, instance: KnownError, transition: str, note: str = "", data: dict | None = None
) -> KnownError:
    """Retire a known error that no longer applies, or reactivate it."""
    known_error = KnownError.objects.select_for_update().get(pk=instance.pk)
    step = KNOWN_ERROR_WORKFLOW.check(known_error, known_error.status, transition)
    return core_services.record_transition(
        instance=known_error, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


# --- trend analysis ---------------------------------------------------------------------------------------


def _unexplained_incidents(since: dt.datetime, until: dt.datetime):
    """Incidents of the window that no problem accounts for yet."""
    linked = Problem.incidents.through.objects.filter(incident_id=OuterRef("pk"))
    return Incident.objects.filter(
        kind=Incident.Kind.INCIDENT, created__gte=since, created__lte=until
    ).exclude(Exists(linked))


def problems_propose(
    *, actor: Any = None, now: dt.datetime | None = None, days: int = 14, threshold: int = 5
) -> list[Problem]:
    """Trend analysis (2011 8.2; 2018 8.6.3): propose a problem for each cluster of at least `threshold`
    incidents in the last `days` days that no problem accounts for and no open problem already covers.

    Clusters are incidents on the same configuration item, then incidents of the same service and category;
    both are grouped in SQL. Proposed problems link their incidents, so a second run proposes nothing new.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    proposed = []
    open_problems = Problem.objects.exclude(status__in=Problem.ENDED)
    covered_cis = {
        name.lower()
        for name in open_problems.exclude(affected_ci_name="").values_list("affected_ci_name", flat=True)
    }
    by_ci = (
        _unexplained_incidents(since, now)
        .exclude(affected_ci_name="")
        .annotate(ci=Lower("affected_ci_name"))
        .values("ci")
        .annotate(n=Count("id"), name=Max("affected_ci_name"), impact=Min("impact"))
        .filter(n__gte=threshold)
        .order_by("-n", "ci")
    )
    for group in by_ci:
        if group["ci"] in covered_cis:
            continue
        incidents = (
            _unexplained_incidents(since, now).annotate(ci=Lower("affected_ci_name")).filter(ci=group["ci"])
        )
        title = _("Recurring incidents on %(ci)s") % {"ci": group["name"]}
        proposed.append(_propose(actor, title, incidents, group, days, {"affected_ci_name": group["name"]}))
    covered_pairs = set(open_problems.exclude(service=None).values_list("service_id", "category"))
    by_service = (
        _unexplained_incidents(since, now)
        .exclude(service=None)
        .exclude(category="")
        .values("service", "category")
        .annotate(n=Count("id"), impact=Min("impact"))
        .filter(n__gte=threshold)
        .order_by("-n", "service", "category")
    )
    for group in by_service:
        if (group["service"], group["category"]) in covered_pairs:
            continue
        incidents = _unexplained_incidents(since, now).filter(
            service_id=group["service"], category=group["category"]
        )
        service = incidents.first().service
        title = _("Recurring %(category)s incidents on %(service)s") % {
            "category": group["category"],
            "service": service.name,
        }
        fields = {"service": service, "category": group["category"]}
        proposed.append(_propose(actor, title, incidents, group, days, fields))
    return proposed


def _propose(actor, title: str, incidents, group: dict, days: int, fields: dict) -> Problem:
    refs = list(incidents.order_by("created", "id").values_list("pk", "reference"))
    description = _(
        "Proposed by trend analysis: %(n)d incidents in %(days)d days that no problem accounts for "
        "(%(refs)s). Investigate the common cause, or cancel if they are unrelated."
    ) % {"n": len(refs), "days": days, "refs": ", ".join(r for _pk, r in refs)}
    return problem_create(
        actor=actor,
        data={},
        derived={
            "title": title[:250],
            "description": description,
            "origin": Problem.Origin.PROACTIVE,
            "impact": group["impact"],
            "urgency": 3,
            **fields,
        },
        m2m={"incidents": [pk for pk, _r in refs]},
    )


@transaction.atomic
def problem_escalate(*, actor: Any, instance: Problem, note: str = "") -> Problem:
    """Hierarchical escalation of a problem that needs more attention, people or money than its group can
    give: level 1 tells the assignment group's lead, level 2 and above top management too, by mail; the
    escalation is logged on the problem."""
    from servitium.incidents.mail.outbound import send_ticket_mail
    from servitium.incidents.major import top_management_addresses

    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("assignment_group__lead")
        .get(pk=instance.pk)
    )
    if not problem.is_open:
        raise TransitionNotAllowed(_("Only an open problem can be escalated."))
    level = problem.escalation_level + 1
    problem = core_services.record_update(
        instance=problem,
        actor=actor,
        data={},
        derived={"escalation_level": level, "escalated_at": timezone.now()},
    )
    message = _("Escalated to level %(level)d") % {"level": level}
    changelog.record(
        problem,
        action=ChangeRecord.Action.UPDATE,
        actor=actor,
        changes={},
        message=f"{message}: {note[:500]}" if note else message,
    )
    group = problem.assignment_group
    recipients = [group.lead.email] if group and group.lead and group.lead.email else []
    if level >= 2:
        recipients += top_management_addresses()
    recipients = sorted(set(recipients))
    if recipients:
        subject = f"[{problem.reference}] " + _("Problem escalated to level %(level)d") % {"level": level}
        body = f"{problem.reference} {problem.title}\n\n{note}".strip()
        payload = {"subject": subject[:255], "body": body, "to": recipients, "headers": {}}
        transaction.on_commit(lambda: send_ticket_mail(payload))
    return problem
