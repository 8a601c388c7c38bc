"""Fixtures of the information security tests: security staff with persons, a provider person to own
controls, an external supplier, and builders for controls, assessments, grants, security incidents and a
policy document in force."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from servitium.core import services as core_services
from servitium.documents import services as document_services
from servitium.incidents import services as incident_services
from servitium.risks import services as risk_services
from servitium.security.models import (
    AccessGrant,
    SecurityControl,
    SecurityRiskAssessment,
    SecuritySettings,
)
from tests import factories
from tests.changes.conftest import chg  # noqa: F401  (the change staff fixture, for the guard tests)
from tests.documents.conftest import person_user

TODAY = dt.date.today()


@pytest.fixture
def sec(ctx):
    return SimpleNamespace(
        manager=person_user("secm", "Sam Security", ctx.provider, ["security-manager"]),
        agent=person_user("seca", "Ada Agent", ctx.provider, ["security-agent"]),
        owner=factories.person("Olga Owner", ctx.provider),
        supplier=factories.organization("Backup Vendor", "supplier"),
        service=factories.service("Hosted Mail", customers=[ctx.org_a]),
    )


def control(identifier: str = "AC-1", **data) -> SecurityControl:
    return core_services.record_create(
        model=SecurityControl,
        data={},
        derived={
            "identifier": identifier,
            "title": f"Control {identifier}",
            "description": "Does it.",
            **data,
        },
        actor=None,
    )


def risk(owner, title: str = "Stolen admin credentials"):
    found = risk_services.risk_create(
        actor=None, data={"title": title, "owner": owner, "likelihood": 3, "impact": 4}
    )
    return risk_services.risk_transition(actor=None, instance=found, transition="assess")


def assessment(assessor, *, risks=(), controls=(), **data) -> SecurityRiskAssessment:
    return core_services.record_create(
        model=SecurityRiskAssessment,
        data={},
        derived={
            "date": TODAY - dt.timedelta(days=30),
            "scope": "All hosted services",
            "assessor": assessor,
            "next_due": TODAY + dt.timedelta(days=300),
            **data,
        },
        m2m={"risks": list(risks), "controls": list(controls)},
        actor=None,
    )


def grant(granted_by, organization, **data) -> AccessGrant:
    return core_services.record_create(
        model=AccessGrant,
        data={},
        derived={
            "organization": organization,
            "purpose": "Remote support of the backup appliances",
            "granted_by": granted_by,
            "valid_from": TODAY - dt.timedelta(days=30),
            **data,
        },
        actor=None,
    )


def security_incident(customer, **data):
    return incident_services.incident_create(
        actor=None,
        data={
            "title": "Phishing mail reached staff",
            "customer": customer,
            "is_security": True,
            "security_category": "phishing",
            "security_risk": 2,
            **data,
        },
    )


def settings(**data) -> SecuritySettings:
    return core_services.record_create(model=SecuritySettings, data={}, derived=data, actor=None)


def policy_in_force(author, approver, **data):
    """An information security policy document with a version in force written by `author` and approved by
    `approver` (users with persons), asking everyone to acknowledge it."""
    doc = document_services.document_create(
        actor=None,
        data={
            "title": "Information security policy",
            "kind": "policy",
            "requires_acknowledgement": True,
            "points_of_use": "Intranet and customer portal",
            "confidentiality": "public",
            **data,
        },
    )
    draft = document_services.version_create(actor=author, data={"document": doc, "body": "We protect."})
    document_services.version_transition(actor=author, instance=draft, transition="submit")
    document_services.version_transition(actor=approver, instance=draft, transition="approve", note="Fine")
    document_services.version_transition(actor=approver, instance=draft, transition="make_effective")
    doc.refresh_from_db()
    return doc
