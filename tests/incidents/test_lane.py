"""The API's fast lane (servitium/core/api/lane.py) answers ticket creates exactly as the full stack does,
and hands every request it does not answer to the full stack, so errors are the API's own."""

from __future__ import annotations

import io
import json

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from servitium.core import services as core_services
from servitium.core.api import lane
from servitium.core.models import ChangeRecord
from servitium.incidents.models import Incident
from tests.base import WsgiClient
from tests.incidents.test_incidents import TestIncidentAPI

VOLATILE_HEADERS = {"X-Request-ID", "Content-Length"}
VOLATILE_FIELDS = {"id", "url", "reference", "title", "created", "updated"}


def call(app, path: str, payload=None, *, key: str | None = None, raw: bytes | None = None, **headers):
    body = raw if raw is not None else json.dumps(payload).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        **({"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}),
        **headers,
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(app(environ, start_response))
    is_json = answer["headers"].get("Content-Type", "").startswith("application/json")
    return answer["status"], answer["headers"], json.loads(content) if is_json else content


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the handlers' end-of-request hook would close the connection that
    holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def apps():
    full = WSGIHandler()
    return lane.Lane(full), full


@pytest.fixture
def admin_key(ctx):
    return core_services.api_token_create(user=ctx.admin)[1]


def payload(sla, **extra):
    return {
        "title": "Mail queue stuck",
        "description": "Outbound mail has not left since 09:00.",
        "customer": sla.customer_id,
        "service": sla.service_id,
        "impact": 2,
        "urgency": 2,
        "channel": "email",
        "category": "mail",
        **extra,
    }


class Counted:
    """What the lane did with the requests made inside the block."""

    def __enter__(self):
        self.before = dict(lane.STATS)
        return self

    def __exit__(self, *exc):
        self.answered = lane.STATS["answered"] - self.before["answered"]
        self.fell_back = lane.STATS["fell_back"] - self.before["fell_back"]


def test_the_lane_creates_what_the_full_stack_creates(ctx, sla, apps, admin_key):
    fast, full = apps
    with Counted() as counted:
        status, headers, body = call(fast, "/api/v1/incidents/", payload(sla), key=admin_key)
    assert (status, counted.answered, counted.fell_back) == (201, 1, 0)
    full_status, full_headers, full_body = call(full, "/api/v1/incidents/", payload(sla), key=admin_key)
    assert full_status == 201

    def stable(data):
        kept = {k: v for k, v in data.items() if k not in VOLATILE_FIELDS}
        kept["sla_clocks"] = [(c["metric"], c["target_s"], c["paused"], c["met"]) for c in data["sla_clocks"]]
        return kept

    assert stable(body) == stable(full_body)
    assert [c[0] for c in stable(body)["sla_clocks"]] == ["resolution_time", "response_time"]
    assert {k: v for k, v in headers.items() if k not in VOLATILE_HEADERS} == {
        k: v for k, v in full_headers.items() if k not in VOLATILE_HEADERS
    }
    assert body["url"].endswith(f"/api/v1/incidents/{body['id']}/")
    incident = Incident.objects.get(pk=body["id"])
    assert (incident.priority, incident.customer, incident.sla_clocks.count()) == (
        body["priority"],
        ctx.org_a,
        2,
    )
    entry = ChangeRecord.objects.get(object_type="incidents.incident", object_id=incident.pk, action="create")
    assert (entry.context, entry.actor, entry.request_id) == ("api", ctx.admin, headers["X-Request-ID"])
    assert entry.changes["reference"] == [None, incident.reference]


def test_the_callers_request_id_is_kept(sla, apps, admin_key):
    status, headers, body = call(
        apps[0], "/api/v1/incidents/", payload(sla), key=admin_key, HTTP_X_REQUEST_ID="rq-42"
    )
    assert status == 201 and headers["X-Request-ID"] == "rq-42"
    assert (
        ChangeRecord.objects.get(object_id=body["id"], object_type="incidents.incident").request_id == "rq-42"
    )


@pytest.mark.parametrize(
    "change, expected_status, expected_body",
    [
        ({"title": None}, 400, {"title": ["This field may not be null."]}),
        ({"customer": 999999}, 400, {"customer": ['Invalid pk "999999" - object does not exist.']}),
        ({"impact": 7}, 400, {"impact": ['"7" is not a valid choice.']}),
        ({"security_category": "malware"}, 400, None),  # refused by the model's rules, inside the write
    ],
)
def test_invalid_creates_get_the_full_stacks_answer_and_write_nothing(
    sla, apps, admin_key, change, expected_status, expected_body
):
    fast, full = apps
    before = (Incident.objects.count(), ChangeRecord.objects.count())
    with Counted() as counted:
        status, _headers, body = call(fast, "/api/v1/incidents/", payload(sla, **change), key=admin_key)
    assert (counted.answered, counted.fell_back) == (0, 1)
    assert (status, body) == call(full, "/api/v1/incidents/", payload(sla, **change), key=admin_key)[::2]
    assert status == expected_status
    if expected_body is not None:
        assert body == expected_body
    assert (Incident.objects.count(), ChangeRecord.objects.count()) == before


def test_refusals_are_the_full_stacks(ctx, sla, apps, admin_key):
    fast, _full = apps
    auditor_key = core_services.api_token_create(user=ctx.auditor)[1]
    status, _h, body = call(fast, "/api/v1/incidents/", payload(sla), key="not-a-key")
    assert status == 401 and "token" in body["detail"].lower()
    status, _h, body = call(fast, "/api/v1/incidents/", payload(sla), key=auditor_key)
    assert status == 403
    status, _h, body = call(fast, "/api/v1/incidents/", raw=b'{"title": "x",', key=admin_key)
    assert status == 400 and "JSON parse error" in body["detail"]
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": "theme=dark"},  # a session could decide who is asking
        {"HTTP_ACCEPT": "text/html"},  # another renderer
        {"QUERY_STRING": "format=json"},
    ],
)
def test_calls_the_lane_does_not_take_are_served_by_the_full_stack(sla, apps, admin_key, headers):
    with Counted() as counted:
        status, _h, body = call(apps[0], "/api/v1/incidents/", payload(sla), key=admin_key, **headers)
    assert (counted.answered, counted.fell_back) == (0, 0)
    assert status == 201 and Incident.objects.filter(title="Mail queue stuck").count() == 1


def test_a_customer_user_raises_tickets_for_their_own_organization(ctx, sla, apps):
    key = core_services.api_token_create(user=ctx.customer_a)[1]
    with Counted() as counted:
        status, _h, body = call(apps[0], "/api/v1/incidents/", payload(sla, customer=ctx.org_b.pk), key=key)
    # org_b is not visible to a customer of org_a: the full stack answers that it does not exist
    assert (status, counted.answered) == (400, 0)
    with Counted() as counted:
        status, _h, body = call(apps[0], "/api/v1/incidents/", payload(sla), key=key)
    assert (status, counted.answered, body["customer"]) == (201, 1, ctx.org_a.pk)


def test_service_requests_take_the_lane_too(sla, apps, admin_key):
    with Counted() as counted:
        status, _h, body = call(apps[0], "/api/v1/service-requests/", payload(sla), key=admin_key)
    assert (status, counted.answered, body["kind"]) == (201, 1, "request")
    assert "/api/v1/service-requests/" in body["url"]


def test_the_lane_can_be_turned_off(sla, admin_key, settings):
    settings.API_LANE = False
    off = lane.Lane(WSGIHandler())
    with Counted() as counted:
        status, _h, _body = call(off, "/api/v1/incidents/", payload(sla), key=admin_key)
    assert (status, counted.answered, counted.fell_back) == (201, 0, 0)


@pytest.mark.parametrize(
    "change",
    [
        {"MIDDLEWARE": ["example.audit.AuditMiddleware"]},
        {"REST_FRAMEWORK": {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"]}},
    ],
)
def test_a_site_that_adds_middleware_or_throttling_gets_the_full_stack(settings, change):
    """The lane stands in for a known stack only; anything a site adds must not be skipped."""
    if "MIDDLEWARE" in change:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, *change["MIDDLEWARE"]]
    else:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **change["REST_FRAMEWORK"]}
    assert lane.Lane(lambda environ, start_response: []).enabled is False


def test_the_shipped_stack_is_the_known_one(settings):
    assert lane.Lane(lambda environ, start_response: []).enabled is True


def test_mail_handed_in_by_the_gateway_takes_the_lane(ctx, apps):
    """The MTA pipe's POST of a raw message: answered by the lane with the full stack's body; unusable
    messages and callers without the gateway role get the full stack's 400 and 403."""
    from servitium.incidents.models import MailMessage
    from tests import factories
    from tests.incidents.test_mail import GRACE, message

    factories.person("Grace Miller", ctx.org_a, email=GRACE)
    gateway = factories.user("mailgw", ctx.provider, ["mail-gateway"])
    key = core_services.api_token_create(user=gateway)[1]
    rfc822 = {"CONTENT_TYPE": "message/rfc822"}
    fast, full = apps
    with Counted() as counted:
        status, _h, body = call(
            fast, "/api/v1/mail/inbound/", raw=message(msg_id="<l1@a.example>"), key=key, **rfc822
        )
    assert (status, counted.answered, body["outcome"]) == (200, 1, "opened")
    assert Incident.objects.get(reference=body["reference"]).channel == "email"
    status, _h, again = call(
        full, "/api/v1/mail/inbound/", raw=message(msg_id="<l1@a.example>"), key=key, **rfc822
    )
    assert (status, again) == (200, {**body, "outcome": "duplicate", "reference": None})
    with Counted() as counted:
        status, _h, body = call(fast, "/api/v1/mail/inbound/", raw=b"no headers at all", key=key, **rfc822)
    assert (status, counted.answered, counted.fell_back) == (400, 0, 1)
    agent_key = core_services.api_token_create(user=factories.user("a1", ctx.provider, ["incident-agent"]))[1]
    raw = message(msg_id="<l2@a.example>")
    status, _h, body = call(fast, "/api/v1/mail/inbound/", raw=raw, key=agent_key, **rfc822)
    assert status == 403 and "mail gateway" in body["detail"]
    with Counted() as counted:  # a JSON body is not a message: the lane leaves it to the full stack
        status, _h, _body = call(fast, "/api/v1/mail/inbound/", {"x": 1}, key=key)
    assert (counted.answered, counted.fell_back) == (0, 0)
    assert MailMessage.objects.filter(direction="in").count() == 1


class TestIncidentAPIThroughTheLane(TestIncidentAPI):
    """The whole generated API suite of incidents again, through the WSGI application with the lane in
    front (creates answered by the lane, everything else by the full stack): the same results."""

    def api(self, user=None):
        return WsgiClient(user)

    def test_list_queries_match_the_baseline(self, ctx):
        pytest.skip("counted through the test client (token authentication adds its own queries here)")

    def test_the_lane_answered_the_creates(self, ctx):
        with Counted() as counted:
            response = self.api(self.writer(ctx)).post(self.url(), self.create_payload(ctx))
        assert (response.status_code, counted.answered, counted.fell_back) == (201, 1, 0)


def lane_samples(ctx, sla):
    """For every lane route: a fresh request body, its content type and the user who may send it."""
    from tests import factories
    from tests.incidents.test_mail import GRACE, message

    factories.person("Grace Miller", ctx.org_a, email=GRACE)
    gateway = factories.user("mailgw_h", ctx.provider, ["mail-gateway"])
    numbers = iter(range(1000))
    return {
        "api:incident-list": (lambda: payload(sla), "application/json", ctx.admin),
        "api:service-request-list": (lambda: payload(sla), "application/json", ctx.admin),
        "api:mail-inbound": (
            lambda: message(msg_id=f"<h{next(numbers)}@a.example>"),
            "message/rfc822",
            gateway,
        ),
    }


def test_every_lane_route_answers_with_the_full_stacks_headers(ctx, sla, apps):
    """Not the lane's list of middleware but what the client receives: for every route the lane takes,
    the status and every header (but the request id and length) equal the full stack's answer."""
    from django.urls import reverse

    fast, full = apps
    samples = lane_samples(ctx, sla)
    assert {r.url_name for r in lane._DECLARED} == set(samples), "a lane route without a sample here"
    for url_name, (body, media, user) in samples.items():
        key = core_services.api_token_create(user=user)[1]
        path = reverse(url_name)
        answers = []
        for app in (fast, full):
            with Counted() as counted:
                raw = body()
                raw = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
                status, headers, _body = call(app, path, raw=raw, key=key, CONTENT_TYPE=media)
            answers.append((status, {k: v for k, v in headers.items() if k not in VOLATILE_HEADERS}))
            assert counted.answered == (1 if app is fast else 0), url_name
        assert answers[0] == answers[1], url_name
