"""Demo data of improvement for Nimbus Cloud Services: nonconformities from several sources at different
stages (one closed after an effective check), corrective actions, and improvement opportunities from
proposed to evaluated.

Deliberate gaps the checks report: a corrective action past its due date (2018 10.1.c, 2011 4.5.5.1.s5)
and an improvement implemented two months ago and never evaluated against its target (2018 10.2.s4,
2011 4.5.5.2.d) — it also changes the request fulfilment procedure, whose new version is still a draft
(2011 4.5.5.2.c, see documents' demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.parties.models import Person

from . import services
from .models import ImprovementOpportunity, Nonconformity


def _person(name: str) -> Person | None:
    return Person.objects.filter(name=name).first()


def _backdate(obj: Any, days: int) -> None:
    """Demo records tell a story over months; their creation time is set back (the change log keeps the
    real time of writing)."""
    type(obj).objects.filter(pk=obj.pk).update(created=timezone.now() - dt.timedelta(days=days))


def _step(nc: Nonconformity, actor: Any, name: str, **data: Any) -> Nonconformity:
    return services.nonconformity_transition(actor=actor, instance=nc, transition=name, data=data)


def _action(
    nc: Nonconformity,
    actor: Any,
    description: str,
    owner: Any,
    due: dt.date,
    done: bool,
    changes_sms: bool = False,
) -> None:
    data = {"nonconformity": nc, "description": description, "owner": owner, "due_date": due}
    action = services.corrective_action_create(actor=actor, data={**data, "changes_sms": changes_sms})
    if done:
        services.corrective_action_transition(actor=actor, instance=action, transition="complete")


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    if Nonconformity.objects.filter(source_reference__startswith="PIR ").exists():
        return
    today = timezone.localdate()
    ewa, sofia, jonas, maria = (
        _person(n) for n in ("Ewa Nowak", "Sofia Rossi", "Jonas Weber", "Maria Keller")
    )
    _nonconformities(actor, today, ewa, sofia, jonas)
    _opportunities(actor, today, ewa, jonas, maria)


def _nonconformities(actor: Any, today: dt.date, ewa: Any, sofia: Any, jonas: Any) -> None:
    # 1. From the review of a major incident: worked through and closed after an effective check.
    nc = services.nonconformity_open(
        kind="incident",
        source_reference="PIR of the storage outage in March",
        grade="major",
        requirement="iso20000-1:2018#8.5.1.3.s2",
        description="An emergency change to the storage array firmware was made without the emergency "
        "change procedure: no approval recorded, no back-out plan.",
        owner=ewa,
        actor=actor,
    )
    nc = _step(
        nc, actor, "record_correction", correction="Change recorded after the fact and reviewed by the CAB."
    )
    nc = _step(
        nc,
        actor,
        "analyse_cause",
        root_cause="On-call engineers could not reach an emergency approver at night.",
    )
    _action(
        nc,
        actor,
        "On-call rota of emergency change approvers, published in the service desk tool",
        ewa,
        today - dt.timedelta(days=100),
        True,
        changes_sms=True,  # the emergency change procedure gains the rota (documents' demo writes it)
    )
    nc = _step(nc, actor, "plan_action")
    nc = _step(nc, actor, "complete_action")
    nc = _step(
        nc,
        actor,
        "effective",
        effectiveness_method="Sampled all 9 emergency changes of the following "
        "quarter: each had a recorded approver and back-out plan.",
    )
    nc = _step(nc, actor, "close")
    _backdate(nc, 150)

    # 2. From a customer complaint: action planned, one action overdue (the deliberate gap).
    nc = services.nonconformity_open(
        kind="complaint",
        source_reference="Complaint about late monthly SLA reports",
        grade="minor",
        requirement="iso20000-1:2018#8.3.3.s4",
        description="Monthly service reports to two customers were sent 10 to 15 days late.",
        owner=jonas,
        due_date=today + dt.timedelta(days=30),
        actor=actor,
    )
    nc = _step(nc, actor, "record_correction", correction="Overdue reports sent; customers informed.")
    nc = _step(
        nc, actor, "analyse_cause", root_cause="Report generation depends on one person's spreadsheet."
    )
    _action(
        nc,
        actor,
        "Generate the monthly reports from the SLA records automatically",
        sofia,
        today - dt.timedelta(days=12),
        False,
    )
    _action(
        nc,
        actor,
        "Second person trained to check and send the reports",
        jonas,
        today + dt.timedelta(days=20),
        False,
    )
    nc = _step(nc, actor, "plan_action")
    _backdate(nc, 80)

    # 3. From the external surveillance audit: actions done, effectiveness check planned.
    nc = services.nonconformity_open(
        kind="external_audit",
        source_reference="Surveillance audit, finding 2",
        grade="minor",
        requirement="iso20000-1:2018#7.5.3.s1",
        description="Two operating procedures in use were not the approved versions.",
        owner=ewa,
        actor=actor,
    )
    nc = _step(nc, actor, "record_correction", correction="Approved versions put back at the points of use.")
    nc = _step(
        nc,
        actor,
        "analyse_cause",
        root_cause="Copies printed for the data-centre floor were never withdrawn.",
    )
    _action(
        nc,
        actor,
        "Withdraw printed copies; link the floor terminals to the document register",
        ewa,
        today - dt.timedelta(days=5),
        True,
    )
    nc = _step(nc, actor, "plan_action")
    nc = _step(nc, actor, "complete_action")
    services.nonconformity_update(
        actor=actor,
        instance=nc,
        data={
            "effectiveness_method": "Spot check of the procedures at both data centres",
            "effectiveness_due": today + dt.timedelta(days=25),
        },
    )
    _backdate(nc, 35)


def _opportunities(actor: Any, today: dt.date, ewa: Any, jonas: Any, maria: Any) -> None:
    monitoring = Service.objects.filter(name__icontains="Monitoring").first()
    plans = [
        # description, kind, source, benefit, priority, owner, target, steps, days ago, evaluation
        (
            "Renew TLS certificates automatically instead of by calendar reminder",
            "problem",
            "Problem: expired certificates",
            "No outages from expired certificates; 6 hours of work a month saved",
            1,
            ewa,
            "No certificate-related incident in 6 months",
            ("approve", "start", "implement", "evaluate"),
            200,
            "No certificate incident since March; target met.",
        ),
        (
            "Self-service password reset for customer users",
            "survey",
            "Satisfaction survey, spring round",
            "Faster access for customers; fewer service desk calls",
            2,
            jonas,
            "Password tickets down by 40 % within 3 months",
            ("approve", "start", "implement"),
            90,
            "",
        ),
        (
            "Alert deduplication in the monitoring service",
            "incident",
            "Incident trend report",
            "Fewer duplicate incidents from one event",
            2,
            ewa,
            "Duplicate incidents below 5 % of monitoring tickets",
            ("approve", "start"),
            45,
            "",
        ),
        (
            "Move the customer portal to a new front-end framework",
            "other",
            "Team suggestion",
            "Looks more modern; no measured customer need",
            3,
            maria,
            "",
            ("reject",),
            70,
            "",
        ),
        (
            "Publish planned maintenance windows in the customer portal",
            "complaint",
            "Complaints about surprise maintenance",
            "Customers plan around maintenance",
            2,
            None,
            "",
            (),
            10,
            "",
        ),
    ]
    for description, kind, reference, benefit, priority, owner, target, steps, days, evaluation in plans:
        ofi = services.opportunity_raise(
            kind=kind,
            source_reference=reference,
            description=description,
            benefit=benefit,
            priority=priority,
            owner=owner,
            service=monitoring if "monitoring" in description else None,
            actor=actor,
        )
        if description.startswith("Self-service password reset"):
            # it changes the request fulfilment procedure, whose new version documents' demo leaves a draft
            ofi = services.opportunity_update(actor=actor, instance=ofi, data={"changes_sms": True})
        if target:
            ofi = services.opportunity_update(
                actor=actor,
                instance=ofi,
                data={"target": target, "target_date": today + dt.timedelta(days=120 - days)},
            )
        for name in steps:
            data = {"evaluation": evaluation} if name == "evaluate" else {}
            if name == "reject":
                data = {"decision_note": "Rejected: cost without a benefit our criteria recognise."}
            day = today - dt.timedelta(days=days - 30) if name in ("implement", "evaluate") else None
            ofi = services.opportunity_transition(
                actor=actor, instance=ofi, transition=name, data=data, today=day
            )
        _backdate(ofi, days)
    # The deliberate gap: implemented 60 days ago, never evaluated.
    ImprovementOpportunity.objects.filter(status="implemented").update(
        implemented_on=today - dt.timedelta(days=60)
    )
