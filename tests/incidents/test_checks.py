"""Conformity checks of incident and service request management follow the records: each test changes
one record and sees the result move."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.checks import REGISTRY
from servitium.incidents import major, services
from servitium.incidents.jobs import sla_clock_check
from servitium.incidents.models import (
    Incident,
    MajorIncidentDefinition,
    PostIncidentReview,
    RequestItem,
    SlaClock,
)
from tests import factories
from tests.incidents.conftest import berlin


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_every_incident_check_is_registered_for_both_editions():
    ids = [c for c in REGISTRY if c.startswith("incidents.")]
    assert len(ids) == 12
    reqs = {r for c in ids for r in REGISTRY[c].requirements}
    assert {"iso20000-1:2011#8.1.s7", "iso20000-1:2018#8.6.1.c", "iso20000-1:2018#8.6.2.s2"} <= reqs
    assert {"iso20000-1:2011#6.6.3.s1", "iso20000-1:2018#8.7.3.3.s2"} <= reqs
    assert {"iso20000-1:2018#8.6.1.d", "iso20000-1:2018#8.6.1.e", "iso20000-1:2018#8.6.2.c"} <= reqs


def test_classification_check(ctx):
    assert run("incidents.tickets_classified").status == "not_applicable"
    service = factories.service("Mail", customers=[ctx.org_a])
    good = services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "a", "service": service, "category": "mailbox"}
    )
    bad = services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "b"})
    result = run("incidents.tickets_classified")
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [bad.pk]
    services.incident_update(actor=None, instance=bad, data={"service": service, "category": "mailbox"})
    assert run("incidents.tickets_classified").status == "met"
    assert good.pk in [e.object_id for e in run("incidents.tickets_classified").evidence]


def test_major_incident_checks(ctx, sla):
    assert run("incidents.major_incident_definitions_agreed").status == "not_met"
    MajorIncidentDefinition.objects.create(customer=ctx.org_a, criteria="All users", priority_at_or_above=1)
    assert run("incidents.major_incident_definitions_agreed").status == "met"

    manager = factories.person("Mia", ctx.provider)
    incident = services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "down"})
    major.major_declare(actor=None, incident=incident, manager=manager)
    assert run("incidents.major_incidents_handled").status == "met"
    Incident.objects.filter(pk=incident.pk).update(status="closed")  # closed without a review
    assert run("incidents.major_incidents_handled").status == "not_met"
    PostIncidentReview.objects.create(
        incident=incident, held_on=dt.date(2026, 3, 1), summary="x", to_improve="y"
    )
    assert run("incidents.major_incidents_handled").status == "met"


def test_warning_and_escalation_before_breach_check(ctx, sla):
    start = berlin(2026, 11, 2, 9)
    incident = services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "service": sla.service, "title": "slow", "impact": 2, "urgency": 2},
        now=start,
    )
    clock = SlaClock.objects.get(incident=incident, metric="resolution_time")
    # Breached without the warning having run (e.g. the queue was down): a gap.
    SlaClock.objects.filter(pk=clock.pk).update(met=False, stopped_at=start + dt.timedelta(hours=9))
    assert run("incidents.customer_warned_before_breach").status == "not_met"
    SlaClock.objects.filter(pk=clock.pk).update(met=None, stopped_at=None)
    assert sla_clock_check.call_local(clock.pk, clock.version, now=start + dt.timedelta(hours=6)) == "warned"
    SlaClock.objects.filter(pk=clock.pk).update(met=False, stopped_at=start + dt.timedelta(hours=9))
    assert run("incidents.customer_warned_before_breach").status == "met"


def test_request_item_and_security_checks(ctx):
    service = factories.service("VMs")
    item = RequestItem.objects.create(service=service, name="New VM")
    assert run("incidents.request_items_defined").status == "not_met"
    item.fulfilment_instructions = "Clone the golden image."
    item.save()
    assert run("incidents.request_items_defined").status == "met"

    assert run("incidents.security_incidents_classified").status == "not_applicable"
    sec = services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "phish", "is_security": True}
    )
    assert run("incidents.security_incidents_classified").status == "not_met"
    services.incident_update(
        actor=None, instance=sec, data={"security_category": "phishing", "security_risk": 2}
    )
    assert run("incidents.security_incidents_classified").status == "met"


def test_a_missed_target_warned_and_escalated_but_never_reviewed_is_named(ctx, sla):
    from servitium.agreements.models import ServiceReview

    now = timezone.now()
    incident = services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "service": sla.service, "title": "slow", "impact": 2, "urgency": 2},
        now=now - dt.timedelta(days=40),
    )
    clock = SlaClock.objects.get(incident=incident, metric="resolution_time")
    assert clock.target_id is not None
    Incident.objects.filter(pk=incident.pk).update(escalation_level=1)
    SlaClock.objects.filter(pk=clock.pk).update(
        met=False, warned=True, stopped_at=now - dt.timedelta(days=39)
    )
    assert run("incidents.customer_warned_before_breach").status == "met"
    result = run("incidents.missed_targets_reviewed")
    assert result.status == "not_met" and incident.reference in result.message
    assert [(g.object_type, g.object_id) for g in result.gaps] == [("incidents.incident", incident.pk)]
    ServiceReview.objects.create(
        agreement=clock.target.agreement,
        scheduled_for=(now - dt.timedelta(days=10)).date(),
        held_on=(now - dt.timedelta(days=10)).date(),
        status="held",
        performance_discussed="The missed resolution target of the slow-mail incident.",
    )
    assert run("incidents.missed_targets_reviewed").status == "met"


def test_customers_hear_about_their_resolved_tickets(ctx):
    from django.contrib.contenttypes.models import ContentType

    from servitium.core.models import Comment

    assert run("incidents.customers_kept_informed").status == "not_applicable"
    silent, told = (
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": t}) for t in ("a", "b")
    )
    Incident.objects.filter(pk__in=[silent.pk, told.pk]).update(resolved_at=timezone.now())
    Comment.objects.create(
        target_type=ContentType.objects.get_for_model(Incident),
        object_id=told.pk,
        body="Fixed: the mailbox quota was raised.",
        visibility=Comment.Visibility.INTERNAL,
    )
    assert run("incidents.customers_kept_informed").status == "not_met"  # a work note tells nobody
    Comment.objects.filter(object_id=told.pk).update(visibility=Comment.Visibility.PUBLIC)
    result = run("incidents.customers_kept_informed")
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [silent.pk]
