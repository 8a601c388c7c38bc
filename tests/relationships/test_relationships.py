"""Business relationship management: relationship managers, complaints with escalation, surveys, analysis."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from servitium.core.models import ChangeRecord
from servitium.improvement.models import ImprovementOpportunity
from servitium.parties.models import Person
from servitium.relationships import services
from servitium.relationships.models import (
    Communication,
    Complaint,
    ComplaintDefinition,
    CustomerRelationship,
    InterestedParty,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from tests import factories
from tests.base import RecordAPISuite, RecordUISuite, browser, client, sent_to_portal

QUESTIONS = [
    {"id": "overall", "text": "Overall?", "type": "scale"},
    {"id": "desk", "text": "Desk?", "type": "scale"},
    {"id": "comment", "text": "Comments", "type": "text"},
]


def complaint(customer, **extra):
    return services.complaint_create(
        actor=None, data={"customer": customer, "title": "Slow", "description": "x", **extra}
    )


def open_survey(**extra):
    survey = core_services.record_create(
        model=Survey, data={"title": factories.unique("Survey"), "questions": QUESTIONS, **extra}, actor=None
    )
    return services.survey_set_status(actor=None, survey=survey, status="open")


class TestComplaintAPI(RecordAPISuite):
    endpoint = "complaints"
    model = Complaint
    writer_roles = ["relationship-agent"]
    foreign_roles = ["catalog-manager", "supplier-manager"]
    deletable = False

    def make(self, ctx):
        return complaint(ctx.org_a)

    def create_payload(self, ctx):
        return {
            "customer": ctx.org_a.pk,
            "raised_by": factories.person(factories.unique("Caller"), ctx.org_a).pk,
            "title": "Late report",
            "description": "The monthly report came late.",
        }

    def invalid_payload(self, ctx):
        return {"customer": ctx.provider.pk, "title": "x", "description": "y"}

    def update_payload(self, ctx):
        return {"findings": "Report job failed"}

    def test_customer_of_the_organization(self, ctx):
        # Customers may raise complaints (tested separately); they may not edit them.
        obj = self.make(ctx)
        api = client(ctx.customer_a)
        assert api.get(self.url(obj)).status_code == 200
        assert api.patch(self.url(obj), self.update_payload(ctx), format="json").status_code == 403


class TestCommunicationAPI(RecordAPISuite):
    endpoint = "communications"
    model = Communication
    writer_roles = ["relationship-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=Communication, data={"customer": ctx.org_a, "channel": "call", "summary": "Hi"}, actor=None
        )

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "channel": "meeting", "summary": "Review"}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "channel": "pigeon", "summary": "Review"}

    def update_payload(self, ctx):
        return {"follow_up": "Send minutes"}


class TestRelationshipAPI(RecordAPISuite):
    endpoint = "customer-relationships"
    model = CustomerRelationship
    writer_roles = ["relationship-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=CustomerRelationship,
            data={
                "customer": ctx.org_a,
                "relationship_manager": factories.person(factories.unique("RM"), ctx.provider),
                "business_context": "Logistics, growing in Poland",
            },
            actor=None,
        )

    def create_payload(self, ctx):
        org = factories.organization(factories.unique("Cust"), "customer")
        return {
            "customer": org.pk,
            "relationship_manager": factories.person(factories.unique("RM"), ctx.provider).pk,
        }

    def invalid_payload(self, ctx):
        return {
            "customer": ctx.provider.pk,
            "relationship_manager": factories.person(factories.unique("RM"), ctx.provider).pk,
        }

    def update_payload(self, ctx):
        return {"business_context": "Expanding to Poland"}


def test_customer_raises_a_complaint_for_its_own_organization(ctx):
    core_services.record_create(
        model=Person,
        data={"name": "Cus Tomer", "organization": ctx.org_a, "user": ctx.customer_a},
        actor=None,
    )
    api = client(ctx.customer_a)
    # The investigation is the provider's to write: refused by name, nothing written (it used to be dropped
    # silently).
    before = ChangeRecord.objects.count()
    refused = api.post(
        "/api/v1/complaints/",
        {"customer": ctx.org_a.pk, "title": "Outage", "description": "Down again", "findings": "sneaky"},
        format="json",
    )
    assert refused.status_code == 400 and set(refused.json()) == {"findings"}
    assert ChangeRecord.objects.count() == before
    response = api.post(
        "/api/v1/complaints/",
        {"customer": ctx.org_a.pk, "title": "Outage", "description": "Down again"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == ctx.org_a.pk and body["findings"] == "" and body["raised_by"] is not None
    # The organization need not be named: it is the customer's own.
    unnamed = api.post("/api/v1/complaints/", {"title": "Again", "description": "Down"}, format="json")
    assert unnamed.status_code == 201 and unnamed.json()["customer"] == ctx.org_a.pk
    # Naming another organization is refused: that organization is invisible to this user.
    other = api.post(
        "/api/v1/complaints/", {"customer": ctx.org_b.pk, "title": "x", "description": "y"}, format="json"
    )
    assert other.status_code == 400 and "customer" in other.json()
    assert client(ctx.customer_b).get(f"/api/v1/complaints/{body['id']}/").status_code == 404


def test_complaint_lifecycle_needs_findings_and_resolution(ctx):
    c = complaint(ctx.org_a)
    api = client(ctx.admin)
    url = f"/api/v1/complaints/{c.pk}/transitions/"
    assert api.post(url, {"transition": "investigate"}, format="json").status_code == 200
    refused = api.post(url, {"transition": "resolve"}, format="json")
    assert refused.status_code == 409 and "resolution" in refused.json()["detail"]
    resolved = api.post(url, {"transition": "resolve", "resolution": "Fixed and credited"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    refused = api.post(url, {"transition": "close"}, format="json")
    assert refused.status_code == 409 and "findings" in refused.json()["detail"]
    closed = api.post(url, {"transition": "close", "findings": "Config drift"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # closed out as 2011 7.1.s8 asks; an insider blanking the findings afterwards is caught
    from servitium.core.checks import MET, NOT_MET, REGISTRY

    assert REGISTRY["relationships.complaints_closed_out"].run().status == MET
    type(c).objects.filter(pk=c.pk).update(findings="")
    result = REGISTRY["relationships.complaints_closed_out"].run()
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [c.pk]


def test_manual_and_automatic_escalation(ctx):
    rm = factories.person("Rel Manager", ctx.provider)
    core_services.record_create(
        model=CustomerRelationship, data={"customer": ctx.org_a, "relationship_manager": rm}, actor=None
    )
    c = complaint(ctx.org_a)
    api = client(ctx.admin)
    done = api.post(
        f"/api/v1/complaints/{c.pk}/escalate/", {"reason": "Customer unhappy with progress"}, format="json"
    )
    assert (
        done.status_code == 200
        and done.json()["escalation_level"] == 1
        and done.json()["escalated_to"] == rm.pk
    )
    assert api.post(f"/api/v1/complaints/{c.pk}/escalate/", {"reason": ""}, format="json").status_code == 400

    stale = complaint(ctx.org_a, title="Old one")
    Complaint.objects.filter(pk=stale.pk).update(created=timezone.now() - dt.timedelta(days=11))
    assert REGISTRY["relationships.complaints_handled"].run().status == "partly_met"
    from servitium.relationships.jobs import escalate_overdue_complaints

    assert escalate_overdue_complaints.call_local() == 1
    stale.refresh_from_db()
    assert stale.escalation_level == 1
    entry = ChangeRecord.objects.filter(object_type="relationships.complaint", object_id=stale.pk).latest(
        "id"
    )
    assert entry.context == "job" and entry.changes["escalation_level"] == [0, 1]
    assert REGISTRY["relationships.complaints_handled"].run().status == "met"


def test_sampling_is_stratified_and_repeatable(ctx):
    for org, n in ((ctx.org_a, 8), (ctx.org_b, 2)):
        for i in range(n):
            factories.person(f"{org.name} contact {i}", org)
    survey = open_survey()
    first = services.survey_round_send(actor=None, survey=survey, sample_size=5, seed=7, label="r1")
    by_org = {}
    for inv in first:
        by_org[inv.customer_id] = by_org.get(inv.customer_id, 0) + 1
    assert by_org == {ctx.org_a.pk: 4, ctx.org_b.pk: 1}
    again = open_survey()
    second = services.survey_round_send(actor=None, survey=again, sample_size=5, seed=7, label="r1")
    assert [i.person_id for i in second] == [i.person_id for i in first]


def test_responses_analysis_and_low_score_improvement(ctx):
    svc = factories.service("Mail", customers=[ctx.org_a, ctx.org_b])
    survey = open_survey()
    api = client(ctx.admin)
    for org, answers in (
        (ctx.org_a, {"overall": 5, "desk": 4}),
        (ctx.org_a, {"overall": 4, "desk": 4}),
        (ctx.org_b, {"overall": 2, "desk": 1, "comment": "Too slow"}),
    ):
        r = api.post(
            "/api/v1/survey-responses/",
            {"survey": survey.pk, "customer": org.pk, "service": svc.pk, "answers": answers},
            format="json",
        )
        assert r.status_code == 201, r.json()
    analysis = api.get(f"/api/v1/surveys/{survey.pk}/analysis/").json()
    assert analysis["responses"] == 3
    assert analysis["mean_score"] == round((4.5 + 4 + 1.5) / 3, 2)
    assert analysis["by_customer"] == [
        {"id": ctx.org_a.pk, "name": ctx.org_a.name, "responses": 2, "mean_score": 4.25},
        {"id": ctx.org_b.pk, "name": ctx.org_b.name, "responses": 1, "mean_score": 1.5},
    ]
    assert analysis["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert analysis["low_scores"] == 1
    opportunity = ImprovementOpportunity.objects.get()
    assert opportunity.customer == ctx.org_b and "Too slow" in opportunity.description
    # A customer reads the survey it answered, and the analysis of its own organization's responses only.
    mine = client(ctx.customer_b).get(f"/api/v1/surveys/{survey.pk}/analysis/").json()
    assert mine["responses"] == 1 and [r["name"] for r in mine["by_customer"]] == [ctx.org_b.name]
    assert client(ctx.customer_b).get("/api/v1/survey-responses/").json()["count"] == 1
    outsider = factories.organization("Never asked", "customer")
    stranger = factories.user("stranger", outsider, ["customer"])
    assert client(stranger).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404


def test_bad_answers_are_refused_and_nothing_written(ctx):
    survey = open_survey()
    api = client(ctx.admin)
    bad = api.post(
        "/api/v1/survey-responses/",
        {"survey": survey.pk, "customer": ctx.org_a.pk, "answers": {"overall": 7, "unknown": 1}},
        format="json",
    )
    assert bad.status_code == 400
    text = str(bad.json()["answers"])
    assert "overall" in text and "unknown" in text and "desk" in text
    assert SurveyResponse.objects.count() == 0 and ImprovementOpportunity.objects.count() == 0


def test_survey_questions_validated(ctx):
    api = client(ctx.admin)
    bad = api.post(
        "/api/v1/surveys/",
        {"title": "x", "questions": [{"id": "a", "text": "Why?", "type": "text"}]},
        format="json",
    )
    assert bad.status_code == 400 and "scale" in str(bad.json()["questions"])


def test_invited_response_marks_the_invitation(ctx):
    factories.person("Only contact", ctx.org_a)
    survey = open_survey()
    [invitation] = services.survey_round_send(actor=None, survey=survey, sample_size=1, seed=1)
    services.survey_response_submit(
        actor=None, data={"survey": survey, "invitation": invitation, "answers": {"overall": 4, "desk": 4}}
    )
    invitation.refresh_from_db()
    assert invitation.responded is True
    assert SurveyInvitation.objects.filter(responded=True).count() == 1
    analysis = client(ctx.admin).get(f"/api/v1/surveys/{survey.pk}/analysis/").json()
    assert analysis["invited"] == 1 and analysis["response_rate"] == 1.0


def test_relationship_manager_check(ctx):
    check = REGISTRY["relationships.customers_have_relationship_manager"]
    assert check.run().status == "not_met"
    core_services.record_create(
        model=CustomerRelationship,
        data={"customer": ctx.org_a, "relationship_manager": factories.person("RM", ctx.provider)},
        actor=None,
    )
    result = check.run()
    assert result.status == "partly_met" and ctx.org_b.name in result.message


def test_complaint_pages(ctx):
    from django.test import Client

    mine, theirs = complaint(ctx.org_a), complaint(ctx.org_b)
    browser = Client()
    browser.force_login(ctx.customer_a)
    # Customers follow their complaints in the portal (tests/portal); the staff pages send them there.
    assert browser.get(f"/portal/complaints/{mine.pk}/").status_code == 200
    assert browser.get(f"/portal/complaints/{theirs.pk}/").status_code == 404
    assert sent_to_portal(browser.get(f"/relationships/complaints/{mine.pk}/"))
    assert sent_to_portal(browser.get("/relationships/complaints/new/"))


def invite(survey, person, label="r1"):
    return core_services.record_create(
        model=SurveyInvitation,
        data={},
        derived={"survey": survey, "person": person, "customer": person.organization, "round_label": label},
        actor=None,
    )


def relationship(ctx):
    return core_services.record_create(
        model=CustomerRelationship,
        data={
            "customer": ctx.org_a,
            "relationship_manager": factories.person(factories.unique("RM"), ctx.provider),
        },
        actor=None,
    )


def survey_for_org_a(ctx):
    survey = open_survey()
    invite(survey, factories.person(factories.unique("Contact"), ctx.org_a))
    return survey


class TestInterestedPartyAPI(RecordAPISuite):
    endpoint = "interested-parties"
    model = InterestedParty
    writer_roles = ["relationship-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=InterestedParty,
            data={
                "customer": ctx.org_a,
                "name": "Pat Contact",
                "kind": "contact",
                "interest": "Monthly reports",
            },
            actor=None,
        )

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "name": "Sam User", "kind": "user"}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "name": "", "kind": "boss"}

    def update_payload(self, ctx):
        return {"interest": "Uptime of the web shop"}


class TestComplaintDefinitionAPI(RecordAPISuite):
    endpoint = "complaint-definitions"
    model = ComplaintDefinition
    writer_roles = ["relationship-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=ComplaintDefinition,
            data={"customer": ctx.org_a, "definition": "Any written dissatisfaction"},
            actor=None,
        )

    def create_payload(self, ctx):
        org = factories.organization(factories.unique("Cust"), "customer")
        return {"customer": org.pk, "definition": "Any expression of dissatisfaction"}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "definition": ""}

    def update_payload(self, ctx):
        return {"agreed_on": "2026-01-15"}


class TestSurveyAPI(RecordAPISuite):
    endpoint = "surveys"
    model = Survey
    writer_roles = ["relationship-manager"]
    foreign_roles = ["catalog-manager"]
    deletable = False  # an open survey is kept (a draft may go: test_survey_lifecycle)

    def make(self, ctx):
        return survey_for_org_a(ctx)

    def create_payload(self, ctx):
        return {"title": "Pulse check", "questions": QUESTIONS}

    def invalid_payload(self, ctx):
        return {"title": "x", "questions": [{"id": "a", "text": "Why?", "type": "text"}]}

    def update_payload(self, ctx):
        return {"title": "Pulse check, spring"}


class TestComplaintPages(RecordUISuite):
    model = Complaint
    writer_roles = ["relationship-agent"]

    def make(self, ctx):
        return complaint(ctx.org_a)


class TestRelationshipPages(RecordUISuite):
    model = CustomerRelationship
    writer_roles = ["relationship-manager"]

    def make(self, ctx):
        return relationship(ctx)


class TestCommunicationPages(RecordUISuite):
    model = Communication
    writer_roles = ["relationship-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=Communication,
            data={"customer": ctx.org_a, "channel": "call", "summary": "Quarterly review"},
            actor=None,
        )


class TestSurveyPages(RecordUISuite):
    model = Survey
    writer_roles = ["relationship-manager"]

    def make(self, ctx):
        return survey_for_org_a(ctx)


def test_staff_name_the_complaining_customer(ctx):
    api = client(factories.user("agent", ctx.provider, ["relationship-agent"]))
    before = ChangeRecord.objects.count()
    response = api.post("/api/v1/complaints/", {"title": "Late", "description": "Again"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    assert ChangeRecord.objects.count() == before


def test_customer_complaint_form(ctx):
    # A customer complains through the portal's form (tests/portal) or the API; a provider-side field sent
    # through the API is refused by name.
    api = client(ctx.customer_a)
    refused = api.post(
        "/api/v1/complaints/",
        {"title": "Slow", "description": "Very", "resolution": "Ignore it"},
        format="json",
    )
    assert refused.status_code == 400 and "resolution" in refused.json()
    assert not Complaint.objects.exists()
    page = browser(ctx.customer_a)
    form = page.get("/portal/complaints/").context["form"]
    assert list(form.fields) == ["service", "title", "description"]
    done = page.post("/portal/complaints/", {"title": "Slow", "description": "Very"})
    assert done.status_code == 302
    assert Complaint.objects.get().customer == ctx.org_a


def test_escalation_goes_to_the_providers_people(ctx):
    c = complaint(ctx.org_a)
    outsider = factories.person("Their boss", ctx.org_b)
    api = client(ctx.admin)
    refused = api.post(
        f"/api/v1/complaints/{c.pk}/escalate/", {"reason": "Stuck", "to": outsider.pk}, format="json"
    )
    assert refused.status_code == 400 and "to" in refused.json()
    # The escalation fields are the escalation's to write, not an edit's.
    patched = api.patch(f"/api/v1/complaints/{c.pk}/", {"escalation_level": 3}, format="json")
    assert patched.status_code == 400 and patched.json() == {
        "escalation_level": ["You may not set this field."]
    }
    assert api.get(f"/api/v1/complaints/{c.pk}/").json()["escalation_level"] == 0


def test_customer_answers_through_its_own_invitation(ctx):
    me = core_services.record_create(
        model=Person,
        data={"name": "Cus Tomer", "organization": ctx.org_a, "user": ctx.customer_a},
        actor=None,
    )
    colleague = factories.person("Col League", ctx.org_a)
    survey = open_survey()
    mine, theirs = invite(survey, me), invite(survey, colleague)
    api = client(ctx.customer_a)
    answers = {"overall": 1, "desk": 2, "comment": "Nobody answers the phone"}
    wrong = api.post(
        "/api/v1/survey-responses/",
        {"survey": survey.pk, "invitation": theirs.pk, "answers": answers},
        format="json",
    )
    assert wrong.status_code == 400 and "invitation" in wrong.json()
    posed = api.post(
        "/api/v1/survey-responses/",
        {"survey": survey.pk, "invitation": mine.pk, "answers": answers, "respondent": colleague.pk},
        format="json",
    )
    assert posed.status_code == 400 and set(posed.json()) == {"respondent"}
    response = api.post(
        "/api/v1/survey-responses/",
        {"survey": survey.pk, "invitation": mine.pk, "answers": answers},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customer"], body["respondent"], body["score"]) == (ctx.org_a.pk, me.pk, "1.50")
    mine.refresh_from_db()
    assert mine.responded
    # The low score raised an improvement opportunity (the system's, which the customer does not see).
    opportunity = ImprovementOpportunity.objects.get()
    assert (opportunity.source_kind, opportunity.source_id) == ("survey", body["id"])
    assert "Nobody answers" in opportunity.description
    assert api.get("/api/v1/improvement-opportunities/").json()["count"] == 0
    # Answers are kept as given.
    url = f"/api/v1/survey-responses/{body['id']}/"
    assert (
        client(ctx.admin).patch(url, {"answers": {"overall": 5, "desk": 5}}, format="json").status_code == 405
    )


def test_customer_analysis_counts_only_its_own_organization(ctx):
    survey = open_survey()
    a = invite(survey, factories.person("A one", ctx.org_a))
    for i in range(3):
        invite(survey, factories.person(f"B {i}", ctx.org_b))
    services.survey_response_submit(
        actor=None, data={"survey": survey, "invitation": a, "answers": {"overall": 4, "desk": 4}}
    )
    staff = client(ctx.admin).get(f"/api/v1/surveys/{survey.pk}/analysis/").json()
    assert (staff["invited"], staff["response_rate"]) == (4, 0.25)
    mine = client(ctx.customer_a).get(f"/api/v1/surveys/{survey.pk}/analysis/").json()
    assert (mine["invited"], mine["response_rate"]) == (1, 1.0)
    assert [r["id"] for r in mine["by_customer"]] == [ctx.org_a.pk]
    assert sent_to_portal(browser(ctx.customer_a).get(f"/relationships/surveys/{survey.pk}/"))
    shown = client(ctx.customer_a).get(f"/api/v1/surveys/{survey.pk}/")
    assert shown.status_code == 200 and ctx.org_b.name not in shown.content.decode()
    invitations = client(ctx.customer_a).get("/api/v1/survey-invitations/").json()
    assert [row["customer"] for row in invitations["results"]] == [ctx.org_a.pk]
    assert client(ctx.admin).post("/api/v1/survey-invitations/", {}, format="json").status_code == 405


def test_survey_lifecycle(ctx):
    api = client(factories.user("rm", ctx.provider, ["relationship-manager"]))
    draft = api.post("/api/v1/surveys/", {"title": "Pulse", "questions": QUESTIONS}, format="json").json()
    url = f"/api/v1/surveys/{draft['id']}/"
    assert [t["name"] for t in api.get(f"{url}transitions/").json()] == ["open"]
    changed = [*QUESTIONS, {"id": "speed", "text": "Speed?", "type": "scale"}]
    assert api.patch(url, {"questions": changed}, format="json").status_code == 200
    opened = api.post(f"{url}transitions/", {"transition": "open"}, format="json")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    refused = api.patch(url, {"questions": QUESTIONS}, format="json")
    assert refused.status_code == 400 and "questions" in refused.json()
    assert api.delete(url).status_code == 400
    assert api.post(f"{url}close/").json()["status"] == "closed"
    assert api.post(f"{url}transitions/", {"transition": "open"}, format="json").status_code == 409
    other = api.post("/api/v1/surveys/", {"title": "Dropped", "questions": QUESTIONS}, format="json").json()
    assert api.delete(f"/api/v1/surveys/{other['id']}/").status_code == 204


def test_survey_page_offers_its_transitions(ctx):
    survey = core_services.record_create(
        model=Survey, data={"title": "Draft one", "questions": QUESTIONS}, actor=None
    )
    page = browser(ctx.admin)
    detail = page.get(f"/relationships/surveys/{survey.pk}/")
    assert [t.name for t in detail.context["transitions"]] == ["open"]
    page.post(f"/relationships/surveys/{survey.pk}/", {"transition": "open"})
    survey.refresh_from_db()
    assert survey.status == "open"


def test_communication_participants_are_the_providers_or_the_customers(ctx):
    api = client(ctx.admin)
    payload = {"customer": ctx.org_a.pk, "channel": "meeting", "summary": "Review"}
    stranger = factories.person("Someone else", ctx.org_b)
    refused = api.post("/api/v1/communications/", {**payload, "participants": [stranger.pk]}, format="json")
    assert refused.status_code == 400 and "participants" in refused.json()
    people = [factories.person("Ours", ctx.provider).pk, factories.person("Theirs", ctx.org_a).pk]
    done = api.post("/api/v1/communications/", {**payload, "participants": people}, format="json")
    assert done.status_code == 201 and sorted(done.json()["participants"]) == sorted(people)
    url = f"/api/v1/communications/{done.json()['id']}/"
    assert api.patch(url, {"participants": [stranger.pk]}, format="json").status_code == 400


def test_people_named_belong_to_the_customer(ctx):
    api = client(ctx.admin)
    stranger = factories.person("Someone else", ctx.org_b)
    party = api.post(
        "/api/v1/interested-parties/",
        {"customer": ctx.org_a.pk, "name": "X", "person": stranger.pk},
        format="json",
    )
    assert party.status_code == 400 and "person" in party.json()
    definition = api.post(
        "/api/v1/complaint-definitions/",
        {"customer": ctx.org_a.pk, "definition": "Any", "agreed_with": stranger.pk},
        format="json",
    )
    assert definition.status_code == 400 and "agreed_with" in definition.json()
    survey = open_survey()
    response = api.post(
        "/api/v1/survey-responses/",
        {
            "survey": survey.pk,
            "customer": ctx.org_a.pk,
            "respondent": stranger.pk,
            "answers": {"overall": 4, "desk": 4},
        },
        format="json",
    )
    assert response.status_code == 400 and "respondent" in response.json()


def test_relationship_stays_with_its_customer(ctx):
    rel = relationship(ctx)
    api = client(factories.user("rm", ctx.provider, ["relationship-manager"]))
    moved = api.patch(f"/api/v1/customer-relationships/{rel.pk}/", {"customer": ctx.org_b.pk}, format="json")
    assert moved.status_code == 400 and "customer" in moved.json()


def test_a_resolved_complaint_reaches_the_improvement_register_once(ctx):
    from servitium.improvement.models import ImprovementOpportunity

    c = complaint(ctx.org_a)
    api = client(ctx.admin)
    url = f"/api/v1/complaints/{c.pk}/transitions/"
    api.post(url, {"transition": "investigate"}, format="json")
    assert not ImprovementOpportunity.objects.exists()  # not before it is understood
    api.post(url, {"transition": "resolve", "resolution": "Credited", "findings": "Slow desk"}, format="json")
    raised = ImprovementOpportunity.objects.get()
    assert raised.source_kind == "complaint" and raised.source_id == c.pk
    assert c.reference in raised.description
    assert raised.customer == ctx.org_a and "Slow desk" in raised.description
    assert api.post(url, {"transition": "reopen"}, format="json").status_code == 200
    again = api.post(url, {"transition": "resolve", "resolution": "Credited again"}, format="json")
    assert again.status_code == 200 and ImprovementOpportunity.objects.count() == 1


def test_low_satisfaction_must_be_decided_on(ctx):
    import datetime as dt

    from django.utils import timezone

    from servitium.improvement.models import ImprovementOpportunity
    from servitium.relationships.models import SurveyResponse

    check = REGISTRY["relationships.satisfaction_results_analysed"]
    assert check.run().status == "not_applicable"
    survey = open_survey(low_score_threshold="3")
    low = services.survey_response_submit(
        actor=None,
        data={"survey": survey, "customer": ctx.org_a, "answers": {"overall": 1, "desk": 2}},
    )
    assert check.run().status == "not_applicable"  # 30 days to decide
    SurveyResponse.objects.filter(pk=low.pk).update(created=timezone.now() - dt.timedelta(days=40))
    result = check.run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [low.pk]
    ImprovementOpportunity.objects.filter(source_id=low.pk).update(
        status=ImprovementOpportunity.Status.APPROVED
    )
    assert check.run().status == "met"
