"""Demo records of service reporting: a monthly report for each demo customer and an internal quarterly
one, a year of reports generated and issued by the same service the monthly job uses, and decisions and
actions on the latest reports. Deliberate gaps for the checks: Dunmore City Council's report was not
issued three months ago, one action is overdue, and an on-demand security summary holds only the service
targets section (required content missing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.core import services as core_services
from servitium.parties.models import Organization, Person, Team
from servitium.relationships.models import InterestedParty

from . import services
from .models import ReportAction, ReportDefinition, ServiceReport

OWNER = "Maria Keller"
CONTACTS = {
    "Alder Logistics": "Grace Miller",
    "Birchwood Health": "Dr. Hannah Brooks",
    "Cedar Retail Group": "Omar Haddad",
    "Dunmore City Council": "Fiona Walsh",
}
GAP_CUSTOMER, GAP_MONTHS_AGO = "Dunmore City Council", 3
MONTHS = 12
PDF_MONTHS = 1  # the latest report of each definition is frozen as PDF now; older ones render on download

ACTIONS = [
    # customer, months ago, kind, text, owner, due (days from today), status
    (
        "Birchwood Health",
        1,
        "decision",
        "Add a second outbound mail relay so one blacklisted node no longer stops all mail.",
        "Liam O'Connor",
        -20,
        "done",
    ),
    (
        "Birchwood Health",
        1,
        "action",
        "Alert on mail queue length before customers notice delays.",
        "Ewa Nowak",
        -10,  # deliberate gap: overdue
        "open",
    ),
    (
        "Alder Logistics",
        1,
        "action",
        "Agree a faster response target for priority-2 warehouse incidents at the next service review.",
        "Jonas Weber",
        25,
        "in_progress",
    ),
    (
        None,
        1,
        "decision",
        "Report change success per customer in the next quarterly report.",
        "Maria Keller",
        40,
        "open",
    ),
]


def _definition(actor: Any, title: str, data: dict[str, Any], m2m: dict[str, Any], agreed: dt.date):
    found = ReportDefinition.objects.filter(title=title).first()
    if found is None:
        found = services.definition_create(actor=actor, data={"title": title, **data}, m2m=m2m)
        created = dt.datetime.combine(agreed, dt.time(9), tzinfo=dt.UTC)
        ReportDefinition.objects.filter(pk=found.pk).update(created=created)
        found.refresh_from_db()
    return found


def _contact(actor: Any, customer: Organization, name: str) -> InterestedParty | None:
    person = Person.objects.filter(name=name, organization=customer).first()
    if person is None:
        return None
    found = InterestedParty.objects.filter(customer=customer, person=person).first()
    if found is None:
        found = core_services.record_create(
            model=InterestedParty,
            data={
                "customer": customer,
                "person": person,
                "name": name,
                "kind": "contact",
                "interest": "Receives the monthly service report.",
            },
            actor=actor,
        )
    return found


@transaction.atomic
def load(*, actor: Any) -> None:
    """Create the demo records (idempotent: definitions by title, reports by period, actions by text)."""
    owner = Person.objects.filter(name=OWNER).first()
    if owner is None:
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    agreed = services.add_months(this_month, -MONTHS - 1)
    desk = Team.objects.filter(name="Service Desk").first()
    customers = {o.name: o for o in Organization.objects.filter(name__in=CONTACTS)}
    definitions: dict[str | None, ReportDefinition] = {}
    for name, contact_name in CONTACTS.items():
        customer = customers.get(name)
        if customer is None:
            continue
        contact = _contact(actor, customer, contact_name)
        definitions[name] = _definition(
            actor,
            f"Monthly service report: {name}",
            {
                "purpose": (
                    "Shows the customer how its services performed against the SLA last month, what went "
                    "wrong and what is being done about it; discussed at the monthly service review."
                ),
                "customer": customer,
                "frequency": "monthly",
                "owner": owner,
                "details": "Issued on the first working day of the month; discussed at the service review.",
            },
            {"audience_people": [owner], "audience_contacts": [contact] if contact else []},
            agreed,
        )
    definitions[None] = _definition(
        actor,
        "Quarterly service performance (internal)",
        {
            "purpose": "Performance of every service across all customers, for the service owners and the "
            "management review.",
            "frequency": "quarterly",
            "owner": owner,
        },
        {"audience_people": [owner], "audience_teams": [desk] if desk else []},
        agreed,
    )
    if "Cedar Retail Group" in customers:
        _definition(
            actor,
            "Security incident summary: Cedar Retail Group",
            {
                "purpose": "Answers the customer's security questionnaire on demand.",
                "customer": customers["Cedar Retail Group"],
                "frequency": "on_demand",
                "owner": owner,
                "sections": ["service_targets"],  # deliberate gap: required content missing
            },
            {"audience_people": [owner]},
            agreed,
        )
    latest: list[ServiceReport] = []  # issued with a PDF, rendered together (one process per core)
    for name, definition in definitions.items():
        latest += _year_of_reports(actor, definition, this_month, gap=name == GAP_CUSTOMER)
    services.reports_issue_with_pdfs(actor=actor, reports=latest, mail=False)
    for customer_name, *entry in ACTIONS:
        _action(actor, definitions.get(customer_name), this_month, today, *entry)


def _year_of_reports(
    actor: Any, definition: ReportDefinition, this_month: dt.date, *, gap: bool
) -> list[ServiceReport]:
    """A year of issued reports without PDF; the latest ones are returned generated, to be issued with
    their PDF."""
    step = 3 if definition.frequency == ReportDefinition.Frequency.QUARTERLY else 1
    first, _end = services.period_of(definition, this_month)
    starts = []
    start = services.add_months(first, -step)
    while start >= services.add_months(this_month, -MONTHS):
        starts.append(start)
        start = services.add_months(start, -step)
    with_pdf = []
    for back, start in enumerate(sorted(starts)[::-1]):
        if gap and start == services.add_months(this_month, -GAP_MONTHS_AGO):
            continue  # deliberate gap: this month's report was never issued
        if ServiceReport.objects.filter(definition=definition, period_start=start).exists():
            continue
        report = services.report_generate(
            actor=actor,
            definition=definition,
            period_start=start,
            issue=back >= PDF_MONTHS,
            mail=False,
            pdf=False,
        )
        if back < PDF_MONTHS:
            with_pdf.append(report)
    return with_pdf


def _action(actor, definition, this_month, today, months_ago, kind, text, person, due, status) -> None:
    if definition is None or ReportAction.objects.filter(text=text).exists():
        return
    start, _end = services.period_of(definition, services.add_months(this_month, -months_ago))
    report = (
        ServiceReport.objects.filter(definition=definition, period_start__lte=start)
        .exclude(status=ServiceReport.Status.SUPERSEDED)
        .order_by("-period_start")
        .first()
    )
    if report is None:
        return
    action = services.action_create(
        actor=actor,
        data={
            "report": report,
            "kind": kind,
            "text": text,
            "owner": Person.objects.filter(name=person).first(),
            "due_date": today + dt.timedelta(days=due),
        },
    )
    if status in ("in_progress", "done"):
        action = services.action_transition(actor=actor, instance=action, transition="start")
    if status == "done":
        services.action_transition(
            actor=actor, instance=action, transition="complete", today=today + dt.timedelta(days=min(due, 0))
        )
