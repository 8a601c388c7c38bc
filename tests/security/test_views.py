"""The web UI of information security: generated page suites, the overview, the import page, the tile on
the assurance home page, and the panels on a security incident's and a change's page."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from servitium.core import services as core_services
from servitium.security.models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)
from tests import factories
from tests.base import RecordUISuite, browser
from tests.changes.conftest import change
from tests.security.conftest import TODAY, assessment, control, grant, security_incident, settings


def _person(ctx):
    return factories.person(factories.unique("Person"), ctx.provider)


class TestSecuritySettingsPages(RecordUISuite):
    model = SecuritySettings
    writer_roles = ["security-manager"]

    def make(self, ctx):
        return settings(objectives="Keep data safe")


class TestSecurityControlPages(RecordUISuite):
    model = SecurityControl
    writer_roles = ["security-agent"]

    def make(self, ctx):
        return control(factories.unique("C"), owner=_person(ctx), last_reviewed=TODAY)


class TestSecurityRiskAssessmentPages(RecordUISuite):
    model = SecurityRiskAssessment
    writer_roles = ["security-manager"]

    def make(self, ctx):
        return assessment(_person(ctx))


class TestSecurityIncidentLinkPages(RecordUISuite):
    model = SecurityIncidentLink
    writer_roles = ["security-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=SecurityIncidentLink,
            data={},
            derived={"incident": security_incident(ctx.org_a)},
            actor=None,
        )


class TestSecurityImpactAssessmentPages(RecordUISuite):
    model = SecurityImpactAssessment
    writer_roles = ["security-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=SecurityImpactAssessment,
            data={},
            derived={"change": change(factories.unique("Patch")), "impact": "low", "assessor": _person(ctx)},
            actor=None,
        )


class TestAccessGrantPages(RecordUISuite):
    model = AccessGrant
    writer_roles = ["security-manager"]

    def make(self, ctx):
        return grant(_person(ctx), ctx.org_a, last_reviewed=TODAY)


def test_overview_and_assurance_tile_show_overdue_reviews(ctx, sec):
    assert (
        browser(sec.agent).get("/assurance/security/controls/", {"review_overdue": "true"}).status_code == 200
    )
    late = control("LATE-1", last_reviewed=TODAY - dt.timedelta(days=500))
    control("OK-1", status="implemented", last_reviewed=TODAY)
    overdue = grant(sec.owner, sec.supplier, valid_from=TODAY - dt.timedelta(days=400))
    page = browser(sec.agent).get("/assurance/security/")
    assert page.status_code == 200
    assert late.identifier.encode() in page.content and overdue.reference.encode() in page.content
    home = browser(sec.agent).get("/assurance/")
    assert home.status_code == 200
    assert b"assurance-tile-security" in home.content
    assert b"1 control review overdue" in home.content and b"1 external access review overdue" in home.content
    assert (
        browser(factories.user("im", ctx.provider, ["incident-manager"]))
        .get("/assurance/security/")
        .status_code
        == 403
    )
    assert browser(ctx.customer_a).get("/assurance/security/")["Location"] == "/portal/"  # not a staff page


def test_import_page_refuses_a_bad_file_whole_and_takes_a_good_one(ctx, sec):
    page = browser(sec.agent)
    assert page.get("/assurance/security/controls/import/").status_code == 200
    bad = SimpleUploadedFile("c.csv", b"identifier,title,status\nA-1,Fine,\nA-2,Bad,done\n", "text/csv")
    refused = page.post("/assurance/security/controls/import/", {"format": "csv", "file": bad})
    assert refused.status_code == 400 and b"Row 3, column status" in refused.content
    assert not SecurityControl.objects.exists()
    good = SimpleUploadedFile("c.csv", b"identifier,title\nA-1,Fine\n", "text/csv")
    assert (
        page.post("/assurance/security/controls/import/", {"format": "csv", "file": good}).status_code == 302
    )
    assert SecurityControl.objects.filter(identifier="A-1").exists()
    reader = browser(factories.user("aud", ctx.provider, ["auditor"]))
    assert reader.get("/assurance/security/controls/import/").status_code == 403


def test_incident_page_shows_the_security_panel(ctx, sec):
    incident = security_incident(ctx.org_a)
    page = browser(sec.manager).get(incident.get_absolute_url())
    assert page.status_code == 200
    assert b"Not yet linked to controls and risks." in page.content
    core_services.record_create(
        model=SecurityIncidentLink,
        data={},
        derived={"incident": incident, "reviewed_by": sec.owner, "reviewed_on": TODAY},
        m2m={"controls": [control("MF-1")]},
        actor=None,
    )
    page = browser(sec.manager).get(incident.get_absolute_url())
    assert b"MF-1" in page.content and b"Reviewed by" in page.content
    plain = security_incident(ctx.org_a, is_security=False, security_category="", security_risk=None)
    assert b"incident-security" not in browser(sec.manager).get(plain.get_absolute_url()).content


def test_change_page_shows_the_security_impact(ctx, sec):
    settings(require_change_assessment=True)
    c = change("Open a port")
    page = browser(sec.manager).get(c.get_absolute_url())
    assert page.status_code == 200
    assert b"cannot be approved until its security impact is assessed" in page.content
    core_services.record_create(
        model=SecurityImpactAssessment,
        data={},
        derived={"change": c, "impact": "high", "notes": "Inbound exposure", "assessor": sec.owner},
        actor=None,
    )
    assert b"Inbound exposure" in browser(sec.manager).get(c.get_absolute_url()).content


def test_review_input_counts_the_period(ctx, sec):
    from django.template.loader import render_to_string

    from servitium.core.reviewinputs import review_inputs

    entry = next(i for i in review_inputs() if i.key == "security")
    assert set(entry.topics) == {"risks", "service_performance"}
    control("A-1", status="implemented", last_reviewed=TODAY)
    control("A-2", status="partial", last_reviewed=TODAY)
    security_incident(ctx.org_a)
    figures = entry.context(TODAY.replace(month=1, day=1), TODAY, sec.manager)
    assert (figures["implemented"], figures["partial"], figures["applicable"], figures["incidents"]) == (
        1,
        1,
        2,
        1,
    )
    assert (
        entry.context(TODAY - dt.timedelta(days=400), TODAY - dt.timedelta(days=300), sec.manager)[
            "incidents"
        ]
        == 0
    )
    assert "1 of 2 applicable controls implemented" in render_to_string(entry.template, {"panel": figures})
    assert entry.context(TODAY, TODAY, factories.user("cm", ctx.provider, ["catalog-manager"])) is None
