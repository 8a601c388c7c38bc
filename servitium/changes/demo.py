"""Demo change management: a policy controlling the main CI types, a CAB and an emergency board of demo
people, standard change templates, a blackout window, and about thirty changes over the last months and
the next weeks, across categories and outcomes, on the demo CIs.

Idempotent: the policy, boards and templates are looked up by name; changes are only created when there
are none. Past changes are run through the real lifecycle, then moved back in time (their timestamps only)
so that trends and the calendar have a history to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Offering, Service
from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import CIType, ConfigurationItem
from servitium.core import services as core_services
from servitium.parties import services as party_services
from servitium.parties.models import Organization, Person, User

from . import services
from .models import (
    BlackoutWindow,
    Change,
    ChangeAdvisoryBoard,
    ChangeApproval,
    ChangePolicy,
    StandardChangeTemplate,
)

# username, person, roles
STAFF = [
    ("ewa", "Ewa Nowak", ["change-manager", "configuration-manager"]),
    ("sofia", "Sofia Rossi", ["change-agent", "configuration-agent"]),
    ("kenji", "Kenji Tanaka", ["change-agent", "configuration-agent"]),
]
TEMPLATES = [
    ("Restart a virtual machine", "Drain traffic, restart, check health probes.", ["virtual machine"]),
    ("Renew a TLS certificate", "Issue, deploy to the load balancer, verify the chain.", ["application"]),
    ("Grow a database volume", "Extend the volume online, grow the file system, check.", ["database"]),
]
EMERGENCY_PROCEDURE = (
    "The engineer on call raises an emergency change and calls the emergency board on duty. Work may start "
    "before the board decides when a service is down or at risk; the board then records its decision within "
    "two working days, and the change gets a post-implementation review like any other."
)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

# title, category, type, CIs, path, days from now (negative: past)
PAST = [
    ("Upgrade Postfix to 3.8", "normal", "ci_change", ["Postfix relay"], "completed", -170),
    ("Add a second IdP node to the load balancer", "normal", "ci_change", ["idp-02"], "completed", -160),
    ("Restart mx-relay-01 after memory leak", "standard", "ci_change", ["mx-relay-01"], "completed", -150),
    ("Patch fra-hv-01 firmware", "normal", "ci_change", ["fra-hv-01"], "backed_out", -140),
    ("Renew the Keycloak certificate", "standard", "ci_change", ["Keycloak"], "completed", -130),
    ("Grow pg-cluster-shared storage", "standard", "ci_change", ["pg-cluster-shared"], "completed", -120),
    ("Firewall rule clean-up", "normal", "ci_change", ["fra-fw-01"], "completed", -110),
    (
        "Emergency: block an exploited port",
        "emergency",
        "ci_change",
        ["fra-fw-01"],
        "emergency_reviewed",
        -100,
    ),
    ("Upgrade Grafana to 11", "normal", "ci_change", ["Grafana"], "failed", -90),
    ("Move backups to the new repository", "normal", "ci_change", ["Backup server"], "completed", -80),
    ("Restart dub-mon-01", "standard", "ci_change", ["dub-mon-01"], "completed", -70),
    ("Kubernetes 1.30 upgrade", "normal", "ci_change", ["k8s-prod-fra"], "completed", -60),
    ("Replace core switch optics", "normal", "ci_change", ["fra-core-sw-01"], "completed", -50),
    ("Offer a monitoring dashboard per customer", "normal", "service_change", ["Grafana"], "rejected", -45),
    ("Dovecot 2.3.21 security update", "normal", "ci_change", ["Dovecot mail store"], "completed", -40),
    ("Emergency: restore a corrupted IdP realm", "emergency", "ci_change", ["Keycloak"], "completed", -30),
    ("PostgreSQL 16.3 minor upgrade", "normal", "ci_change", ["pg-cluster-shared"], "failed_open", -20),
    ("Renew the portal certificate", "standard", "ci_change", ["VM provisioning portal"], "completed", -12),
    ("Emergency: patch an OpenSSH flaw", "emergency", "ci_change", ["web-fra-01"], "emergency_pending", -3),
]
FUTURE = [
    ("Retire the legacy web hosting control panel", "major", "service_removal", [], "routed", 20),
    ("Kernel patch on pg-fra-01", "normal", "ci_change", ["pg-fra-01"], "approved", 8),
    ("Firmware update on fra-hv-03", "normal", "ci_change", ["fra-hv-03"], "submitted", 8),  # conflicts
    ("Web node OS upgrade during the retail peak", "normal", "ci_change", ["web-fra-01"], "submitted", 4),
    ("Restart k8s-node-02", "standard", "ci_change", ["k8s-node-02"], "approved", 6),
    ("Prometheus retention change", "normal", "ci_change", ["Prometheus"], "submitted", 12),
    ("Add a third mail store", "normal", "ci_change", ["mail-store-01"], "draft", 25),
]


def load(*, actor: Any) -> None:
    """Load this app's demo records (idempotent)."""
    if not CIType.objects.exists():
        return
    with transaction.atomic():
        staff = _staff(actor)
        policy = _policy(actor, staff)
        templates = _templates(actor)
        _blackout(actor)
        if Change.objects.exists():
            return
        cis = {ci.name: ci for ci in ConfigurationItem.objects.all()}
        for spec in PAST + FUTURE:
            _change(actor, staff, policy, templates, cis, *spec)
        _catalogue_under_change(actor)


def _catalogue_under_change(actor: Any) -> None:
    """Each live service and its available offerings name the latest authorised change that touched the
    service; services no demo change touched keep a blank reference (a deliberate gap of 2011 6.1.s7)."""
    for service in Service.objects.filter(status="live", change_reference=""):
        change = (
            Change.objects.filter(affected_services=service, status__in=Change.AUTHORISED)
            .order_by("-pk")
            .first()
        )
        if change is None:
            continue
        named = {"change_reference": change.reference}
        core_services.record_update(instance=service, data=named, actor=actor)
        for offering in Offering.objects.filter(service=service, status="available", change_reference=""):
            core_services.record_update(instance=offering, data=named, actor=actor)


def _staff(actor: Any) -> dict[str, User]:
    people = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    provider = Organization.objects.filter(kind="provider").order_by("id").first()
    staff = {}
    for username, name, roles in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = party_services.user_create(
                actor=actor, data={"username": username, "organization": provider, "roles": roles}
            )
            person = people.get(name)
            if person is not None and person.user_id is None:
                core_services.record_update(instance=person, data={"user": user}, actor=actor)
        staff[username] = user
    director = User.objects.filter(username="director").first()
    if director is not None:
        staff["director"] = director
    return staff


def _board(actor: Any, name: str, kind: str, quorum: int, members: list[User]) -> ChangeAdvisoryBoard:
    board = ChangeAdvisoryBoard.objects.filter(name=name).first()
    if board is None:
        board = core_services.record_create(
            model=ChangeAdvisoryBoard,
            data={"name": name, "kind": kind, "quorum": quorum},
            actor=actor,
            m2m={"members": Person.objects.filter(user__in=members)},
        )
    return board


def _policy(actor: Any, staff: dict[str, User]) -> ChangePolicy:
    policy = ChangePolicy.objects.filter(active=True).first()
    if policy is not None:
        return policy
    members = [u for k, u in staff.items() if k in ("ewa", "sofia", "kenji", "director")]
    cab = _board(actor, "Weekly CAB", "cab", 2, members)
    ecab = _board(
        actor, "Emergency CAB", "ecab", 1, [u for k, u in staff.items() if k in ("ewa", "director")]
    )
    return services.policy_create(
        actor=actor,
        data={
            "name": "Nimbus change management policy",
            "description": "Every change to a controlled CI is recorded, assessed and approved first.",
            "normal_authority": "cab",
            "major_authority": "cab",
            "emergency_authority": "ecab",
            "cab": cab,
            "emergency_board": ecab,
            # Infrastructure changes here touch every customer; the policy names high risk as the criterion.
            "major_customer_threshold": 0,
            "major_on_high_risk": True,
            "review_within_days": 10,
            "emergency_procedure": EMERGENCY_PROCEDURE,
        },
        m2m={"controlled_ci_types": CIType.objects.filter(name__in=cmdb_services.DEFAULT_CONTROLLED_TYPES)},
    )


def _templates(actor: Any) -> dict[str, StandardChangeTemplate]:
    found = {t.name: t for t in StandardChangeTemplate.objects.all()}
    for name, steps, type_names in TEMPLATES:
        if name not in found:
            found[name] = core_services.record_create(
                model=StandardChangeTemplate,
                data={"name": name, "implementation_steps": steps, "description": "Pre-approved, low risk."},
                actor=actor,
                m2m={"allowed_ci_types": CIType.objects.filter(name__in=type_names)},
            )
    return found


def _blackout(actor: Any) -> None:
    if BlackoutWindow.objects.exists():
        return
    start = (timezone.now() + 3 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    core_services.record_create(
        model=BlackoutWindow,
        data={
            "name": "Retail peak freeze",
            "reason": "Black Friday week: Cedar Retail Group's web shop must not be disturbed.",
            "start": start,
            "end": start + 4 * DAY,
        },
        actor=actor,
        m2m={
            "customers": Organization.objects.filter(name="Cedar Retail Group"),
            "services": Service.objects.filter(name="Web Application Hosting"),
        },
    )


def _template_for(templates: dict[str, StandardChangeTemplate], ci: ConfigurationItem):
    for template in templates.values():
        if ci.ci_type.name in {t.name for t in template.allowed_ci_types.all()}:
            return template
    return None


# Why each request for change is wanted, and its rank; the Prometheus retention change was submitted
# without either (the deliberate gap of 2018 8.2.2.s4). Standard changes are pre-approved and need neither.
NEEDS = {
    "Upgrade Postfix to 3.8": (3, "Postfix 3.7 leaves support; mail must stay on patched software."),
    "Add a second IdP node to the load balancer": (2, "A single IdP node is a single point of failure."),
    "Patch fra-hv-01 firmware": (2, "The vendor's firmware fixes a memory fault seen on two hosts."),
    "Firewall rule clean-up": (4, "Stale rules slow audits and hide mistakes."),
    "Emergency: block an exploited port": (1, "An exploited service was reachable from the internet."),
    "Upgrade Grafana to 11": (4, "Customers asked for the newer dashboards; version 10 leaves support."),
    "Move backups to the new repository": (2, "The old repository is full and out of warranty."),
    "Kubernetes 1.30 upgrade": (3, "Kubernetes 1.29 leaves upstream support in two months."),
    "Replace core switch optics": (2, "Optics on the core switch report rising error counts."),
    "Offer a monitoring dashboard per customer": (4, "Two customers asked for their own view of monitoring."),
    "Dovecot 2.3.21 security update": (2, "Security fix for the mail store."),
    "Emergency: restore a corrupted IdP realm": (1, "No customer could sign in."),
    "PostgreSQL 16.3 minor upgrade": (3, "Bug fixes the database service's customers reported."),
    "Emergency: patch an OpenSSH flaw": (1, "A remotely exploitable flaw in a public web node."),
    "Retire the legacy web hosting control panel": (3, "Replaced by the platform's self-service portal."),
    "Kernel patch on pg-fra-01": (2, "Security fix for the database host's kernel."),
    "Firmware update on fra-hv-03": (3, "Keeps the hypervisor host on supported firmware."),
    "Web node OS upgrade during the retail peak": (3, "The web nodes' OS release leaves support this year."),
    "Add a third mail store": (3, "The two mail stores reach 80 % of their capacity by spring."),
}


def _change(actor, staff, policy, templates, cis, title, category, kind, names, path, days) -> None:
    affected = [cis[n] for n in names if n in cis]
    start = (timezone.now() + days * DAY).replace(hour=22, minute=0, second=0, microsecond=0)
    data: dict[str, Any] = {
        "title": title,
        "category": category,
        "change_type": kind,
        "risk_level": "low" if category == "standard" else "medium",
        "planned_start": start,
        "planned_end": start + 2 * HOUR,
        "implementation_plan": "Follow the runbook; announce start and end in the operations channel.",
        "remediation_plan": "Restore the previous version from the pre-change snapshot.",
        "test_plan": "Health checks and a synthetic transaction after the change.",
        "impact_assessment": "Short loss of redundancy; no customer-visible outage expected.",
    }
    if title in NEEDS:
        data["priority"], data["justification"] = NEEDS[title]
    m2m: dict[str, Any] = {"affected_cis": affected}
    if category == "standard":
        data["template"] = _template_for(templates, affected[0]) if affected else None
        if data["template"] is None:  # no template covers the CI: it goes through the CAB instead
            data["category"] = category = "normal"
    if kind == "service_removal":
        m2m["affected_services"] = list(Service.objects.filter(name="Web Application Hosting"))
    change = services.change_create(actor=actor, data=data, m2m=m2m)
    if path == "draft":
        return
    change = services.change_transition(actor=actor, instance=change, transition="submit")
    if path in ("submitted", "routed"):
        return
    if category in ("normal", "major"):
        verdict = "reject" if path == "rejected" else "approve"
        for username in ("ewa", "sofia"):
            change.refresh_from_db()
            if change.status == "submitted" and username in staff:
                services.change_approval_record(
                    actor=staff[username],
                    change=change,
                    decision=verdict,
                    comment="Reviewed at the weekly CAB.",
                )
    if path in ("approved", "rejected"):
        return _backdate(change, days)
    change = services.change_transition(actor=actor, instance=change, transition="implement")
    if affected and path == "completed" and category != "emergency":
        field = "version" if affected[0].version else "status"
        value = _next_version(affected[0].version) if field == "version" else "in_use"
        services.configuration_update_create(
            actor=actor, data={"change": change, "ci": affected[0], "field": field, "new_value": value}
        )
    _finish(actor, staff, change, path)
    _backdate(change, days)


def _finish(actor, staff, change: Change, path: str) -> None:
    step = {"failed": "fail", "failed_open": "fail", "backed_out": "back_out"}.get(path, "complete")
    reason = "Health checks failed after the upgrade." if step != "complete" else None
    change = services.change_transition(
        actor=actor, instance=change, transition=step, data={"failure_reason": reason} if reason else None
    )
    if path in ("emergency_pending", "failed_open"):
        return
    review = {"review_notes": "Done as planned; no side effects.", "objectives_met": True}
    if step != "complete":
        review = {
            "review_notes": "Rolled back within the window.",
            "objectives_met": False,
            "investigation_cause": "The vendor's upgrade path skipped a required schema migration.",
            "investigation_actions": "Test upgrades on a copy of production data first; problem raised.",
        }
    change = services.change_transition(actor=actor, instance=change, transition="review", data=review)
    if path == "backed_out":
        return  # reviewed, waiting for the change manager to close it
    if change.retrospective_review_required and "director" in staff:
        services.change_approval_record(
            actor=staff["director"], change=change, decision="approve", comment="Justified: service at risk."
        )
    services.change_transition(actor=actor, instance=change, transition="close")


def _next_version(version: str) -> str:
    head, _sep, tail = version.rpartition(".")
    return f"{head}.{int(tail) + 1}" if head and tail.isdigit() else f"{version}-1"


def _backdate(change: Change, days: int) -> None:
    """Move a past change's own timestamps back by the same offset, so it sits at its planned time."""
    if days >= 0:
        return
    shift = dt.timedelta(days=days)
    fields = [
        "created",
        "submitted_at",
        "approved_at",
        "actual_start",
        "actual_end",
        "reviewed_at",
        "closed_at",
    ]
    row = Change.objects.filter(pk=change.pk).values(*fields).get()
    moved = {name: value + shift for name, value in row.items() if value is not None}
    # planned_start already sits in the past; actual times follow the plan
    Change.objects.filter(pk=change.pk).update(**moved)
    for approval in ChangeApproval.objects.filter(change=change):
        ChangeApproval.objects.filter(pk=approval.pk).update(decided_at=approval.decided_at + shift)
