"""Writing planned tickets: the linked records looked up by name (created only when asked), each ticket in
its own savepoint, its history as imported events at their original times, a change-log entry per write.

A ticket is found again by (source, its number in the source) and an event by (ticket, its identifier),
so a second run of the same file changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import changelog, references, sqlwrite
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.parties.models import Organization, Person, Team

from .. import services
from ..models import Incident, IncidentEvent
from .eventlog import TicketPlan
from .mapping import Mapping, ValueProblem
from .report import Report

# Looked up by the import itself; clean() still checks the customer's kind and the assignee's team.
CLEAN_EXCLUDE = ["reference", "customer", "service", "assignment_group", "assignee", "caller"]
FIELDS = (
    "kind",
    "title",
    "description",
    "category",
    "channel",
    "impact",
    "urgency",
    "priority",
    "status",
    "resolution_code",
    "resolution_notes",
    "closure_code",
    "affected_ci_name",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "reassignment_count",
    "customer",
    "assignment_group",
    "assignee",
    "caller",
    "service",
)


class Parties:
    """Organizations, teams and people by name, cached for the run; created when `create_missing`."""

    def __init__(self, *, create_missing: bool, report: Report, default_customer: str):
        self.create_missing, self.report = create_missing, report
        self.default_customer = default_customer
        self._cache: dict[tuple[str, str], Any] = {}
        self.new_memberships: list[Any] = []

    def _provider(self) -> Organization:
        provider = Organization.objects.filter(kind=Organization.Kind.PROVIDER).order_by("id").first()
        if provider is None:
            raise ValueProblem("no provider organization", "no provider organization to hold the new teams")
        return provider

    def _create(self, model: type, what: str, data: dict[str, Any]) -> Any:
        record = core_services.record_create(model=model, data=data, actor=None)
        self.report.created_record(what, data["name"])
        return record

    def organization(self, name: str) -> Organization:
        key = ("organization", name)
        if key not in self._cache:
            found = Organization.objects.filter(name=name).first()
            if found is None and self.create_missing:
                found = self._create(
                    Organization,
                    "organizations",
                    {
                        "name": name,
                        "kind": Organization.Kind.CUSTOMER,
                        "description": "Created by an import.",
                    },
                )
            self._cache[key] = found
        if self._cache[key] is None:
            raise ValueProblem(
                "missing organization", f"no organization named {name!r} (--create-missing adds it)"
            )
        return self._cache[key]

    def default_organization(self, *, create: bool, named: bool) -> None:
        """Check the default customer before anything is written. `create`: the mapping's own default,
        created as a customer organization when missing; `named`: given by the person importing (a name
        that does not exist stops the import)."""
        name = self.default_customer
        if not name or self.create_missing or Organization.objects.filter(name=name).exists():
            return
        if create:
            self._create(
                Organization,
                "organizations",
                {"name": name, "kind": Organization.Kind.CUSTOMER, "description": "Created by an import."},
            )
        elif named:
            raise ValueProblem(
                "missing organization", f"There is no organization named {name!r} (--create-missing adds it)."
            )

    def service(self, name: str) -> Service:
        key = ("service", name)
        if key not in self._cache:
            self._cache[key] = Service.objects.filter(name=name).first()
        if self._cache[key] is None:  # the catalogue is not an import's to fill
            raise ValueProblem("missing service", f"no service named {name!r}")
        return self._cache[key]

    def team(self, name: str) -> Team:
        key = ("team", name)
        if key not in self._cache:
            found = Team.objects.filter(name=name).first()
            if found is None and self.create_missing:
                found = self._create(
                    Team,
                    "teams",
                    {"name": name, "organization": self._provider(), "description": "Created by an import."},
                )
            if found is not None:  # members read once: the tickets' checks then ask no query
                found.member_ids = set(found.members.values_list("pk", flat=True))
            self._cache[key] = found
        if self._cache[key] is None:
            raise ValueProblem("missing team", f"no team named {name!r} (--create-missing adds it)")
        return self._cache[key]

    def person(self, name: str, organization: Organization, team: Team | None) -> Person:
        key = (f"person:{organization.pk}", name)
        if key not in self._cache:
            found = Person.objects.filter(name=name, organization=organization).first()
            if found is None and self.create_missing:
                found = self._create(Person, "people", {"name": name, "organization": organization})
            self._cache[key] = found
        person = self._cache[key]
        if person is None:
            raise ValueProblem(
                "missing person",
                f"no person named {name!r} in {organization.name} (--create-missing adds them)",
            )
        if team is not None and self.create_missing and person.pk not in team.member_ids:
            team.member_ids.add(person.pk)
            self.new_memberships.append(Team.members.through(team_id=team.pk, person_id=person.pk))
            self.report.created_record("team memberships", f"{name} in {team.name}")
        return person

    def store_memberships(self) -> None:
        """Write the memberships found since the last call, in one statement (inside the batch's
        transaction, before its tickets)."""
        if self.new_memberships:
            Team.members.through.objects.bulk_create(self.new_memberships, ignore_conflicts=True)
            self.new_memberships = []


def _values(plan: TicketPlan, parties: Parties, mapping: Mapping, report: Report) -> dict[str, Any]:
    """Incident field values, linked records resolved."""
    names, values = plan.names, dict(plan.values)
    customer_name = names.get("customer") or parties.default_customer
    if not customer_name:
        raise ValueProblem("no customer", "no customer column value and no default customer (--customer)")
    values["customer"] = customer = parties.organization(customer_name)
    team = parties.team(names["assignment_group"]) if names.get("assignment_group") else None
    values["assignment_group"] = team
    if names.get("assignee"):
        values["assignee"] = parties.person(
            names["assignee"], team.organization if team else parties._provider(), team
        )
    if names.get("caller"):
        values["caller"] = parties.person(names["caller"], customer, None)
    if names.get("service"):
        values["service"] = parties.service(names["service"])
    impact, urgency = values.get("impact", 3), values.get("urgency", 3)
    values["impact"], values["urgency"] = impact, urgency
    matrix = services.priority_for(impact, urgency)
    if mapping.priority == "recompute" or "priority" not in values:
        values["priority"] = matrix
    elif values["priority"] != matrix:
        report.priorities_kept += 1
    return {name: values[name] for name in FIELDS if name in values}


def _differs(incident: Incident, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        model_field = Incident._meta.get_field(name)
        new = value.pk if model_field.is_relation and value is not None else value
        if getattr(incident, model_field.attname) != new:
            return True
    return False


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        return "; ".join(exc.messages)
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _copy(model: type, records: list, created: list | None = None) -> None:
    """PostgreSQL: insert through COPY (several times faster than INSERT), keys drawn from the table's
    sequence first because the change log and the events need them. COPY runs no auto_now, so the
    stamps are set here, and `created` may carry each record's own (an imported ticket's opened time)."""
    keys = sqlwrite.reserve_keys(model, len(records))
    now = timezone.now()
    for n, (record, key) in enumerate(zip(records, keys, strict=True)):
        record.pk, record.updated = key, now
        record.created = (created[n] if created else None) or now
        record._state.adding, record._state.db = False, "default"
    sqlwrite.copy_rows(model, records)


def _store_incidents(incidents: list[Incident], opened: list) -> None:
    """Insert new tickets with their opened times (`created` is auto_now_add, so an INSERT through the
    ORM stamps the import's time and the opened time is written afterwards)."""
    if connection.vendor == "postgresql" and len(incidents) >= 20:
        _copy(Incident, incidents, opened)
        return
    Incident.objects.bulk_create(incidents)
    for incident, when in zip(incidents, opened, strict=True):
        if when:
            incident.created = when
    Incident.objects.bulk_update([i for i, w in zip(incidents, opened, strict=True) if w], ["created"])


def _store_events(events: list[IncidentEvent]) -> None:
    """Insert the events; on PostgreSQL a large batch goes through COPY."""
    if connection.vendor != "postgresql" or len(events) < 100:
        IncidentEvent.objects.bulk_create(events, batch_size=1000)
        return
    _copy(IncidentEvent, events)


class Writer:
    """Writes batches of planned tickets: new ones in a few statements per batch (one savepoint), and
    ticket by ticket only when that fails (then each bad ticket is reported alone)."""

    def __init__(self, mapping: Mapping, parties: Parties, report: Report, *, prefix: str, file: str):
        self.mapping, self.parties, self.report = mapping, parties, report
        self.prefix, self.file = prefix, file
        self.source = mapping.source
        self.note = f"imported from {self.source}"

    def _file(self, line: int) -> str:
        return getattr(line, "file", "") or self.file  # an import from several files names each

    def _refused(self, plan: TicketPlan, exc: Exception) -> None:
        file = self._file(plan.line)
        if isinstance(exc, ValueProblem):
            self.report.error(exc.kind, file, plan.line, f"ticket {plan.external_id}: {exc}")
        else:
            self.report.error(
                "refused by Servitium", file, plan.line, f"ticket {plan.external_id}: {_message(exc)}"
            )

    def write_batch(self, plans: list[TicketPlan]) -> None:
        with transaction.atomic():
            ids = [p.external_id for p in plans]
            existing = {
                i.external_id: i for i in Incident.objects.filter(source=self.source, external_id__in=ids)
            }
            known = set(
                IncidentEvent.objects.filter(incident__in=list(existing.values())).values_list(
                    "incident_id", "external_id"
                )
            )
            fresh: list[tuple[TicketPlan, Incident]] = []
            for plan in plans:
                for problem in plan.problems:
                    line = plan.line if not problem.line else problem.line
                    self.report.error(problem.kind, self._file(line), line, problem.message)
                if plan.history_only and plan.external_id not in existing:
                    self.report.error(
                        "unknown ticket",
                        self._file(plan.line),
                        plan.line,
                        f"ticket {plan.external_id} is in the event log but neither in the tickets file "
                        "nor imported before",
                    )
                    continue
                if not plan.values and not plan.history_only:
                    continue
                try:
                    # events for a ticket imported before: its fields stay as they are
                    values = (
                        {} if plan.history_only else _values(plan, self.parties, self.mapping, self.report)
                    )
                    if plan.external_id in existing:
                        with transaction.atomic():
                            self._update(plan, existing[plan.external_id], values, known)
                    else:
                        incident = Incident(**values, source=self.source, external_id=plan.external_id)
                        incident.full_clean(
                            exclude=CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False
                        )
                        fresh.append((plan, incident))
                except (ValueProblem, ValidationError, DatabaseError, ValueError) as exc:
                    self._refused(plan, exc)
            self.parties.store_memberships()
            if not fresh:
                return
            try:
                with transaction.atomic():
                    self._insert(fresh)
            except DatabaseError:
                for one in fresh:  # find the ticket the database refuses; keep the others
                    one[1].pk = None
                    try:
                        with transaction.atomic():
                            self._insert([one])
                    except DatabaseError as exc:
                        self._refused(one[0], exc)

    def _insert(self, fresh: list[tuple[TicketPlan, Incident]]) -> None:
        numbers = references.next_numbers(self.prefix, len(fresh))
        incidents = []
        for (_plan, incident), number in zip(fresh, numbers, strict=True):
            incident.reference = references.format_reference(self.prefix, number)
            incidents.append(incident)
        _store_incidents(incidents, [plan.values.get("opened_at") for plan, _incident in fresh])
        changelog.record_many(incidents, message=self.note)
        events = [event for plan, incident in fresh for event in self._events(plan, incident, set())]
        _store_events(events)
        changelog.record_many(events, message=self.note, with_changes=False)
        self.report.created += len(incidents)
        self.report.events_created += len(events)

    @staticmethod
    def _events(plan: TicketPlan, incident: Incident, known: set) -> list[IncidentEvent]:
        return [
            IncidentEvent(
                incident=incident,
                occurred_at=e.occurred_at,
                activity=e.activity,
                group=e.group,
                detail=e.detail,
                external_id=e.external_id,
            )
            for e in plan.events
            if (incident.pk, e.external_id) not in known
        ]

    def _update(self, plan: TicketPlan, incident: Incident, values: dict[str, Any], known: set) -> None:
        opened = plan.values.get("opened_at")
        outcome = "unchanged"
        if _differs(incident, values) or (opened and opened != incident.created):
            before = changelog.snapshot(incident)
            for name, value in values.items():
                setattr(incident, name, value)
            incident.full_clean(exclude=CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False)
            incident.save()
            if opened and opened != incident.created:
                Incident.objects.filter(pk=incident.pk).update(created=opened)
            changelog.record(
                incident, action=ChangeRecord.Action.UPDATE, before=before, message="re-" + self.note
            )
            outcome = "updated"
        events = self._events(plan, incident, known)
        if events:
            IncidentEvent.objects.bulk_create(events)
            changelog.record_many(events, message=self.note, with_changes=False)
            outcome = "updated"
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        self.report.events_created += len(events)
