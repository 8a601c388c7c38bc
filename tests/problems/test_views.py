"""The web UI of problem management: lists, detail with incidents and known errors, raising a problem from
incidents, linking by reference, transitions, and what customers get (nothing)."""

from __future__ import annotations

from django.test import Client

from servitium.problems import services
from servitium.problems.models import KnownError, Problem
from tests.base import RecordUISuite, client, entries_for, sent_to_portal
from tests.problems.conftest import days_ago, incident, problem


class TestProblemPages(RecordUISuite):
    model = Problem
    writer_roles = ["problem-agent"]

    def make(self, ctx):
        return services.problem_create(
            actor=None, data={"title": "Disk fills up nightly", "category": "storage", "impact": 2}
        )


class TestKnownErrorPages(RecordUISuite):
    model = KnownError
    writer_roles = ["problem-agent"]

    def make(self, ctx):
        return services.known_error_create(
            actor=None,
            data={"title": "Relay stalls", "root_cause": "TLS cache full", "workaround": "Restart"},
        )


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_lists_and_pages(ctx, staff):
    obj = problem(ctx, service=staff.service, category="email")
    ke = services.known_error_create(actor=None, data={"title": "Relay stalls", "root_cause": "Cache"})
    browser = login(staff.manager)
    for url in (
        "/problems/",
        "/problems/?view=open",
        "/problems/known-errors/",
        f"/problems/{obj.pk}/",
        f"/problems/{obj.pk}/edit/",
        "/problems/new/",
        f"/problems/known-errors/{ke.pk}/",
        f"/problems/known-errors/{ke.pk}/edit/",
        "/problems/known-errors/new/",
    ):
        assert browser.get(url).status_code == 200, url
    assert obj.reference.encode() in browser.get("/problems/", {"search": "mail"}).content
    assert b"Problems" in browser.get("/").content  # the area is in the navigation


def test_customers_and_other_areas_see_nothing(ctx, staff):
    obj = problem(ctx)
    customer = login(ctx.customer_a)
    assert sent_to_portal(customer.get(f"/problems/{obj.pk}/"))
    assert client(ctx.customer_a).get(f"/api/v1/problems/{obj.pk}/").status_code == 404
    assert client(ctx.customer_a).get("/api/v1/problems/").json()["count"] == 0
    assert login(staff.incident_agent).get(f"/problems/{obj.pk}/").status_code == 404


def test_raise_a_problem_from_incidents_in_the_form(ctx, staff):
    first = incident(ctx, staff.service, category="email", created=days_ago(2))
    second = incident(ctx, staff.service, category="email")
    browser = login(staff.manager)
    form = browser.get("/problems/new/", {"incident": [first.pk, second.pk]})
    html = form.content.decode()
    assert (
        first.reference in html and 'value="Mail stuck"' in html and 'type="hidden" name="incidents"' in html
    )
    response = browser.post(
        f"/problems/new/?incident={first.pk}&incident={second.pk}",
        {
            "title": "Mail queues up",
            "origin": "reactive",
            "service": staff.service.pk,
            "category": "email",
            "impact": 2,
            "urgency": 2,
            "incidents": [first.pk, second.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Problem.objects.get(title="Mail queues up")
    assert set(created.incidents.all()) == {first, second} and created.priority == 3
    assert entries_for(created)[0].context == "web"


def test_link_unlink_and_transitions_on_the_detail_page(ctx, staff):
    obj = problem(ctx)
    ticket = incident(ctx, staff.service)
    browser = login(staff.manager)
    url = f"/problems/{obj.pk}/"
    browser.post(url, {"action": "link", "references": ticket.reference.lower()})
    assert list(obj.incidents.all()) == [ticket]
    page = browser.get(url).content.decode()
    assert ticket.reference in page and "Unlink" in page
    browser.post(url, {"action": "link", "references": "INC9999999"})
    assert obj.incidents.count() == 1
    browser.post(url, {"action": "unlink", "incident": ticket.pk})
    assert obj.incidents.count() == 0
    browser.post(url, {"transition": "investigate"})
    browser.post(url, {"transition": "record_root_cause"})  # refused: no root cause yet
    obj.refresh_from_db()
    assert obj.status == "under_investigation"
    browser.post(
        f"{url}edit/",
        {"title": obj.title, "origin": "reactive", "impact": 3, "urgency": 3, "root_cause": "x"},
    )
    browser.post(url, {"transition": "record_root_cause"})
    browser.post(url, {"transition": "record_known_error"})
    obj.refresh_from_db()
    assert obj.status == "known_error" and KnownError.objects.filter(problem=obj).count() == 1
    assert KnownError.objects.get().reference in browser.get(url).content.decode()
    assert login(ctx.auditor).post(url, {"action": "link", "references": ticket.reference}).status_code == 403


def test_the_edit_form_does_not_relink_and_the_page_names_only_visible_incidents(ctx, staff):
    seen, unseen = incident(ctx, staff.service), incident(ctx, staff.service)
    obj = problem(ctx)
    services.problem_link_incidents(actor=None, problem=obj, incidents=[seen, unseen])
    agent = login(staff.agent)  # problems role only: sees no incidents
    page = agent.get(f"/problems/{obj.pk}/").content.decode()
    assert seen.reference not in page and unseen.reference not in page
    assert "and 2 incidents you may not see" in page
    edit = agent.get(f"/problems/{obj.pk}/edit/")
    assert "incidents" not in edit.context["form"].fields
    refused = agent.post(
        f"/problems/{obj.pk}/edit/",
        {"title": obj.title, "origin": "reactive", "impact": 3, "urgency": 3, "incidents": [seen.pk]},
    )
    assert refused.status_code == 400 and "incidents" in refused.content.decode()
    assert set(obj.incidents.all()) == {seen, unseen}
    manager = login(staff.manager).get(f"/problems/{obj.pk}/").content.decode()
    assert seen.reference in manager and unseen.reference in manager


def test_list_parameters_are_search_and_ordering(ctx, staff):
    old = problem(ctx, title="Tape jams")
    new = problem(ctx, title="Tape drive slow")
    browser = login(staff.manager)
    listing = browser.get("/problems/", {"search": "tape", "ordering": "title"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert html.index(new.reference) < html.index(old.reference)  # "drive" before "jams"
    assert browser.get("/problems/known-errors/", {"ordering": "colour"}).status_code == 400


def test_a_step_that_needs_input_is_a_form_with_its_fields_and_the_others_are_buttons(ctx):
    """The generic detail page: "Root cause found" asks for the root cause (a form), "Cancel" needs nothing
    (a button); filled in, the form moves the problem and stores what was written."""
    made = problem(ctx)
    made = services.problem_transition(actor=None, instance=made, transition="investigate")
    page = login(ctx.admin)
    shown = page.get(made.get_absolute_url())
    steps = {s["name"]: s for s in shown.context["step_forms"]}
    assert [f["name"] for f in steps["record_root_cause"]["fields"]] == ["root_cause"]
    assert "record_root_cause" not in {t.name for t in shown.context["transitions"]}
    assert "cancel" in {t.name for t in shown.context["transitions"]}
    html = shown.content.decode()
    assert 'id="step-record_root_cause-root_cause"' in html and 'name="root_cause"' in html
    page.post(made.get_absolute_url(), {"transition": "record_root_cause", "root_cause": "Log rotation off"})
    made.refresh_from_db()
    assert made.status == "root_cause_known" and made.root_cause == "Log rotation off"
