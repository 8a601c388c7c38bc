"""The fast lane also answers reads of every record type (lists with their filters, records by id), comments
and lifecycle transitions, by the viewsets' own methods: the same answers and headers as the full stack,
and every error handed to the full stack with nothing written twice."""

from __future__ import annotations

import io
import json

from servitium.core.models import ChangeRecord, Comment
from servitium.incidents import services
from servitium.incidents.models import Incident
from tests.incidents import test_lane
from tests.incidents.test_lane import Counted, call

# The lane tests' fixtures: both apps (lane and full stack), a token, the test's connection kept.
apps = test_lane.apps
admin_key = test_lane.admin_key
_keep_the_test_connection = test_lane._keep_the_test_connection

VOLATILE = {"X-Request-ID"}


def get(app, path: str, query: str = "", *, key: str, **headers):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "HTTP_AUTHORIZATION": f"Token {key}",
        **headers,
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], content


def _tickets(ctx, sla, count=3):
    return [
        services.incident_create(
            actor=None,
            data={"customer": ctx.org_a, "service": sla.service, "title": f"t{i}", "impact": 2, "urgency": 2},
        )
        for i in range(count)
    ]


def _same(fast_answer, full_answer):
    (status, headers, body), (full_status, full_headers, full_body) = fast_answer, full_answer
    assert (status, body) == (full_status, full_body)
    assert {k: v for k, v in headers.items() if k not in VOLATILE} == {
        k: v for k, v in full_headers.items() if k not in VOLATILE
    }


def test_lists_and_records_read_through_the_lane_as_through_the_full_stack(ctx, sla, apps, admin_key):
    fast, full = apps
    tickets = _tickets(ctx, sla)
    query = f"status=new&ordering=-created&page_size=2&customer={ctx.org_a.pk}"
    for path, q in [
        ("/api/v1/incidents/", query),
        ("/api/v1/incidents/", query + "&page=2"),
        (f"/api/v1/incidents/{tickets[0].pk}/", ""),
        ("/api/v1/services/", "search=Email"),
        (f"/api/v1/organizations/{ctx.org_a.pk}/", ""),
    ]:
        with Counted() as counted:
            answer = get(fast, path, q, key=admin_key)
        assert (answer[0], counted.answered, counted.fell_back) == (200, 1, 0), path
        _same(answer, get(full, path, q, key=admin_key))
    listed = json.loads(get(fast, "/api/v1/incidents/", query, key=admin_key)[2])
    assert listed["count"] == 3 and len(listed["results"]) == 2 and "page=2" in listed["next"]

    status, headers, _ = get(fast, f"/api/v1/incidents/{tickets[0].pk}/", key=admin_key)
    with Counted() as counted:
        again = get(
            fast, f"/api/v1/incidents/{tickets[0].pk}/", key=admin_key, HTTP_IF_NONE_MATCH=headers["ETag"]
        )
    assert (again[0], again[2], counted.answered) == (304, b"", 1)


def test_reads_the_lane_cannot_answer_are_the_full_stacks(ctx, sla, apps, admin_key):
    from servitium.core import services as core_services

    fast, full = apps
    ticket = _tickets(ctx, sla, 1)[0]
    customer_b = core_services.api_token_create(user=ctx.customer_b)[1]
    for path, query, key in [
        ("/api/v1/incidents/99999999/", "", admin_key),  # no such ticket
        (f"/api/v1/incidents/{ticket.pk}/", "", customer_b),  # another organization's
        ("/api/v1/incidents/", "status=bogus", admin_key),  # a filter value that does not exist
        ("/api/v1/incidents/", "page=99", admin_key),
    ]:
        with Counted() as counted:
            answer = get(fast, path, query, key=key)
        assert counted.answered == 0 and answer[0] in (400, 404), (path, query)
        _same(answer, get(full, path, query, key=key))
    with Counted() as counted:
        status, _h, _b = get(fast, "/api/v1/incidents/", "format=api", key=admin_key)
    assert (status, counted.answered, counted.fell_back) == (200, 0, 0)  # another renderer


def test_comments_through_the_lane_are_stored_once(ctx, sla, apps, admin_key):
    fast, _full = apps
    ticket = _tickets(ctx, sla, 1)[0]
    note = {"object_type": "incidents.incident", "object_id": ticket.pk, "body": "Spooler restarted."}
    with Counted() as counted:
        status, headers, body = call(
            fast, "/api/v1/comments/", {**note, "visibility": "internal"}, key=admin_key
        )
    assert (status, counted.answered) == (201, 1)
    assert headers["Allow"] == "GET, POST, HEAD, OPTIONS"
    stored = Comment.objects.get()
    assert (body["id"], body["body"], body["author"], stored.visibility) == (
        stored.pk,
        "Spooler restarted.",
        ctx.admin.username,
        "internal",
    )
    entry = ChangeRecord.objects.get(object_type="core.comment", object_id=stored.pk)
    assert (entry.context, entry.request_id) == ("api", headers["X-Request-ID"])

    for bad in ({**note, "body": ""}, {**note, "object_id": 99999999}, {**note, "visibility": "shouted"}):
        with Counted() as counted:
            status, _h, body = call(fast, "/api/v1/comments/", bad, key=admin_key)
        assert (status, counted.answered, counted.fell_back) == (400, 0, 1), bad
    assert Comment.objects.count() == 1


def test_transitions_through_the_lane(ctx, sla, apps, admin_key):
    fast, full = apps
    ticket = _tickets(ctx, sla, 1)[0]
    path = f"/api/v1/incidents/{ticket.pk}/transitions/"
    with Counted() as counted:
        status, _h, body = call(fast, path, {"transition": "start_work", "note": "on it"}, key=admin_key)
    assert (status, counted.answered, body["status"]) == (200, 1, "in_progress")
    assert Incident.objects.get(pk=ticket.pk).status == "in_progress"
    entries = ChangeRecord.objects.filter(object_type="incidents.incident", object_id=ticket.pk).count()

    for bad in ({"transition": "start_work"}, {"transition": "fly"}, {}):  # not from here; unknown; none
        with Counted() as counted:
            answer = call(fast, path, bad, key=admin_key)
        assert (counted.answered, counted.fell_back) == (0, 1), bad
        assert answer[0] in (400, 409)
        assert answer[::2] == call(full, path, bad, key=admin_key)[::2]
    assert Incident.objects.get(pk=ticket.pk).status == "in_progress"
    assert (
        ChangeRecord.objects.filter(object_type="incidents.incident", object_id=ticket.pk).count() == entries
    )
