"""In a real browser, a release manager records an acceptance result, accepts, approves and deploys a release,
and sees the baseline the deployment took."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import CIType
from servitium.core import services as core_services
from servitium.releases import services as release_services
from servitium.releases.models import Deployment
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_release_from_acceptance_to_deployment(live_server, page):
    provider = factories.organization("Browser Provider", "provider")
    factories.user("rel_browser", provider, ["release-manager"])
    service = factories.service("Browser Shop")
    kind = core_services.record_create(
        model=CIType, data={"name": "browser kind", "description": "t", "attribute_schema": {}}, actor=None
    )
    cmdb_services.ci_create(actor=None, data={"name": "shop-web", "ci_type": kind, "service": service})
    release = release_services.release_create(
        actor=None,
        data={
            "title": "Shop 3.0",
            "planned_start": timezone.now() + dt.timedelta(days=2),
            "rollback_plan": "Redeploy 2.9",
        },
        m2m={"services": [service]},
    )
    release_services.criterion_create(actor=None, data={"release": release, "criterion": "Checkout works"})

    sign_in(page, live_server.url, "rel_browser")
    page.goto(f"{live_server.url}/releases/")
    page.get_by_role("link", name="Shop 3.0").first.click()
    page.get_by_role("button", name="Start build and test").click()
    page.wait_for_load_state()
    page.locator("#acceptance-criteria select[name=result]").select_option("passed")
    page.locator("#acceptance-criteria input[name=evidence]").fill("40 scenarios green")
    page.locator("#acceptance-criteria").get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Approve for deployment").click()
    page.wait_for_load_state()
    page.fill("#step-deploy", "production-eu")
    page.get_by_role("button", name="Start deployment").click()
    page.wait_for_load_state()
    assert "Baseline before deployment" in page.locator("#release-deployments").inner_text()
    deployment = Deployment.objects.get(release=release)
    assert deployment.environment == "production-eu" and deployment.baseline.items.count() == 1
