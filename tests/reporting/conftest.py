"""Fixtures of the reporting tests: report staff, people and services of customer A, and a small data set
for one month (October 2025) whose figures are worked out by hand in test_content.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from servitium.changes.models import Change
from servitium.improvement.models import Nonconformity
from servitium.incidents.models import Incident, SlaClock
from servitium.relationships.models import Complaint, Survey, SurveyResponse
from servitium.reporting import services
from tests import factories


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("rptm", ctx.provider, ["report-manager"]),
        agent=factories.user("rpta", ctx.provider, ["report-agent"]),
        owner=factories.person("Rhea Owner", ctx.provider, email="rhea@provider.test"),
        contact=factories.person("Carl Contact", ctx.org_a, email="carl@customer-a.test"),
        mail=factories.service("Hosted Mail", customers=[ctx.org_a]),
        backup=factories.service("Backup", customers=[ctx.org_a]),
        other=factories.service("Object Storage", customers=[ctx.org_b]),
    )


def definition(staff, customer, **data):
    values = {
        "title": "Monthly service report",
        "purpose": "Show how the services performed against the SLA.",
        "customer": customer,
        "frequency": "monthly",
        "owner": staff.owner,
        **data,
    }
    m2m = {"audience_people": [staff.owner]}
    return services.definition_create(actor=None, data=values, m2m=m2m)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


_SEQ = iter(range(700000, 800000))


def ticket(
    customer, service, created, *, kind="incident", priority=3, channel="portal", resolved=None, **extra
):
    incident = Incident.objects.create(
        reference=f"INC{next(_SEQ)}",
        title=extra.pop("title", "Mail stuck"),
        kind=kind,
        customer=customer,
        service=service,
        priority=priority,
        channel=channel,
        resolved_at=at(resolved) if resolved else None,
        status="resolved" if resolved else "in_progress",
        **extra,
    )
    Incident.objects.filter(pk=incident.pk).update(created=at(created))
    incident.refresh_from_db()
    return incident


def clock(incident, metric, stopped, met):
    return SlaClock.objects.create(
        incident=incident,
        metric=metric,
        target_s=3600,
        started_at=incident.created,
        stopped_at=at(stopped),
        met=met,
    )


def change(title, services_, ended, *, outcome="successful", category="normal"):
    made = Change.objects.create(
        reference=f"CHG{next(_SEQ)}",
        title=title,
        category=category,
        status="completed" if outcome == "successful" else "failed",
        outcome=outcome,
        actual_start=at(ended) - dt.timedelta(hours=1),
        actual_end=at(ended),
    )
    made.affected_services.set(services_)
    return made


def nonconformity(source, created, *, closed=None):
    made = Nonconformity.objects.create(
        reference=f"NC-{next(_SEQ)}",
        description=f"Found on {source}",
        root_cause="Runbook out of date",
        source_kind="incident" if isinstance(source, Incident) else "complaint",
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        source_reference=source.reference,
        status="closed" if closed else "open",
        closed_at=at(closed) if closed else None,
    )
    Nonconformity.objects.filter(pk=made.pk).update(created=at(created))
    return made


def complaint(customer, created, *, resolved=None, service=None):
    made = Complaint.objects.create(
        reference=f"CMP{next(_SEQ)}",
        customer=customer,
        service=service,
        title="Slow answers",
        description="The desk took days.",
        findings="Understaffed on Mondays",
        status="resolved" if resolved else "investigating",
        resolved_at=at(resolved) if resolved else None,
    )
    Complaint.objects.filter(pk=made.pk).update(created=at(created))
    return made


def response(survey, customer, created, score):
    made = SurveyResponse.objects.create(
        survey=survey, customer=customer, answers={"q1": int(Decimal(score))}, score=Decimal(score)
    )
    SurveyResponse.objects.filter(pk=made.pk).update(created=at(created))
    return made


@pytest.fixture
def october(ctx, staff):
    """The small data set: customer A's October 2025, with records of customer B and of other months that
    must stay out of A's October report."""
    a, b = ctx.org_a, ctx.org_b
    major = ticket(
        a,
        staff.mail,
        "2025-10-03T10:00",
        priority=2,
        channel="email",
        resolved="2025-10-03T14:00",
        is_major=True,
        major_declared_at=at("2025-10-03T10:30"),
        title="Mail down",
    )
    clock(major, "response_time", "2025-10-03T10:10", True)
    clock(major, "resolution_time", "2025-10-03T14:00", False)
    slow = ticket(
        a, staff.mail, "2025-10-10T09:00", priority=3, channel="portal", resolved="2025-11-02T09:00"
    )
    clock(slow, "response_time", "2025-10-10T09:30", True)
    req = ticket(
        a,
        staff.backup,
        "2025-10-15T08:00",
        kind="request",
        priority=4,
        channel="portal",
        resolved="2025-10-16T08:00",
    )
    clock(req, "resolution_time", "2025-10-16T08:00", True)
    late = ticket(a, staff.mail, "2025-09-28T12:00", priority=3, channel="phone", resolved="2025-10-01T12:00")
    clock(late, "resolution_time", "2025-10-01T12:00", True)
    ticket(a, staff.mail, "2025-08-10T12:00", priority=3, resolved="2025-08-11T12:00")
    foreign = ticket(b, staff.other, "2025-10-05T12:00", priority=1, channel="phone", is_major=True)
    clock(foreign, "resolution_time", "2025-10-05T18:00", False)

    change("Mail relay upgrade", [staff.mail], "2025-10-20T22:00")
    change("Emergency patch", [staff.mail], "2025-10-25T02:00", outcome="failed", category="emergency")
    change("September change", [staff.mail], "2025-09-20T22:00")
    change("Other customer's change", [staff.other], "2025-10-21T22:00", outcome="backed_out")

    old = complaint(a, "2025-08-01T09:00")
    complaint(a, "2025-10-12T09:00", resolved="2025-10-20T09:00")
    complaint(b, "2025-10-13T09:00")
    nonconformity(major, "2025-10-04T09:00")
    nonconformity(old, "2025-08-02T09:00")
    nonconformity(
        complaint(a, "2025-09-01T09:00", resolved="2025-09-10T09:00"),
        "2025-09-01T10:00",
        closed="2025-09-20T09:00",
    )
    nonconformity(foreign, "2025-10-06T09:00")

    survey = Survey.objects.create(
        title="Quarterly survey", status="open", questions=[{"id": "q1", "text": "Overall?", "type": "scale"}]
    )
    response(survey, a, "2025-10-07T09:00", "4.00")
    response(survey, a, "2025-10-08T09:00", "3.50")
    response(survey, b, "2025-10-08T09:00", "1.00")
    response(survey, a, "2025-09-08T09:00", "1.00")
    return SimpleNamespace(major=major)
