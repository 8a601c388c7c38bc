"""The conformity UI: dashboard with heat map and trend, drill-down to evidence, scenario and plan views,
attestation and nonconformity pages; closed to customers."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from servitium.conformity import services
from servitium.conformity.models import Attestation, PlanItem, Requirement, Result
from servitium.core import services as core_services
from servitium.improvement import services as improvement_services
from tests import factories
from tests.base import sent_to_portal
from tests.cmdb.conftest import ci, ci_type


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_pages(ctx, manager):
    ci("web-01", ci_type("web server"), attributes={"os": "Debian 12", "cpu_cores": 2})
    browser = login(manager)
    assert browser.post("/conformity/").status_code == 302
    run = services.assessment_run(actor=None)
    requirement = Requirement.objects.filter(framework__slug="iso20000-1:2011").first()
    attestation = core_services.record_create(
        model=Attestation,
        data={
            "requirement": requirement,
            "statement": "Policy read by all staff.",
            "evidence": "Sign-in sheet of the briefing (attached).",
            "attested_by": factories.person("A", ctx.provider),
            "reviewed_by": factories.person("B", ctx.provider),
            "valid_from": dt.date(2026, 1, 1),
            "valid_until": dt.date(2026, 12, 31),
        },
        actor=None,
    )
    nc = improvement_services.nonconformity_open(
        kind="internal_audit", description="Audit finding", actor=None
    )
    evidence = Result.objects.get(
        assessment=run, requirement__framework__slug="iso20000-1:2011", requirement__identifier="9.1.s1"
    )
    item = PlanItem.objects.first()
    for url in (
        "/conformity/",
        "/conformity/?edition=iso20000-1:2011",
        f"/conformity/assessments/{run.pk}/",
        f"/conformity/assessments/{run.pk}/?status=not_met",
        f"/conformity/results/{evidence.pk}/",
        "/conformity/scenarios/",
        "/conformity/plan/",
        f"/conformity/plan/{item.pk}/",
        f"/conformity/plan/{item.pk}/edit/",
        "/conformity/attestations/",
        "/conformity/attestations/new/",
        f"/conformity/attestations/{attestation.pk}/",
        "/conformity/exclusions/",
    ):
        assert browser.get(url).status_code == 200, url
    # Nonconformities moved to the improvement register; the old addresses lead there (same ids).
    assert browser.get("/conformity/nonconformities/")["Location"] == "/sms/improvement/"
    assert browser.get(f"/conformity/nonconformities/{nc.pk}/")["Location"] == f"/sms/improvement/{nc.pk}/"
    dashboard = browser.get("/conformity/").content.decode()
    assert "9.1" in dashboard and run.reference in dashboard
    assert "Configuration management" in dashboard and "<td>configuration</td>" not in dashboard  # names
    assert "100 %" in dashboard  # the trend chart has its axis
    detail = browser.get(f"/conformity/assessments/{run.pk}/").content.decode()
    groups = [s for s in ("not met", "no evidence", "met</span>") if s in detail]
    assert detail.index(groups[0]) < detail.index(groups[-1])  # failures first
    assert (
        "page 1 of" in detail and browser.get(f"/conformity/assessments/{run.pk}/?page=2").status_code == 200
    )
    page = browser.get(f"/conformity/results/{evidence.pk}/").content.decode()
    assert "cmdb.ci_types_defined" in page and "web server" in page  # drill-down to the evidence
    scenarios = browser.get("/conformity/scenarios/").content.decode()
    assert "S01" in scenarios and "S15" in scenarios
    assert b"Conformity" in browser.get("/").content


def test_customers_and_other_areas_do_not_see_conformity(ctx):
    run = services.assessment_run(actor=None)
    for user in (ctx.customer_a,):  # sent to the portal: nothing of the assessment is theirs
        browser = login(user)
        assert sent_to_portal(browser.get("/conformity/"))
        assert sent_to_portal(browser.get(f"/conformity/assessments/{run.pk}/"))
    auditor = login(ctx.auditor)
    assert auditor.get("/conformity/").status_code == 200
    assert auditor.post("/conformity/").status_code == 404  # auditors read, never run
