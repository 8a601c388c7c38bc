"""The REST resources `problems` and `known-errors`: generated suites plus linking, creation from incidents
and transitions over HTTP."""

from __future__ import annotations

from servitium.core.models import ChangeRecord
from servitium.problems import services
from servitium.problems.models import KnownError, Problem
from tests.base import RecordAPISuite, client, entries_for
from tests.problems.conftest import incident, problem


class TestProblemAPI(RecordAPISuite):
    endpoint = "problems"
    model = Problem
    writer_roles = ["problem-agent"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    deletable = False  # agents may not delete; managers may
    customer_visible = False

    def make(self, ctx):
        return services.problem_create(actor=None, data={"title": "Disk fills up nightly"})

    def create_payload(self, ctx):
        return {"title": "VPN drops every hour", "impact": 2, "urgency": 1, "category": "network"}

    def invalid_payload(self, ctx):
        return {"title": "", "impact": 7}

    def update_payload(self, ctx):
        return {"description": "Since the firmware update", "impact": 1}


class TestKnownErrorAPI(RecordAPISuite):
    endpoint = "known-errors"
    model = KnownError
    writer_roles = ["problem-agent"]
    foreign_roles = ["incident-manager", "supplier-manager"]
    deletable = False
    customer_visible = False

    def make(self, ctx):
        return services.known_error_create(
            actor=None,
            data={"title": "Relay stalls", "root_cause": "TLS cache full", "workaround": "Restart"},
        )

    def create_payload(self, ctx):
        return {
            "title": "Agent 7.2 times out",
            "symptoms": "Snapshot timeout",
            "root_cause": "Fixed 600 s timeout",
            "workaround": "Split the job",
            "source": "Vendor advisory 114",
        }

    def invalid_payload(self, ctx):
        return {"title": "No root cause given"}

    def update_payload(self, ctx):
        return {"workaround": "Restart the relay service"}


def test_priority_is_derived_and_status_is_not_writable(ctx, staff):
    api = client(staff.agent)
    before = ChangeRecord.objects.count()
    refused = api.post(
        "/api/v1/problems/", {"title": "x", "impact": 1, "urgency": 1, "status": "closed"}, format="json"
    )
    assert refused.status_code == 400 and "status" in refused.json()  # changed only by transitions
    assert ChangeRecord.objects.count() == before
    created = api.post("/api/v1/problems/", {"title": "x", "impact": 1, "urgency": 1}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["priority"] == 1 and body["status"] == "new" and body["reference"].startswith("PRB")
    patched = api.patch(f"/api/v1/problems/{body['id']}/", {"urgency": 3}, format="json").json()
    assert patched["priority"] == 3


def test_incidents_change_by_linking_after_creation(ctx, staff):
    """The incidents are named when the problem is raised; afterwards link-incidents/unlink-incidents
    change them (a PATCH naming them is refused by name, an unchanged set is not a write)."""
    first, second = incident(ctx, staff.service), incident(ctx, staff.service)
    api = client(staff.manager)
    body = api.post(
        "/api/v1/problems/", {"title": "Mail queues", "incidents": [first.pk]}, format="json"
    ).json()
    url = f"/api/v1/problems/{body['id']}/"
    before = ChangeRecord.objects.count()
    refused = api.patch(url, {"incidents": [first.pk, second.pk]}, format="json")
    assert refused.status_code == 400 and "incidents" in refused.json()
    assert ChangeRecord.objects.count() == before
    assert api.patch(url, {"incidents": [first.pk], "category": "mail"}, format="json").status_code == 200
    linked = api.post(url + "link-incidents/", {"incidents": [second.pk]}, format="json")
    assert sorted(linked.json()["incidents"]) == sorted([first.pk, second.pk])


def test_incident_roles_read_known_errors_but_do_not_write_them(ctx, staff):
    ke = services.known_error_create(actor=None, data={"title": "Relay stalls", "root_cause": "Cache"})
    api = client(staff.incident_agent)
    assert api.get(f"/api/v1/known-errors/{ke.pk}/").status_code == 200
    assert ke.pk in [row["id"] for row in api.get("/api/v1/known-errors/").json()["results"]]
    assert api.patch(f"/api/v1/known-errors/{ke.pk}/", {"workaround": "x"}, format="json").status_code == 403
    assert (
        api.post("/api/v1/known-errors/", {"title": "y", "root_cause": "z"}, format="json").status_code == 403
    )
    assert (
        api.get(
            f"/api/v1/problems/{services.problem_create(actor=None, data={'title': 'p'}).pk}/"
        ).status_code
        == 404
    )


def test_create_with_incidents_links_them_in_the_same_change_record(ctx, staff):
    first, second = incident(ctx, staff.service), incident(ctx, staff.service)
    api = client(staff.manager)
    response = api.post(
        "/api/v1/problems/", {"title": "Mail queues", "incidents": [first.pk, second.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["incidents"]) == sorted([first.pk, second.pk])
    created = Problem.objects.get(pk=response.json()["id"])
    (entry,) = entries_for(created)
    assert entry.action == "create" and sorted(entry.changes["incidents"][1]) == sorted([first.pk, second.pk])
    listed = api.get("/api/v1/problems/", {"incidents": first.pk}).json()["results"]
    assert [row["id"] for row in listed] == [created.pk]


def test_linking_needs_sight_of_the_incidents(ctx, staff):
    ticket = incident(ctx, staff.service)
    before = ChangeRecord.objects.count()
    response = client(staff.agent).post(  # a problem agent without an incidents role
        "/api/v1/problems/", {"title": "Mail queues", "incidents": [ticket.pk]}, format="json"
    )
    assert response.status_code == 400 and "incidents" in response.json()
    assert ChangeRecord.objects.count() == before


def test_service_requests_are_not_linked(ctx, staff):
    request = incident(ctx, staff.service, kind="request")
    response = client(staff.manager).post(
        "/api/v1/problems/", {"title": "x", "incidents": [request.pk]}, format="json"
    )
    assert response.status_code == 400 and "incidents" in response.json()


def test_from_incidents_link_and_unlink(ctx, staff):
    first = incident(ctx, staff.service, category="email", affected_ci_name="mx-01", impact=2)
    second = incident(ctx, staff.service, category="email", affected_ci_name="mx-01", impact=1, urgency=2)
    third = incident(ctx, staff.service, category="email")
    api = client(staff.manager)
    response = api.post(
        "/api/v1/problems/from-incidents/", {"incidents": [first.pk, second.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == first.title and body["service"] == staff.service.pk
    assert body["category"] == "email" and body["affected_ci_name"] == "mx-01"
    assert (body["impact"], body["urgency"], body["origin"]) == (1, 2, "reactive")
    url = f"/api/v1/problems/{body['id']}/"
    linked = api.post(url + "link-incidents/", {"incidents": [third.pk]}, format="json")
    assert sorted(linked.json()["incidents"]) == sorted([first.pk, second.pk, third.pk])
    unlinked = api.post(url + "unlink-incidents/", {"incidents": [first.pk]}, format="json")
    assert sorted(unlinked.json()["incidents"]) == sorted([second.pk, third.pk])
    assert api.post(url + "link-incidents/", {"incidents": []}, format="json").status_code == 400
    assert (
        client(staff.incident_agent).post(url + "link-incidents/", {"incidents": [first.pk]}).status_code
        == 404
    )
    updates = [e for e in entries_for(Problem.objects.get(pk=body["id"])) if e.action == "update"]
    assert [sorted(e.changes["incidents"][1]) for e in updates] == [
        sorted([first.pk, second.pk, third.pk]),
        sorted([second.pk, third.pk]),
    ]


def test_transitions_over_http(ctx, staff):
    created = problem(ctx)
    api = client(staff.agent)
    url = f"/api/v1/problems/{created.pk}/transitions/"
    assert [t["name"] for t in api.get(url).json()] == ["investigate", "cancel"]
    assert api.post(url, {"transition": "resolve"}, format="json").status_code == 409  # not from new
    assert api.post(url, {"transition": "investigate"}, format="json").status_code == 200
    missing = api.post(url, {"transition": "record_root_cause"}, format="json")
    assert missing.status_code == 400 and "root_cause" in missing.json()
    found = api.post(url, {"transition": "record_root_cause", "root_cause": "Cache full"}, format="json")
    assert found.status_code == 200 and found.json()["status"] == "root_cause_known"
    known = api.post(url, {"transition": "record_known_error", "workaround": "Restart"}, format="json").json()
    assert known["status"] == "known_error" and len(known["known_errors"]) == 1
    ke = api.get(f"/api/v1/known-errors/{known['known_errors'][0]}/").json()
    assert (ke["root_cause"], ke["workaround"], ke["status"]) == ("Cache full", "Restart", "active")
    assert api.post(url, {"transition": "frobnicate"}, format="json").status_code == 400
    assert client(ctx.auditor).post(url, {"transition": "cancel"}, format="json").status_code == 403


def test_known_error_transitions_and_status_not_patchable(ctx, staff):
    ke = services.known_error_create(actor=None, data={"title": "x", "root_cause": "y"})
    api = client(staff.agent)
    url = f"/api/v1/known-errors/{ke.pk}/"
    refused = api.patch(url, {"status": "retired"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()  # changed only by transitions
    ke.refresh_from_db()
    assert ke.status == "active"
    assert (
        api.post(url + "transitions/", {"transition": "retire"}, format="json").json()["status"] == "retired"
    )
    assert api.post(url + "transitions/", {"transition": "retire"}, format="json").status_code == 409


def test_problem_list_query_count_is_flat(ctx, staff, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client(ctx.admin)
    tickets = [incident(ctx, staff.service) for _ in range(3)]
    services.problem_create(
        actor=None, data={"title": "p0", "service": staff.service}, m2m={"incidents": tickets}
    )
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/problems/")
    for i in range(5):
        services.problem_create(
            actor=None, data={"title": f"p{i + 1}", "service": staff.service}, m2m={"incidents": tickets}
        )
    with django_assert_max_num_queries(len(one)):
        api.get("/api/v1/problems/")
