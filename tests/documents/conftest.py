"""Fixtures of the documented-information tests: SMS staff with persons (an author and an approver), a
team, and builders for documents, versions brought into force, and record series."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from servitium.core import services as core_services
from servitium.documents import services
from servitium.documents.models import Document, RecordSeries
from servitium.parties.models import Team
from tests import factories


def person_user(username: str, name: str, org, roles: list[str]):
    """A user account with its person record (authors, approvers and readers are people)."""
    user = factories.user(username, org, roles)
    factories.person(name, org, user=user)
    user.refresh_from_db()
    return user


@pytest.fixture
def staff(ctx):
    author = person_user("author", "Anna Author", ctx.provider, ["sms-agent"])
    approver = person_user("approver", "Bert Approver", ctx.provider, ["sms-manager"])
    reader = person_user("reader", "Rita Reader", ctx.provider, ["incident-agent"])
    team = core_services.record_create(
        model=Team,
        data={"name": "Desk", "organization": ctx.provider},
        actor=None,
        m2m={"members": [reader.person]},
    )
    return SimpleNamespace(author=author, approver=approver, reader=reader, team=team)


def document(**data) -> Document:
    return services.document_create(
        actor=None, data={"title": "Incident management process", "kind": "process", **data}
    )


def version(doc: Document, author, **data):
    """A draft written by `author` (a user with a person)."""
    return services.version_create(
        actor=author, data={"document": doc, "body": "What we do.", "summary": "First", **data}
    )


def in_force(doc: Document, author, approver, **data):
    """A version written by `author`, approved by `approver` and in force today."""
    draft = version(doc, author, **data)
    services.version_transition(actor=author, instance=draft, transition="submit")
    services.version_transition(actor=approver, instance=draft, transition="approve", note="Fine")
    return services.version_transition(actor=approver, instance=draft, transition="make_effective")


def series(**data) -> RecordSeries:
    return core_services.record_create(
        model=RecordSeries,
        data={
            "name": "Incident records",
            "record_type": "incidents.incident",
            "location": "Servitium",
            "retention_months": 24,
            "disposal_method": "delete",
            **data,
        },
        actor=None,
    )


def keep_documents_well(staff=None, organization=None) -> Document:
    """A provider that keeps its documents well: the policy in force (acknowledged by everyone it reaches,
    public, listing the policy leaves), the plan, a process document per process, the key policies and
    plans, a control procedure, an external document, a knowledge article and a records register.
    Returns the policy.
    (Also used by the conformity suite's well-run provider.)"""
    from servitium.documents.checks import CORE_PROCESSES, POLICY_CONTENT

    if staff is None:
        author = person_user("doc_author", "Dora Author", organization, ["sms-agent"])
        approver = person_user("doc_approver", "Abe Approver", organization, ["sms-manager"])
        team = core_services.record_create(
            model=Team,
            data={"name": "SMS office", "organization": organization},
            actor=None,
            m2m={"members": [author.person, approver.person]},
        )
        staff = SimpleNamespace(author=author, approver=approver, reader=None, team=team)
    policy = document(
        title="Service management policy",
        kind="policy",
        sms_policy=True,
        requires_acknowledgement=True,
        confidentiality="public",
        points_of_use="Website and intranet",
        requirements=list(POLICY_CONTENT),
    )
    specs = [
        {"title": "SMS plan", "kind": "plan", "processes": ["sms"]},
        *({"title": f"{p} process", "kind": "process", "processes": [p]} for p in CORE_PROCESSES),
        {"title": "Change policy", "kind": "policy", "processes": ["changes"]},
        {"title": "Security policy", "kind": "policy", "processes": ["security"]},
        {"title": "Continuity plan", "kind": "plan", "processes": ["continuity"]},
        {
            "title": "Document control",
            "kind": "procedure",
            "requirements": ["iso20000-1:2011#4.3.2", "iso20000-1:2011#4.3.3"],
        },
        {
            "title": "Audit, improvement, complaint and major incident procedures",
            "kind": "procedure",
            "requirements": [
                "iso20000-1:2018#9.2",
                "iso20000-1:2018#10",
                "iso20000-1:2018#8.3.2",
                "iso20000-1:2018#8.6.1.s3",
            ],
        },
        {"title": "Datacentre SLA", "kind": "external", "source": "Stratos", "external_version": "2026-1"},
        {"title": "Known workarounds", "kind": "knowledge", "processes": ["incidents"]},  # 2018 7.6
    ]
    documents = [policy, *(document(points_of_use="Wiki", **spec) for spec in specs)]
    for doc in documents:
        core_services.record_update(
            instance=doc,
            data={"owner": staff.approver.person},
            m2m={"distribution_teams": [staff.team]},
            actor=None,
        )
        in_force(doc, staff.author, staff.approver)
    for user in (staff.author, staff.approver, staff.reader):
        if user is not None:
            services.acknowledgement_create(actor=user, data={"document": policy})
    series(owner=staff.approver.person)
    return policy
