"""The conformity checks of documented information, both ways: a provider that keeps its documents well
sees the leaves met; a draft never approved, an overdue review and a team that has not acknowledged the
policy show as not met against the right leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.documents.models import Document
from tests.documents.conftest import document, in_force, keep_documents_well, version


def run(check_id: str):
    return REGISTRY[check_id].run()


def leaves_of(prefix: str) -> set[str]:
    return {r for c in REGISTRY.values() if c.id.startswith(prefix) for r in c.requirements}


def test_every_bound_requirement_is_a_known_requirement(db):
    from servitium.conformity.catalogue import iter_requirement_ids, load_catalogues

    known = set(iter_requirement_ids(load_catalogues()))
    assert leaves_of("documents.") <= known


@pytest.fixture
def kept_well(ctx, staff):
    """A provider that keeps its documents well (tests.documents.conftest.keep_documents_well)."""
    return keep_documents_well(staff)


def test_a_provider_that_keeps_documents_well_sees_every_leaf_met(kept_well):
    elsewhere = {"catalogue", "slas", "supplier_contracts"}  # other processes' records
    skipped = {f"documents.{name}_documented" for name in elsewhere}
    results = {
        c.id: c.run() for c in REGISTRY.values() if c.id.startswith("documents.") and c.id not in skipped
    }
    not_met = {k: (r.status, r.message) for k, r in results.items() if r.status not in (MET, NOT_APPLICABLE)}
    assert not_met == {}
    assert results["documents.policy_acknowledged"].status == MET
    assert results["documents.obsolete_marked"].status == NOT_APPLICABLE  # nothing replaced yet


def test_nothing_registered_reports_the_missing_policy_once(db):
    assert run("documents.policy_documented").status == NOT_MET
    assert run("documents.records_register_kept").status == NOT_MET
    # The policy's qualities and the documents' contents have nothing to judge yet.
    assert run("documents.policy_covers_2018_5.2.1.b").status == NOT_APPLICABLE
    assert run("documents.policy_acknowledged").status == NOT_APPLICABLE
    assert run("documents.processes_documented").status == NOT_APPLICABLE


def test_a_policy_without_a_version_in_force_fails_its_checks(db):
    document(title="Service management policy", kind="policy", sms_policy=True, requires_acknowledgement=True)
    assert run("documents.policy_covers_2018_5.2.1.b").status == NOT_MET
    assert run("documents.policy_acknowledged").status == NOT_MET
    assert run("documents.processes_documented").status == NOT_MET


def test_a_draft_never_approved_fails_approval_before_issue(kept_well, staff):
    draft_only = document(title="Service request procedure", kind="procedure")
    version(draft_only, staff.author)
    result = run("documents.documents_approved_before_issue")
    assert result.status == PARTLY_MET and "Service request procedure" in result.message
    assert [g.object_id for g in result.gaps] == [draft_only.pk]
    assert "iso20000-1:2011#4.3.2.a" in REGISTRY["documents.documents_approved_before_issue"].requirements


def test_an_overdue_review_fails_the_review_leaf(kept_well):
    from servitium.documents.models import Document

    late = Document.objects.get(title="changes process")
    Document.objects.filter(pk=late.pk).update(next_review=timezone.localdate() - dt.timedelta(days=10))
    result = run("documents.reviews_on_time")
    assert result.status == PARTLY_MET and [g.object_id for g in result.gaps] == [late.pk]
    assert REGISTRY["documents.reviews_on_time"].requirements == (
        "iso20000-1:2011#4.3.2.c",
        "iso20000-1:2018#7.5.2.c",
    )


def test_a_team_that_has_not_acknowledged_fails_awareness(kept_well, ctx):
    from servitium.parties.models import Team
    from tests.documents.conftest import person_user

    newcomer = person_user("newbie", "Nora Newcomer", ctx.provider, ["incident-agent"])
    night = core_services.record_create(
        model=Team,
        data={"name": "Night shift", "organization": ctx.provider},
        actor=None,
        m2m={"members": [newcomer.person]},
    )
    kept_well.distribution_teams.add(night)  # the policy reaches every team
    result = run("documents.policy_acknowledged")
    assert result.status == PARTLY_MET
    assert result.figures["teams_with_gaps"] == ["Night shift"]
    assert set(REGISTRY["documents.policy_acknowledged"].requirements) == {
        "iso20000-1:2011#4.1.2.e",
        "iso20000-1:2018#7.3.s1",
    }


def test_a_superseded_version_is_kept_and_marked(kept_well, staff):
    in_force(kept_well, staff.author, staff.approver, version="2.0")
    assert run("documents.obsolete_marked").status == MET
    # The new version asks everyone again.
    assert run("documents.policy_acknowledged").status == NOT_MET


def test_external_documents_and_series_rules_fail_when_incomplete(kept_well):
    from servitium.documents.models import Document, RecordSeries

    Document.objects.filter(kind="external").update(external_version="")
    assert run("documents.external_controlled").status == NOT_MET
    RecordSeries.objects.update(owner=None)
    assert run("documents.records_retrievable").status == NOT_MET


def test_confidential_policy_is_not_available(kept_well):
    from servitium.documents.models import Document

    Document.objects.filter(pk=kept_well.pk).update(confidentiality="confidential")
    assert run("documents.policy_available").status == NOT_MET


def test_named_procedures_are_found_by_their_clause_under_either_edition(ctx, staff):
    keep_documents_well(staff)
    major = "documents.major_incident_procedure"
    assert run(major).status == MET and "procedures" in run(major).message
    Document.objects.filter(title="Audit, improvement, complaint and major incident procedures").update(
        requirements=[]
    )
    for check_id in (
        "documents.audit_procedure",
        "documents.improvement_procedure",
        "documents.complaint_procedure",
    ):
        result = run(check_id)
        assert result.status == NOT_MET and "No procedure in force refers to" in result.message, check_id
    # an incident procedure (the whole of 8.6.1) is not the major incident procedure the leaf asks for
    incidents = document(title="Incident procedure", kind="procedure", requirements=["iso20000-1:2018#8.6.1"])
    in_force(incidents, staff.author, staff.approver)
    assert run(major).status == NOT_MET
    # 2011 clause 7.1 is not 7.10, and a procedure under 2011's number serves as well as 2018's
    complaints = document(title="Complaints", kind="procedure", requirements=["iso20000-1:2011#7.1"])
    assert run("documents.complaint_procedure").status == NOT_MET  # not in force yet
    in_force(complaints, staff.author, staff.approver)
    result = run("documents.complaint_procedure")
    assert result.status == MET and [e.object_id for e in result.evidence] == [complaints.pk]


def test_the_policy_names_its_criteria_for_improvement(kept_well):
    """2011 4.5.5.1.s1: the approved policy lists the obligation among those it addresses; a policy that
    does not is named."""
    from servitium.documents.models import Document

    check = "documents.policy_covers_2011_4.5.5.1.s1"
    assert run(check).status == "met"
    policy = Document.objects.get(sms_policy=True)
    Document.objects.filter(pk=policy.pk).update(
        requirements=[r for r in policy.requirements if not r.endswith("4.5.5.1.s1")]
    )
    result = run(check)
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [policy.pk]


def test_an_improvement_or_corrective_action_that_changes_the_sms_is_answered_by_an_approved_version(
    ctx, staff
):
    """2011 4.5.5.2 c and 2018 10.1 e: a completed action or a carried-out improvement marked as changing
    the SMS fails its rule, naming itself, until a version written for it (through the API) is approved."""
    from servitium.core import services as core_services
    from servitium.improvement import services as improvement
    from tests.base import client
    from tests.improvement.conftest import nonconformity, opportunity, to_action_done

    owner = staff.author.person
    for rule in ("documents.sms_changed_by_corrective_action", "documents.sms_changed_by_improvement"):
        assert run(rule).status == NOT_APPLICABLE
    nc = to_action_done(nonconformity(), owner)
    action = nc.actions.get()
    assert run("documents.sms_changed_by_corrective_action").status == NOT_APPLICABLE  # changes nothing
    core_services.record_update(instance=action, data={"changes_sms": True}, actor=None)
    result = run("documents.sms_changed_by_corrective_action")
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [action.pk]
    improved = opportunity(owner=owner)
    plan = {"target": "Half the password calls", "target_date": dt.date(2026, 12, 31)}
    improved = core_services.record_update(instance=improved, data=plan, actor=None)
    for name in ("approve", "start", "implement"):
        improved = improvement.opportunity_transition(actor=None, instance=improved, transition=name)
    core_services.record_update(instance=improved, data={"changes_sms": True}, actor=None)
    assert [g.object_id for g in run("documents.sms_changed_by_improvement").gaps] == [improved.pk]

    doc = document(title="Change management procedure", kind="procedure")
    api = client(staff.author)
    written = api.post(
        "/api/v1/document-versions/",
        {
            "document": doc.pk,
            "version": "2.0",
            "summary": "Emergency path restricted",
            "body": "...",
            "corrective_action": action.pk,
        },
        format="json",
    )
    assert written.status_code == 201, written.json()
    assert written.json()["corrective_action"] == action.pk
    # A draft is not the change yet.
    assert run("documents.sms_changed_by_corrective_action").status == NOT_MET
    from servitium.documents import services as documents
    from servitium.documents.models import DocumentVersion

    draft = DocumentVersion.objects.get(pk=written.json()["id"])
    documents.version_transition(actor=staff.author, instance=draft, transition="submit")
    documents.version_transition(actor=staff.approver, instance=draft, transition="approve", note="Fine")
    assert run("documents.sms_changed_by_corrective_action").status == MET
    in_force(doc, staff.author, staff.approver, version="2.1", improvement=improved)
    assert run("documents.sms_changed_by_improvement").status == MET
    listed = api.get("/api/v1/document-versions/", {"improvement": improved.pk}).json()["results"]
    assert [row["version"] for row in listed] == ["2.1"]


def test_knowledge_articles_are_kept_current_and_reachable(ctx, staff):
    """2018 7.6: a knowledge article counts once a version is in force and its review is not overdue; it
    is available when it names its point of use, reaches a team, people or the public, and is not
    confidential."""
    maintained, available = "documents.knowledge_maintained", "documents.knowledge_available"
    assert run(maintained).status == NOT_APPLICABLE  # no knowledge recorded: nothing to judge yet
    guide = document(title="VPN client troubleshooting", kind="knowledge")
    result = run(maintained)
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [guide.pk]  # a draft only
    in_force(guide, staff.author, staff.approver)
    assert run(maintained).status == MET
    assert [g.object_id for g in run(available).gaps] == [guide.pk]
    core_services.record_update(
        instance=guide,
        data={"points_of_use": "Service desk wiki"},
        m2m={"distribution_teams": [staff.team]},
        actor=None,
    )
    assert run(available).status == MET
    core_services.record_update(instance=guide, data={"confidentiality": "confidential"}, actor=None)
    assert [g.object_id for g in run(available).gaps] == [guide.pk]
    Document.objects.filter(pk=guide.pk).update(next_review=timezone.localdate() - dt.timedelta(days=1))
    assert [g.object_id for g in run(maintained).gaps] == [guide.pk]
