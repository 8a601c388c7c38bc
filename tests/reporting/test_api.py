"""The REST resources `report-definitions`, `service-reports` and `report-actions`: generated suites for the
two that people write, and the rules of reports (read-only, transitions) and actions over HTTP."""

from __future__ import annotations

import datetime as dt

from servitium.reporting import services
from servitium.reporting.models import ReportAction, ReportDefinition
from tests import factories
from tests.base import RecordAPISuite, client
from tests.reporting.conftest import definition


def _report(ctx, *, issue=True):
    owner = factories.person(factories.unique("Owner"), ctx.provider)
    made = services.definition_create(
        actor=None,
        data={
            "title": "A monthly",
            "purpose": "SLA",
            "customer": ctx.org_a,
            "owner": owner,
            "sections": ["workload"],
        },
    )
    return services.report_generate(
        actor=None, definition=made, period_start=dt.date(2025, 10, 1), pdf=False, issue=issue, mail=False
    )


class TestReportDefinitionAPI(RecordAPISuite):
    endpoint = "report-definitions"
    model = ReportDefinition
    writer_roles = ["report-manager"]
    foreign_roles = ["incident-manager", "sms-manager"]
    customer_visible = False

    def make(self, ctx):
        return services.definition_create(
            actor=None, data={"title": "Monthly report", "purpose": "SLA performance", "customer": ctx.org_a}
        )

    def create_payload(self, ctx):
        return {
            "title": "Quarterly report",
            "purpose": "Trends",
            "frequency": "quarterly",
            "customer": ctx.org_a.pk,
        }

    def invalid_payload(self, ctx):
        return {"title": "Bad", "purpose": "x", "frequency": "weekly"}

    def update_payload(self, ctx):
        return {"details": "Sent before the monthly service review", "sections": ["workload", "trends"]}


class TestReportActionAPI(RecordAPISuite):
    endpoint = "report-actions"
    model = ReportAction
    writer_roles = ["report-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False  # agents do not delete

    def make(self, ctx):
        return services.action_create(actor=None, data={"report": _report(ctx), "text": "Add a desk agent"})

    def create_payload(self, ctx):
        return {"report": _report(ctx).pk, "kind": "decision", "text": "Raise the response target"}

    def invalid_payload(self, ctx):
        return {"text": "No report"}

    def update_payload(self, ctx):
        return {"due_date": "2030-01-31", "text": "Add a second desk agent"}


def test_reports_are_read_only_and_move_on_by_transitions(ctx, staff):
    report = _report(ctx, issue=False)
    api = client(staff.manager)
    url = f"/api/v1/service-reports/{report.pk}/"
    assert api.post("/api/v1/service-reports/", {}, format="json").status_code == 405
    assert api.patch(url, {"status": "issued"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert (
        client(staff.agent)
        .post(f"{url}transitions/", {"transition": "issue"}, format="json")
        .json()["status"]
        == "issued"
    )
    assert api.post(f"{url}transitions/", {"transition": "issue"}, format="json").status_code in (400, 409)
    assert client(ctx.customer_a).post(
        f"{url}transitions/", {"transition": "supersede"}, format="json"
    ).status_code in (
        403,
        404,
    )


def test_action_lifecycle_and_superseded_reports_take_no_actions(ctx, staff):
    report = _report(ctx)
    api = client(staff.agent)
    made = api.post(
        "/api/v1/report-actions/",
        {
            "report": report.pk,
            "text": "Review the desk rota",
            "owner": staff.owner.pk,
            "due_date": "2030-01-01",
        },
        format="json",
    ).json()
    done = api.post(
        f"/api/v1/report-actions/{made['id']}/transitions/",
        {"transition": "complete", "outcome": "Rota changed"},
        format="json",
    ).json()
    assert done["status"] == "done" and done["outcome"] == "Rota changed" and done["completed_on"]
    assert client(ctx.customer_a).get(f"/api/v1/report-actions/{made['id']}/").status_code == 200
    assert client(ctx.customer_b).get(f"/api/v1/report-actions/{made['id']}/").status_code == 404
    services.report_transition(actor=None, instance=report, transition="supersede")
    refused = api.post("/api/v1/report-actions/", {"report": report.pk, "text": "Too late"}, format="json")
    assert refused.status_code == 400 and "report" in refused.json()


def test_contacts_of_another_customer_are_refused(ctx, staff):
    from servitium.relationships.models import InterestedParty

    theirs = InterestedParty.objects.create(customer=ctx.org_b, name="Bea")
    ours = InterestedParty.objects.create(customer=ctx.org_a, name="Carl", person=staff.contact)
    api = client(staff.manager)
    payload = {"title": "A", "purpose": "SLA", "customer": ctx.org_a.pk}
    bad = api.post(
        "/api/v1/report-definitions/", {**payload, "audience_contacts": [theirs.pk]}, format="json"
    )
    assert bad.status_code == 400 and "audience_contacts" in bad.json()
    good = api.post("/api/v1/report-definitions/", {**payload, "audience_contacts": [ours.pk]}, format="json")
    assert good.status_code == 201
    made = ReportDefinition.objects.get(pk=good.json()["id"])
    assert services.audience_addresses(made) == ["carl@customer-a.test"]
    assert definition(staff, ctx.org_a).reference.startswith("RPD")


def test_customers_do_not_see_actions_on_reports_not_issued(ctx, staff):
    draft = _report(ctx, issue=False)
    action = services.action_create(actor=None, data={"report": draft, "text": "Check the figures first"})
    assert client(ctx.customer_a).get(f"/api/v1/report-actions/{action.pk}/").status_code == 404
    services.report_transition(actor=None, instance=draft, transition="issue", mail=False)
    assert client(ctx.customer_a).get(f"/api/v1/report-actions/{action.pk}/").status_code == 200
