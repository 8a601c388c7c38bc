"""Release checks follow the records; the release pages render and take the steps that need input."""

from __future__ import annotations

import pytest
from django.test import Client

from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, REGISTRY
from servitium.releases import services
from servitium.releases.models import Deployment, Release, ReleasePolicy
from tests import factories
from tests.base import sent_to_portal

from .test_api import _approved, new_release


def run(check_id: str):
    return REGISTRY[check_id].run()


@pytest.mark.django_db
def test_policy_check_follows_the_customers_of_live_services(stack, org_b):
    assert run("releases.policy_agreed").status == NOT_MET
    own = ReleasePolicy.objects.create(name="A", customer=stack.customer)
    assert run("releases.policy_agreed").status == NOT_MET  # written down, not yet agreed
    ReleasePolicy.objects.filter(pk=own.pk).update(agreed_on="2026-01-15")
    assert run("releases.policy_agreed").status == MET
    factories.service("Second", customers=[org_b])
    result = run("releases.policy_agreed")
    assert result.status == "partly_met" and result.figures == {
        "total": 2,
        "conforming": 1,
        "default_policy": False,
    }
    # The provider-wide default is agreed with nobody in particular: the second customer stays named.
    ReleasePolicy.objects.create(name="Default", agreed_on="2026-01-01")
    result = run("releases.policy_agreed")
    assert result.status == "partly_met" and "default policy applies" in result.message
    assert [(g.object_type, g.object_id) for g in result.gaps] == [("parties.organization", org_b.pk)]


@pytest.mark.django_db
def test_deployment_checks_follow_the_records(stack):
    assert run("releases.baseline_before_deployment").status == NOT_APPLICABLE
    release = _approved(new_release(services=[stack.service]))
    release = services.release_transition(actor=None, instance=release, transition="deploy")
    assert run("releases.baseline_before_deployment").status == MET
    # approved outside the lifecycle and without passed acceptance criteria: the check sees it
    assert run("releases.accepted_and_approved_before_deployment").status == NOT_MET
    release = services.release_transition(actor=None, instance=release, transition="complete")
    assert run("releases.success_measured").status == NOT_MET
    services.release_transition(
        actor=None, instance=release, transition="review", data={"review_notes": "ok"}
    )
    assert run("releases.success_measured").status == MET
    Deployment.objects.update(baseline=None)
    result = run("releases.baseline_before_deployment")
    assert result.status == NOT_MET and result.gaps[0].object_id == Deployment.objects.get().pk


@pytest.mark.django_db
def test_release_pages_and_steps_with_input(stack, release_staff):
    release = _approved(new_release(services=[stack.service]))
    browser = Client()
    browser.force_login(release_staff.agent)
    listing = browser.get("/releases/")
    assert listing.status_code == 200 and release.reference in listing.content.decode()
    assert "release-desk" in listing.content.decode()
    page = browser.get(f"/releases/{release.pk}/")
    assert page.status_code == 200
    browser.post(f"/releases/{release.pk}/", {"transition": "deploy", "environment": "eu-west"})
    assert Deployment.objects.get(release=release).environment == "eu-west"
    response = browser.post(
        f"/releases/{release.pk}/", {"transition": "fail", "failure_reason": ""}, follow=True
    )
    assert "Needed to" in response.content.decode()
    browser.post(f"/releases/{release.pk}/", {"transition": "fail", "failure_reason": "Disk full"})
    release.refresh_from_db()
    assert release.status == "failed" and release.failure_reason == "Disk full"
    assert "Baseline before deployment" in browser.get(f"/releases/{release.pk}/").content.decode()


@pytest.mark.django_db
def test_acceptance_results_recorded_from_the_release_page(stack, release_staff):
    release = new_release(services=[stack.service])
    browser = Client()
    browser.force_login(release_staff.agent)
    browser.post(f"/releases/{release.pk}/", {"criterion": "Smoke test passes"})
    criterion = release.acceptance_criteria.get()
    browser.post(
        f"/releases/{release.pk}/", {"criterion_id": criterion.pk, "result": "passed", "evidence": "12/12 ok"}
    )
    criterion.refresh_from_db()
    assert criterion.result == "passed" and criterion.tested_at is not None
    desk = Client()
    desk.force_login(release_staff.desk)
    desk.post(f"/releases/{release.pk}/", {"criterion": "Sneaky"})
    assert release.acceptance_criteria.count() == 1
    assert Release.objects.get(pk=release.pk).status == "planned"


@pytest.mark.django_db
def test_the_incident_queue_tells_agents_about_releases(stack, release_staff, customer_a):
    coming = _approved(new_release(title="Shop 2.1", services=[stack.service]))
    desk = Client()
    desk.force_login(release_staff.desk)
    page = desk.get("/incidents/").content.decode()
    assert "release-notice" in page and coming.reference in page
    customer = Client()
    customer.force_login(customer_a)
    assert sent_to_portal(customer.get("/incidents/"))
    assert coming.reference not in customer.get("/portal/").content.decode()
