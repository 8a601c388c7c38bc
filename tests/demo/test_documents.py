"""The demo's documented information: about twenty documents in several versions, most staff acknowledging,
a records register, and exactly the three deliberate gaps, each against its own leaves."""

from __future__ import annotations

from servitium.core.checks import MET, NOT_APPLICABLE, REGISTRY
from servitium.documents.models import Document, DocumentAcknowledgement, DocumentVersion, RecordSeries


def test_demo_documents_and_their_gaps(db):
    assert 20 <= Document.objects.count() <= 24
    assert DocumentVersion.objects.filter(status="superseded").count() >= 5
    assert DocumentAcknowledgement.objects.count() >= 10
    assert 8 <= RecordSeries.objects.count() <= 10
    failing = {
        c.id: set(c.requirements)
        for c in REGISTRY.values()
        if c.id.startswith("documents.") and c.run().status not in (MET, NOT_APPLICABLE)
    }
    assert failing == {
        "documents.reviews_on_time": {"iso20000-1:2011#4.3.2.c", "iso20000-1:2018#7.5.2.c"},
        "documents.documents_approved_before_issue": {
            "iso20000-1:2011#4.3.2.a",
            "iso20000-1:2018#7.5.2.c",
            "iso20000-1:2018#7.5.1.b",
        },
        "documents.policy_acknowledged": {"iso20000-1:2011#4.1.2.e", "iso20000-1:2018#7.3.s1"},
        "documents.complaint_procedure": {"iso20000-1:2011#7.1.s7"},  # no complaint procedure written yet
        # the password-reset improvement's new request fulfilment procedure is that unapproved draft
        "documents.sms_changed_by_improvement": {"iso20000-1:2011#4.5.5.2.c", "iso20000-1:2018#10.1.e"},
        "documents.knowledge_available": {"iso20000-1:2018#7.6.s2"},  # the VPN guide is confidential
    }
    available = REGISTRY["documents.knowledge_available"].run()
    assert [g.label for g in available.gaps] == [
        str(Document.objects.get(title="VPN client troubleshooting guide"))
    ]
    assert REGISTRY["documents.knowledge_maintained"].run().status == MET
    # the corrective action's rota went into an approved version of the emergency change procedure
    assert REGISTRY["documents.sms_changed_by_corrective_action"].run().status == MET
    overdue = REGISTRY["documents.reviews_on_time"].run()
    assert [g.label for g in overdue.gaps] == [str(Document.objects.get(title="Problem management process"))]
    assert REGISTRY["documents.policy_acknowledged"].run().figures["teams_with_gaps"] == ["Cloud Operations"]


def test_demo_process_register_and_its_gaps(db):
    """Every service management process is registered; the request procedure is only a draft, demand
    management has no criteria, and service reporting follows last year's plan."""
    from servitium.sms.models import ProcessDefinition
    from servitium.sms.models.leadership import SERVICE_PROCESSES

    assert ProcessDefinition.objects.count() == len(SERVICE_PROCESSES)
    planned = REGISTRY["sms.processes_planned_and_controlled"].run()
    named = {g.label for g in planned.gaps}
    assert named == {"service request management", "demand management"}, planned.message
    assert "a procedure in force" in planned.message and "performance criteria" in planned.message
    aligned = REGISTRY["sms.process_plans_aligned"].run()
    assert [g.label for g in aligned.gaps] == ["service reporting"] and "2026" in aligned.message
