"""Service reporting kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.parties.models import Person
from servitium.reporting import services
from servitium.reporting.models import ReportDefinition
from servitium.reporting.selectors import expected_periods

AGREED_MONTHS_AGO = 3  # agreed on the first of the month three months back: three complete months owed


def well_kept_reporting() -> None:
    """Every customer of a live service: an active monthly report definition with a purpose, an audience
    and every section (so all required content), agreed a few months ago; its report issued for every
    period the schedule check expects; and on the latest report a decision (done) and an action followed
    up (open, not yet due)."""
    today = timezone.localdate()
    agreed = services.add_months(today.replace(day=1), -AGREED_MONTHS_AGO)
    customers: dict[int, tuple] = {}
    for service in Service.objects.filter(status="live").select_related("owner").order_by("pk"):
        for customer in service.customers.all():
            entry = customers.setdefault(customer.pk, (customer, [], service.owner))
            entry[1].append(service)
    for customer, served, owner in customers.values():
        owner = owner or Person.objects.filter(organization__kind="provider").order_by("pk").first()
        definition = services.definition_create(
            actor=None,
            data={
                "title": f"Monthly service report: {customer.name}",
                "purpose": "Shows the customer how its services performed against the SLA last month, what "
                "went wrong and what is being done about it; discussed at the monthly service review.",
                "customer": customer,
                "frequency": ReportDefinition.Frequency.MONTHLY,
                "owner": owner,
                "sections": [],  # every registered section: all the content the standard requires
            },
            m2m={"services": served, "audience_people": [owner] if owner else []},
        )
        created = dt.datetime.combine(agreed, dt.time(9), tzinfo=dt.UTC)
        ReportDefinition.objects.filter(pk=definition.pk).update(created=created)
        definition.refresh_from_db()
        report = None
        for start in expected_periods(definition, today):
            report = services.report_generate(
                actor=None, definition=definition, period_start=start, issue=True, pdf=False, mail=False
            )
        if report is None:  # nothing owed yet: issue last month's report all the same
            report = services.report_generate(
                actor=None,
                definition=definition,
                period_start=services.add_months(today.replace(day=1), -1),
                issue=True,
                pdf=False,
                mail=False,
            )
        decision = services.action_create(
            actor=None,
            data={
                "report": report,
                "kind": "decision",
                "text": "Keep the monthly service review on the first Tuesday.",
                "owner": owner,
                "due_date": today,
            },
        )
        decision = services.action_transition(actor=None, instance=decision, transition="start")
        services.action_transition(
            actor=None, instance=decision, transition="complete", data={"outcome": "Agreed."}
        )
        services.action_create(
            actor=None,
            data={
                "report": report,
                "kind": "action",
                "text": "Review the mail queue thresholds.",
                "owner": owner,
                "due_date": today + dt.timedelta(days=14),
            },
        )
