"""Demo data of the cloud lifecycle: an onboarding template per offering; a live subscription with quotas
and monthly usage for each demo customer; the whole journey of a new customer, Elm Analytics (ordered about
eight months ago, onboarded and accepted, six months of use with a request beyond the quota approved and
one within it, then notice given: terminating); and a second new customer, Fjord Media, half-way through
onboarding with tasks overdue.

Deliberate gaps for the checks: Birchwood Health's mailboxes are live without an agreement recorded on the
subscription, and Cedar Retail Group's database has no usage for last month.

Idempotent: each subscription is looked up by its tenant identifier; the new customers by name.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from servitium.agreements import services as agreement_services
from servitium.agreements.models import ServiceLevelAgreement
from servitium.catalog.models import Offering
from servitium.core import services as core_services
from servitium.core.models import ServiceHoursCalendar
from servitium.parties import services as party_services
from servitium.parties.models import Organization, Person, Team, User

from . import services
from .models import OnboardingTemplate, OnboardingTemplateTask, Subscription, UsageRecord

# kind, party, title, days after onboarding starts, default team
STEPS = [
    ("accounts", "provider", "Create the tenant, accounts and access", 3, "Cloud Operations"),
    ("integrations", "provider", "Connect identity (single sign-on) and monitoring", 7, "Cloud Operations"),
    ("data_migration", "customer", "Migrate the data or workloads", 14, None),
    ("training", "provider", "Train the customer's administrators", 18, "Service Desk"),
    ("acceptance", "customer", "Customer accepts the service", 21, None),
]

# customer, offering, tenant, months live, quotas (resource, unit, limit, allocated, price), agreement?, gap
EXISTING = [
    (
        "Alder Logistics",
        "Virtual machine",
        "alder-prod",
        10,
        [("vCPU", "cores", 32, 24, "18.00"), ("RAM", "GB", 128, 96, "4.00")],
        True,
        "",
    ),
    (
        "Cedar Retail Group",
        "PostgreSQL database",
        "cedar-db",
        9,
        [("Storage", "TB", 4, 3, "45.00"), ("Instances", "clusters", 6, 4, "220.00")],
        True,
        "no_last_month",
    ),
    ("Birchwood Health", "Mailbox", "birchwood-mail", 11, [("Seats", "users", 400, 350, "6.00")], False, ""),
    (
        "Dunmore City Council",
        "Server backup",
        "dunmore-backup",
        7,
        [("Protected servers", "servers", 20, 12, "15.00")],
        True,
        "",
    ),
]


def _month(today: dt.date, back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return _month(first, -1) - dt.timedelta(days=1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _templates(actor: Any) -> None:
    teams = {t.name: t for t in Team.objects.filter(name__in={s[4] for s in STEPS if s[4]})}
    for offering in Offering.objects.select_related("service").order_by("id"):
        if OnboardingTemplate.objects.filter(offering=offering).exists():
            continue
        template = core_services.record_create(
            model=OnboardingTemplate,
            data={
                "offering": offering,
                "name": f"Onboarding: {offering.name}",
                "description": f"The steps to bring a new customer onto {offering.service.name}.",
            },
            actor=actor,
        )
        for order, (kind, party, title, days, team) in enumerate(STEPS):
            core_services.record_create(
                model=OnboardingTemplateTask,
                data={
                    "template": template,
                    "title": title,
                    "kind": kind,
                    "party": party,
                    "due_offset_days": days,
                    "owner_team": teams.get(team),
                    "order": order,
                },
                actor=actor,
            )


def _agreement(customer: Organization, offering: Offering, actor: Any, signatory=None):
    """The customer's agreed SLA on the offering's service (made here for a new customer)."""
    made = ServiceLevelAgreement.objects.filter(customer=customer, service=offering.service, kind="sla")
    if made.exists():  # the customer's agreement as service level management keeps it
        return made.filter(status=ServiceLevelAgreement.Status.AGREED).first()
    today = timezone.localdate()
    agreement = agreement_services.agreement_create(
        actor=actor,
        data={
            "kind": "sla",
            "title": f"{offering.service.name} for {customer.name}",
            "customer": customer,
            "service": offering.service,
            "calendar": ServiceHoursCalendar.objects.filter(name="24x7").first(),
            "valid_from": _month(today, 9),
            "valid_until": today.replace(year=today.year + 1, month=12, day=31),
            "customer_signatory": signatory,
            "service_level_manager": Person.objects.filter(name="Maria Keller").first(),
            "scope": f"{offering.name} for {customer.name}, with quotas agreed per subscription.",
            "workload": {"expected_volumes": [{"measure": "resource requests per month", "value": 4}]},
            "exceptions": [{"kind": "planned_maintenance", "description": "Sundays 02:00-06:00 CET."}],
        },
    )
    for priority, seconds in ((1, 4 * 3600), (2, 8 * 3600), (3, 24 * 3600)):
        agreement_services.target_create(
            actor=actor,
            data={
                "agreement": agreement,
                "metric": "resolution_time",
                "priority": priority,
                "target_value": seconds,
            },
        )
    return agreement_services.agreement_transition(
        actor=actor, instance=agreement, transition="agree", note="signed"
    )


def _subscribe(actor, customer, offering, tenant, start, *, agreement=None, accounts=(), notes=""):
    found = Subscription.objects.filter(tenant_identifier=tenant).first()
    if found is not None:
        return found, False
    options = list(offering.options.filter(is_default=True))
    made = services.subscription_create(
        actor=actor,
        data={
            "customer": customer,
            "offering": offering,
            "agreement": agreement,
            "start": start,
            "tenant_identifier": tenant,
            "account_identifiers": list(accounts) or [f"{tenant}-main"],
            "notes": notes,
        },
        m2m={"options": options},
    )
    return made, True


def _onboard(actor, sub: Subscription, day: dt.date, *, accepted_by=None, done_until: int | None = None):
    """Start onboarding on `day` and complete the tasks on their due dates (up to `done_until` of them);
    the customer's user accepts last, and the subscription goes live the day after."""
    sub = services.subscription_transition(
        actor=actor, instance=sub, transition="start_onboarding", today=day
    )
    tasks = list(sub.tasks.order_by("order", "id"))
    for i, task in enumerate(tasks):
        if done_until is not None and i >= done_until:
            return sub
        who = accepted_by if task.kind == "acceptance" else actor
        services.task_complete(actor=who, instance=task, now=_at(min(task.due_on, timezone.localdate())))
    last = max(t.due_on for t in tasks)
    return services.subscription_transition(
        actor=actor, instance=sub, transition="go_live", today=last + dt.timedelta(days=1)
    )


def _quotas(actor, sub, quotas) -> None:
    for resource, unit, limit, allocated, price in quotas:
        if sub.quotas.filter(resource=resource).exists():
            continue
        services.quota_create(
            actor=actor,
            data={
                "subscription": sub,
                "resource": resource,
                "unit": unit,
                "limit": Decimal(limit),
                "allocated": Decimal(allocated),
                "unit_price": Decimal(price),
            },
        )


def _usage(actor, sub, rows: list[tuple[dt.date, str, Decimal, str]]) -> None:
    new = [
        {
            "subscription": sub.pk,
            "resource": resource,
            "period_start": first,
            "period_end": _month_end(first),
            "quantity": str(quantity),
            "source": "Nimbus metering",
            "note": note,
        }
        for first, resource, quantity, note in rows
        if not UsageRecord.objects.filter(subscription=sub, resource=resource, period_start=first).exists()
    ]
    if new:
        services.usage_record(actor=actor, rows=new, subscriptions=[sub])


def _existing(actor, today: dt.date) -> None:
    for customer_name, offering_name, tenant, months, quotas, with_agreement, gap in EXISTING:
        customer = Organization.objects.filter(name=customer_name).first()
        offering = Offering.objects.filter(name=offering_name).first()
        if customer is None or offering is None:
            continue
        start = _month(today, months)
        agreement = _agreement(customer, offering, actor) if with_agreement else None
        sub, made = _subscribe(actor, customer, offering, tenant, start, agreement=agreement)
        if made:
            accepter = next(
                (u for u in User.objects.filter(organization=customer).order_by("id") if _customer_user(u)),
                None,
            )
            _onboard(actor, sub, start, accepted_by=accepter)
            _quotas(actor, sub, quotas)
        rows = []
        for back in range(months - 1, 0, -1):
            if gap == "no_last_month" and back == 1:
                continue  # deliberate gap: last month's usage was never taken in
            first = _month(today, back)
            for resource, _unit, _limit, allocated, _price in quotas:
                # Use follows what is allocated, growing a little month by month.
                share = Decimal("0.75") + Decimal("0.03") * min(6, months - back)
                rows.append((first, resource, (Decimal(allocated) * share).quantize(Decimal("1")), ""))
        if customer_name == "Dunmore City Council":
            # One month above the quota, explained (a restore test doubled the protected servers for a week).
            rows = [r for r in rows if r[0] != _month(today, 3)]
            rows.append(
                (
                    _month(today, 3),
                    "Protected servers",
                    Decimal(24),
                    "Restore test: twelve extra servers for a week.",
                )
            )
        _usage(actor, sub, rows)


def _customer_user(user) -> bool:
    return user is not None and "customer" in (user.roles or [])


def _new_customer(actor, name: str, description: str) -> Organization:
    found = Organization.objects.filter(name=name).first()
    if found is not None:
        return found
    return core_services.record_create(
        model=Organization, data={"name": name, "kind": "customer", "description": description}, actor=actor
    )


def _elm(actor, today: dt.date) -> None:
    """Elm Analytics: ordered about eight months ago, onboarded and accepted by Lena Vogel, six months of
    use with two resource requests (one beyond the quota, approved; one within it), notice given."""
    elm = _new_customer(actor, "Elm Analytics", "Data analytics start-up; runs its model training on Nimbus.")
    lena = Person.objects.filter(name="Lena Vogel", organization=elm).first() or core_services.record_create(
        model=Person,
        data={
            "name": "Lena Vogel",
            "email": "lena.vogel@elm.example",
            "job_title": "Head of Platform",
            "organization": elm,
        },
        actor=actor,
    )
    user = User.objects.filter(username="lena").first()
    if user is None:
        user = party_services.user_create(
            actor=actor,
            data={
                "username": "lena",
                "email": "lena.vogel@elm.example",
                "organization": elm,
                "roles": ["customer"],
            },
        )
        peer = User.objects.filter(username="alder").first()
        if peer is not None:  # the same demo password as the other customer users
            core_services.record_update(
                instance=user, data={}, derived={"password": peer.password}, actor=actor
            )
        core_services.record_update(instance=lena, data={"user": user}, actor=actor)
    offering = Offering.objects.filter(name="Virtual machine").first()
    if offering is None:
        return
    start = _month(today, 8) + dt.timedelta(days=4)
    agreement = _agreement(elm, offering, actor, signatory=lena)
    sub, made = _subscribe(
        actor,
        elm,
        offering,
        "elm-analytics",
        start,
        agreement=agreement,
        accounts=("elm-prod", "elm-research"),
    )
    if not made:
        return
    sub = _onboard(actor, sub, start, accepted_by=user)
    _quotas(
        actor,
        sub,
        [
            ("vCPU", "cores", 64, 48, "18.00"),
            ("GPU", "cards", 2, 2, "310.00"),
            ("Storage", "TB", 20, 12, "40.00"),
        ],
    )
    live = sub.live_on
    # Every month from the first after going live to the last one ended (about seven).
    months = [_month(live, -i) for i in range(1, 13) if _month(live, -i) < today.replace(day=1)]
    quota_rows = []
    for i, first in enumerate(months):
        quota_rows += [
            (first, "vCPU", Decimal(40 + i * 4), ""),
            (first, "GPU", Decimal(2 if i < 3 else 3), ""),
            (first, "Storage", Decimal(10 + i), ""),
        ]
    manager = User.objects.filter(username="ewa").first()
    engineer = User.objects.filter(username="liam").first()
    # Month 3: the GPUs run out. Lena asks for two more, beyond the quota; a cloud manager approves them.
    gpu = services.request_create(
        actor=user,
        data={
            "subscription": sub,
            "resource": "GPU",
            "change": Decimal(2),
            "justification": "Training larger models.",
        },
    )
    core_services.record_update(
        instance=gpu, data={}, derived={"created": _at(months[2] + dt.timedelta(days=9))}, actor=actor
    )
    gpu = services.request_transition(
        actor=manager,
        instance=gpu,
        transition="approve",
        note="Within Elm's budget for the year.",
        now=_at(months[2] + dt.timedelta(days=10)),
    )
    services.request_transition(
        actor=engineer,
        instance=gpu,
        transition="fulfil",
        data={"allocation_note": "gpu-fra-07, gpu-fra-08"},
        now=_at(months[2] + dt.timedelta(days=12)),
    )
    # Month 5: more storage, within the quota: approved at once and fulfilled.
    storage = services.request_create(
        actor=user,
        data={
            "subscription": sub,
            "resource": "Storage",
            "change": Decimal(4),
            "justification": "New research data set.",
        },
    )
    core_services.record_update(
        instance=storage, data={}, derived={"created": _at(months[4] + dt.timedelta(days=1))}, actor=actor
    )
    services.request_transition(
        actor=engineer,
        instance=storage,
        transition="fulfil",
        data={"allocation_note": "bucket elm-research-2"},
        now=_at(months[4] + dt.timedelta(days=3)),
    )
    _usage(actor, sub, quota_rows)
    # Then Elm gives notice (the dates of the exit plan in the exits demo): the subscription is terminating
    # until the exit is complete.
    services.subscription_transition(
        actor=actor,
        instance=sub,
        transition="terminate",
        note="Elm moves its training to its own data centre.",
        data={
            "notice_given_on": today - dt.timedelta(days=40),
            "effective_end": today - dt.timedelta(days=10),
        },
    )


def _fjord(actor, today: dt.date) -> None:
    """Fjord Media: onboarding started three weeks ago; the provider's first two steps are done, the
    customer's data migration is overdue."""
    fjord = _new_customer(actor, "Fjord Media", "Video production house; moving its render farm to Nimbus.")
    offering = Offering.objects.filter(name="Object storage bucket").first() or Offering.objects.first()
    if offering is None:
        return
    start = today - dt.timedelta(days=21)
    sub, made = _subscribe(
        actor,
        fjord,
        offering,
        "fjord-media",
        start,
        agreement=_agreement(fjord, offering, actor),
        accounts=("fjord-render",),
    )
    if made:
        _onboard(actor, sub, start, done_until=2)
        _quotas(actor, sub, [("Storage", "TB", 50, 0, "22.00")])


def _staff(actor) -> None:
    """Cloud roles for the demo's cloud operations people: Ewa Nowak manages, Liam O'Connor fulfils."""
    for username, role in (("ewa", "cloud-manager"), ("liam", "cloud-agent")):
        user = User.objects.filter(username=username).first()
        if user is not None and role not in (user.roles or []):
            core_services.record_update(
                instance=user, data={}, derived={"roles": [*user.roles, role]}, actor=actor
            )


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    if not Offering.objects.exists():
        return
    today = timezone.localdate()
    _staff(actor)
    _templates(actor)
    _existing(actor, today)
    _elm(actor, today)
    _fjord(actor, today)
    # Elm Analytics and Fjord Media are new: the lower apps' demos, which ran before them, give every
    # customer its agreements' review dates and its relationship records. Run again (idempotent), they fill
    # those in for the new customers too, so a second load of the whole demo finds nothing to add.
    from servitium.agreements import demo as agreements_demo
    from servitium.relationships import demo as relationships_demo

    agreements_demo.load(actor=actor)
    relationships_demo.load(actor=actor)
