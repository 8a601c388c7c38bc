"""The evidence rules over the operational records (incidents, problems, CMDB, changes, releases,
catalogue): each reads "met" when the records are kept well and "not met", naming the record, when one is
planted wrong — through the services where they allow it, by a direct database edit (as an insider would)
where they do not."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog import services as catalog_services
from servitium.changes.models import Change
from servitium.cmdb.models import ConfigurationItem
from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from servitium.incidents.jobs import close_resolved_tickets
from servitium.incidents.models import Incident
from servitium.problems import services as problem_services
from servitium.problems.models import KnownError, Problem
from servitium.releases.models import Release
from tests import factories
from tests.base import browser
from tests.changes.conftest import change
from tests.cmdb.conftest import ci, ci_type
from tests.problems.conftest import days_ago, incident


def run(check_id: str):
    return REGISTRY[check_id].run()


FAILING = ("not_met", "partly_met")  # partly: some records comply, the ones named do not


def named(result) -> set[int]:
    return {g.object_id for g in result.gaps}


def test_resolutions_must_be_recorded(ctx):
    ticket = incident(ctx, resolved="Restarted the mail relay.")
    assert run("incidents.resolutions_recorded").status == "met"
    Incident.objects.filter(pk=ticket.pk).update(resolution_notes="")  # an insider wipes the notes
    result = run("incidents.resolutions_recorded")
    assert result.status == "not_met" and named(result) == {ticket.pk}


def test_open_tickets_left_untouched_are_reported_by_kind(ctx):
    worked = incident(ctx)
    assert run("incidents.open_incidents_worked").status == "met"
    assert run("incidents.open_requests_worked").status == "not_applicable"
    Incident.objects.filter(pk=worked.pk).update(updated=days_ago(31))
    result = run("incidents.open_incidents_worked")
    assert result.status == "not_met" and named(result) == {worked.pk}
    # Waiting for the customer is no neglect.
    Incident.objects.filter(pk=worked.pk).update(status="pending_customer")
    assert run("incidents.open_incidents_worked").status == "met"


def test_resolved_tickets_are_closed_by_the_nightly_job(ctx):
    ticket = incident(ctx, resolved="Done.")
    assert run("incidents.resolved_tickets_closed").status == "met"
    Incident.objects.filter(pk=ticket.pk).update(resolved_at=days_ago(20))
    result = run("incidents.resolved_tickets_closed")
    assert result.status == "not_met" and named(result) == {ticket.pk}
    assert close_resolved_tickets.call_local() == {"closed": 1, "left": 0}
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    assert run("incidents.resolved_tickets_closed").status == "not_applicable"


def test_the_job_leaves_major_incidents_for_their_review(ctx):
    ticket = incident(ctx, resolved="Done.")
    Incident.objects.filter(pk=ticket.pk).update(is_major=True, resolved_at=days_ago(9))
    assert close_resolved_tickets.call_local() == {"closed": 0, "left": 1}
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_problems_classified_with_root_causes_and_known_errors(ctx):
    service = factories.service("Hosted Mail")
    p = problem_services.problem_create(actor=None, data={"title": "Queues", "service": service})
    assert run("problems.recorded_and_classified").status == "met"
    Problem.objects.filter(pk=p.pk).update(service=None, category="")
    result = run("problems.recorded_and_classified")
    assert result.status == "not_met" and named(result) == {p.pk}

    Problem.objects.filter(pk=p.pk).update(status="known_error", root_cause="")
    assert named(run("problems.root_causes_recorded")) == {p.pk}
    assert named(run("problems.known_errors_recorded")) == {p.pk}
    Problem.objects.filter(pk=p.pk).update(root_cause="A full disk on the relay.")
    KnownError.objects.create(reference="KE0000077", title="Queues", root_cause="Disk", problem=p)
    assert run("problems.root_causes_recorded").status == "met"
    assert run("problems.known_errors_recorded").status == "met"

    Problem.objects.filter(pk=p.pk).update(status="resolved", resolved_at=days_ago(61))
    assert named(run("problems.resolved_problems_closed")) == {p.pk}


def test_the_service_desk_must_be_able_to_read_known_errors(ctx, monkeypatch):
    from servitium.problems.resources import KnownErrorResource

    factories.user("desk", ctx.provider, ["incident-agent"])
    assert run("problems.known_errors_available_to_service_desk").status == "not_applicable"
    KnownError.objects.create(reference="KE0000078", title="Sync fails", root_cause="A bad token cache")
    assert run("problems.known_errors_available_to_service_desk").status == "met"
    # A declaration that no longer lets incident handlers read known errors is reported.
    monkeypatch.setattr(KnownErrorResource, "readable_by", ())
    result = run("problems.known_errors_available_to_service_desk")
    assert result.status in FAILING and "desk" in result.message


def test_cis_told_apart_changes_logged_and_edited_only_by_the_allowed(ctx):
    kind = ci_type("rules server", {})
    first = ci("db-01", kind)
    assert run("cmdb.cis_uniquely_identified").status == "met"
    assert run("cmdb.ci_changes_traceable").status == "met"
    twin = ci("db-02", kind)
    ConfigurationItem.objects.filter(pk=twin.pk).update(name="db-01")  # a second CI under the same name
    assert named(run("cmdb.cis_uniquely_identified")) == {first.pk, twin.pk}
    # The direct edit above bypassed the change log: the CI's change can no longer be traced.
    ConfigurationItem.objects.filter(pk=twin.pk).update(updated=timezone.now() + dt.timedelta(minutes=5))
    result = run("cmdb.ci_changes_traceable")
    assert result.status in FAILING and named(result) == {twin.pk}

    assert run("cmdb.update_access_controlled").status == "met"  # the system's own writes
    keeper = factories.user("keeper", ctx.provider, ["configuration-agent"])
    core_services.record_update(instance=first, data={"version": "2"}, actor=keeper)
    assert run("cmdb.update_access_controlled").status == "met"
    keeper.roles = ["incident-agent"]  # edits by someone who does not hold the right are named
    keeper.save()
    result = run("cmdb.update_access_controlled")
    assert result.status in FAILING and "keeper" in result.message and named(result) == {first.pk}


def test_changes_classified_and_scheduled(ctx):
    planned = change("Patch the relay")
    Change.objects.filter(pk=planned.pk).update(status="approved")
    assert run("changes.requests_classified").status == "met"
    assert run("changes.on_the_schedule").status == "met"
    Change.objects.filter(pk=planned.pk).update(planned_end=None, category="")
    assert named(run("changes.on_the_schedule")) == {planned.pk}
    assert named(run("changes.requests_classified")) == {planned.pk}


def test_requests_for_change_state_their_need_and_rank(ctx):
    """2018 8.2.2.s4: a submitted normal change without a justification or a priority is named; drafts and
    standard changes are not judged."""
    change("Still a draft")
    standard = change("Restart a VM")
    wanted = change("Add a mail store", justification="Stores fill up by spring.")
    Change.objects.filter(pk=standard.pk).update(category="standard")  # pre-approved by its template
    Change.objects.filter(pk__in=[standard.pk, wanted.pk]).update(status="submitted")
    result = run("changes.requests_prioritised")
    assert result.status == "not_met" and named(result) == {wanted.pk}
    Change.objects.filter(pk=wanted.pk).update(priority=2)
    assert run("changes.requests_prioritised").status == "met"


def test_emergency_releases_need_an_emergency_change(ctx):
    fix = change("Hotfix", category="emergency")
    normal = change("Feature", category="normal")
    release = core_services.record_create(
        model=Release,
        data={"reference": "REL0000099", "title": "Hotfix 1", "release_type": "emergency"},
        actor=None,
        m2m={"changes": [normal]},
    )
    result = run("releases.emergency_through_emergency_change")
    assert result.status == "not_met" and named(result) == {release.pk}
    release.changes.add(fix)
    assert run("releases.emergency_through_emergency_change").status == "met"


def test_live_services_show_their_dependencies(ctx):
    storage = factories.service("Storage")
    mail = factories.service("Mail relay")
    result = run("catalog.dependencies_shown")
    assert result.status == "not_met" and named(result) == {storage.pk, mail.pk}
    catalog_services.service_update(actor=None, instance=mail, data={}, m2m={"depends_on": [storage]})
    assert named(run("catalog.dependencies_shown")) == {storage.pk}


def test_the_service_desk_learns_of_releases_from_their_records(ctx):
    """2011 9.3.s9 / 2018 8.5.3.s7: the incident queue shows upcoming and troubled releases; a release
    approved without its services or its planned start cannot be shown, and is named."""
    mail = factories.service("Mail relay")
    release = core_services.record_create(
        model=Release, data={"title": "Relay 2.0", "release_type": "minor"}, actor=None
    )
    assert run("releases.desk_informed").status == "not_applicable"  # still planned: nothing to tell yet
    Release.objects.filter(pk=release.pk).update(status="approved")
    result = run("releases.desk_informed")
    assert result.status == "not_met" and named(result) == {release.pk}
    release.services.add(mail)
    assert named(run("releases.desk_informed")) == {release.pk}  # the date is still missing
    Release.objects.filter(pk=release.pk).update(planned_start=timezone.now() + dt.timedelta(days=2))
    assert run("releases.desk_informed").status == "met"
    queue = browser(ctx.admin).get("/incidents/")  # and the desk sees it in the week before
    assert release.reference in queue.content.decode()
