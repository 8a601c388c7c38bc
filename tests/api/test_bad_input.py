"""Bad input is a 400 naming the problem, never a 500 or a half-written record: bodies nested too deep, bodies
that are not objects, NUL characters in any value (PostgreSQL stores none), numbers beyond the database's
range in list filters, page sizes that are not page sizes. The same rules hold through the fast lane, the
UI forms and pages, the model validation every service runs, and the importers."""

from __future__ import annotations

import json
import warnings

import pytest
from django.core.exceptions import ValidationError

from servitium.catalog.models import Service
from servitium.cmdb.audits import parse_discovered
from servitium.cmdb.importing import import_cis
from servitium.conformity import services as conformity_services
from servitium.core import services as core_services
from servitium.core.api.parsers import MAX_DEPTH
from servitium.core.models import ChangeRecord, Comment
from servitium.incidents.imports.api import import_incidents
from servitium.incidents.models import Incident
from tests import factories
from tests.base import WsgiClient, browser, client
from tests.incidents.test_lane import _keep_the_test_connection, call  # noqa: F401  (a fixture)

HUGE = 10**30


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def svc(ctx):
    return factories.service("Hosted Email", customers=[ctx.org_a])


def writes():
    return ChangeRecord.objects.count()


# --- bodies ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 100_000])
def test_json_nested_too_deep_is_a_400_on_create_and_update(ctx, svc, depth):
    api, before = client(ctx.admin), writes()
    body = '{"name": "Deep", "description": ' + nested(depth) + "}"
    for method, url in (("post", "/api/v1/services/"), ("patch", f"/api/v1/services/{svc.pk}/")):
        answer = getattr(api, method)(url, body, content_type="application/json")
        assert answer.status_code == 400, answer.content
        assert f"nested deeper than {MAX_DEPTH} levels" in answer.json()["detail"]
    assert writes() == before


def test_json_within_the_nesting_limit_is_read(ctx, svc):
    answer = client(ctx.admin).patch(
        f"/api/v1/services/{svc.pk}/",
        '{"description": "kept", "unknown": ' + nested(MAX_DEPTH - 1) + "}",
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["description"] == "kept"


@pytest.mark.parametrize("body", ["[null, null]", "null", '"text"', "42", "[]"])
def test_a_body_that_is_not_an_object_is_a_400(ctx, svc, body):
    api, before = client(ctx.admin), writes()
    survey = "/api/v1/surveys/1/send-round/"
    for url in ("/api/v1/services/", "/api/v1/problems/from-incidents/", survey, "/api/v1/comments/"):
        answer = api.post(url, body, content_type="application/json")
        assert answer.status_code in (400, 404), (url, answer.content)
        if answer.status_code == 400:
            assert "JSON object" in answer.json()["detail"]
    assert writes() == before


def test_a_nul_character_is_a_400_naming_the_field(ctx, svc, is_postgres):
    api, before = client(ctx.admin), writes()
    answer = api.post("/api/v1/services/", {"name": "Mail\x00relay"}, format="json")
    assert answer.status_code == 400 and "NUL" in answer.json()["name"][0]
    answer = api.patch(f"/api/v1/services/{svc.pk}/", {"description": "a\x00"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["description"]
    answer = api.post(
        f"/api/v1/services/{svc.pk}/transitions/", {"transition": "retire", "note": "\x00"}, format="json"
    )
    assert answer.status_code == 400 and list(answer.json()) == ["note"]
    # deep inside a JSON value, and in a key: named by the top-level field, the path in the message
    answer = api.post(
        "/api/v1/ci-types/", {"name": "x", "attribute_schema": {"os": {"t\x00": 1}}}, format="json"
    )
    assert answer.status_code == 400 and "attribute_schema.os.t" in answer.json()["attribute_schema"][0]
    # forms and multipart bodies alike
    answer = api.post("/api/v1/services/", {"name": "a\x00b"}, format="multipart")
    assert answer.status_code == 400 and list(answer.json()) == ["name"]
    answer = api.post("/api/v1/services/", "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and list(answer.json()) == ["name"]
    assert writes() == before
    assert Service.objects.count() == 1


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_the_fast_lane_refuses_what_the_full_stack_refuses(ctx, svc):
    lane = WsgiClient(ctx.admin)
    before = writes()
    ticket = {"title": "Mail\x00down", "customer": ctx.org_a.pk, "service": svc.pk}
    status, _headers, body = call(lane.app, "/api/v1/incidents/", ticket, key=lane.key)
    assert status == 400 and list(body) == ["title"]
    deep = b'{"title": "Deep", "customer": %d, "description": %s}' % (ctx.org_a.pk, nested(5000).encode())
    status, _headers, body = call(lane.app, "/api/v1/incidents/", raw=deep, key=lane.key)
    assert status == 400 and "nested deeper" in body["detail"]
    status, _headers, body = call(lane.app, "/api/v1/incidents/", raw=b"[null, null]", key=lane.key)
    assert status == 400 and "JSON object" in body["detail"]
    assert writes() == before and not Incident.objects.exists()


# --- list parameters ------------------------------------------------------------------------------------

BEYOND = [
    ("/api/v1/releases/", "policy", HUGE),
    ("/api/v1/releases/", "services", -HUGE),
    ("/api/v1/blackout-windows/", "services", 2**63),
    ("/api/v1/contracts/", "supplier", HUGE),
    ("/api/v1/teams/", "members", -(2**63) - 1),
    ("/api/v1/services/", "depends_on", HUGE),
    ("/api/v1/changelog/", "object_id", HUGE),
    ("/api/v1/comments/", "object_id", HUGE),
]


@pytest.mark.parametrize(("url", "name", "value"), BEYOND)
def test_a_number_beyond_the_databases_range_in_a_filter_is_a_400_naming_it(ctx, url, name, value):
    answer = client(ctx.admin).get(url, {name: value})
    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == [name] and "whole number" in answer.json()[name][0]


def test_numbers_in_range_and_nul_in_filters(ctx, svc):
    api = client(ctx.admin)
    assert api.get("/api/v1/services/", {"depends_on": 2**62}).status_code == 400  # no such service
    assert api.get("/api/v1/services/", {"owner": 10**9}).status_code == 400
    assert api.get("/api/v1/services/", {"customers": ctx.org_a.pk}).json()["count"] == 1
    answer = api.get("/api/v1/services/", {"reference": "SVC\x00"})
    assert answer.status_code == 400 and "NUL" in answer.json()["reference"][0]
    assert list(api.get("/api/v1/services/", {"search": "Hosted\x00"}).json()) == ["search"]


def test_ids_in_parameters_that_are_no_ids(ctx):
    from servitium.cmdb import services as cmdb_services
    from tests.cmdb.conftest import ci, ci_type

    api = client(ctx.admin)
    for actor in ("²", str(HUGE), "0"):  # "²".isdigit() is true, but it is no number
        assert api.get("/api/v1/changelog/", {"actor": actor}).json()["count"] == 0
    baseline = cmdb_services.baseline_create(actor=None, name="frozen", cis=[ci("a", ci_type("box", {}))])
    for against in ("²", str(HUGE)):
        answer = api.get(f"/api/v1/baselines/{baseline.pk}/diff/", {"against": against})
        assert answer.status_code == 400 and list(answer.json()) == ["against"]
    page = browser(ctx.admin).get(f"/cmdb/baselines/{baseline.pk}/compare/", {"against": "²"})
    assert page.status_code == 404


def test_times_with_any_offset_are_read_in_utc(ctx, svc):
    api = client(ctx.admin)
    # PostgreSQL reads offsets up to 15:59 only; Python's go to 23:59
    answer = api.get("/api/v1/changelog/", {"until": "1113-02-09T07:22:36+18:29"})
    assert answer.status_code == 200 and answer.json()["count"] == 0
    answer = api.get("/api/v1/changelog/", {"since": "0001-01-01T00:10+01:00"})
    assert answer.status_code == 400 and list(answer.json()) == ["since"]
    schedule = client(factories.user("cm", ctx.provider, ["change-manager"]))
    answer = schedule.get("/api/v1/change-schedule/", {"start": "2026-03-01T10:00+18:30"})
    assert answer.status_code == 200 and answer.json()["start"] == "2026-02-28T15:30:00+00:00"


def test_business_time_and_survey_rounds_refuse_what_they_cannot_answer(ctx):
    from servitium.core.models import ServiceHoursCalendar
    from tests.relationships.test_relationships import open_survey

    api = client(ctx.admin)
    office = core_services.record_create(
        model=ServiceHoursCalendar,
        data={"name": "Office", "weekly_hours": {"mon": [["09:00", "17:00"]]}},
        actor=None,
    )
    url = f"/api/v1/calendars/{office.pk}/compute/"
    for query, name in (
        ({"start": "2026-02-30T10:00+01:00", "seconds": 1}, "start"),  # no such day
        ({"start": "2026-03-02T10:00Z", "seconds": "nan"}, "seconds"),
        ({"start": "2026-03-02T10:00Z", "seconds": "1e30"}, "seconds"),
        ({"start": "2026-03-02T10:00Z", "end": "2526-03-02T10:00Z"}, "end"),  # centuries of hours
        ({"start": "9999-12-27T10:00Z", "seconds": 3600 * 24 * 30}, "start"),  # beyond year 9999
    ):
        answer = api.get(url, query)
        assert answer.status_code == 400 and list(answer.json()) == [name], (query, answer.content)
    assert api.get(url, {"start": "2026-03-02T10:00Z", "seconds": 3600}).json() == {
        "due": "2026-03-02T11:00:00+00:00"
    }

    survey = open_survey()
    send = f"/api/v1/surveys/{survey.pk}/send-round/"
    answer = api.post(send, {"sample_size": 0}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["sample_size"]
    answer = api.post(send, {"sample_size": 2, "label": "x" * 51}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["label"]


@pytest.mark.parametrize("value", ["false", "0", "-1", "1001", "1e3", "\x00", str(HUGE)])
def test_a_page_size_that_is_not_one_is_a_400(ctx, value):
    answer = client(ctx.admin).get("/api/v1/teams/", {"page_size": value})
    assert answer.status_code == 400 and "from 1 to 1000" in answer.json()["page_size"][0]


def test_pages(ctx, svc):
    api = client(ctx.admin)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it pages an unordered list
        assert api.get("/api/v1/people/", {"ordering": ","}).status_code == 200
    assert api.get("/api/v1/services/", {"page_size": 1000, "page": 1}).status_code == 200
    assert api.get("/api/v1/services/", {"page": "last"}).status_code == 200
    assert api.get("/api/v1/services/", {"page": 0}).json() == {"page": ["Use a whole number from 1 up."]}
    assert api.get("/api/v1/services/", {"page": "abc"}).status_code == 400
    assert api.get("/api/v1/services/", {"page": HUGE}).status_code == 404  # beyond the last page


def test_the_ui_list_shows_the_filter_error(ctx, svc):
    page = browser(ctx.admin).get("/catalog/services/", {"depends_on": HUGE, "owner": "\x00"})
    assert page.status_code == 400  # the list page with the errors, and no rows
    text = page.content.decode()
    assert "depends_on: Use a whole number from" in text and "owner: Remove the NUL character" in text


# --- model validation, UI, importers ---------------------------------------------------------------------


def test_every_service_write_refuses_nul_by_field(ctx, svc):
    with pytest.raises(ValidationError) as caught:
        core_services.record_create(model=Service, data={"name": "x\x00"}, actor=ctx.admin)
    assert list(caught.value.message_dict) == ["name"]
    with pytest.raises(ValidationError) as caught:
        core_services.record_update(instance=svc, data={"description": "\x00"}, actor=ctx.admin)
    assert list(caught.value.message_dict) == ["description"]


def test_a_nul_in_a_parameter_an_action_reads_itself_is_a_400_naming_it(ctx):
    run = conformity_services.assessment_run(actor=None)
    for action in ("oscal", "evidence-pack"):
        answer = client(ctx.admin).get(f"/api/v1/assessments/{run.pk}/{action}/", {"framework": "iso\x00"})
        assert answer.status_code == 400 and "NUL" in answer.json()["framework"][0]


def test_ui_forms_and_pages_refuse_nul(ctx, svc):
    page, before = browser(ctx.admin), writes()
    answer = page.post("/catalog/services/new/", {"name": "Mail\x00relay", "description": "x"})
    assert answer.status_code == 400 and "Null characters are not allowed" in answer.content.decode()
    answer = page.post(f"/catalog/services/{svc.pk}/", {"comment": "1", "body": "hi\x00"}, follow=True)
    assert answer.status_code == 200 and "Remove the NUL character" in answer.content.decode()
    assert writes() == before and not Comment.objects.exists()


def test_importers_report_a_nul_row_and_keep_the_others(ctx, tmp_path):
    factories.organization("Imported Customer", "customer")
    source = tmp_path / "tickets.csv"
    source.write_text("external_id,title\nA-1,First\nA-2,Bro\x00ken\nA-3,Third\n", encoding="utf-8")
    report = import_incidents("generic", [source], customer="Imported Customer")
    assert [(e.line, "NUL" in e.message) for e in report.errors] == [(3, True)]
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["A-1", "A-3"]

    from servitium.cmdb.models import CIType

    core_services.record_create(model=CIType, data={"name": "box", "attribute_schema": {}}, actor=None)
    report = import_cis(actor=None, cis="name,type\nbox-1,box\nbox\x00-2,box\nbox-3,box\n")
    assert [(line, "NUL" in message) for _f, line, message in report.errors] == [(3, True)]
    assert report.created == 2

    rows, errors = parse_discovered(json.dumps([{"name": "a"}, {"name": "b", "attributes": {"x": "\x00"}}]))
    assert [r["name"] for r in rows] == ["a"] and "attributes.x" in errors[0]["message"]
    with pytest.raises(ValidationError):
        parse_discovered(nested(50_000))
