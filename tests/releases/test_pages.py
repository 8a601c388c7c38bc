"""Generated page suites of release management (list, detail, forms from the declarations), and what the
release pages show beyond them."""

from __future__ import annotations

import pytest

from servitium.releases.models import Release, ReleasePolicy
from servitium.releases.resources import RELEASE_PLAN
from tests.base import RecordUISuite, browser, client, sent_to_portal

from .conftest import change
from .test_api import _approved, new_release


class TestReleasePages(RecordUISuite):
    model = Release
    writer_roles = ["release-agent"]

    def make(self, ctx):
        return new_release(description="Checkout rewrite")


class TestReleasePolicyPages(RecordUISuite):
    model = ReleasePolicy
    writer_roles = ["release-manager"]

    def make(self, ctx):
        return ReleasePolicy.objects.create(name="A's policy", customer=ctx.org_a, release_types=["minor"])


@pytest.mark.django_db
def test_the_release_form_holds_the_plan_and_the_edit_form_the_review_notes(release_staff):
    page = browser(release_staff.agent)
    created = page.get("/releases/new/")
    assert list(created.context["form"].fields) == list(RELEASE_PLAN)
    release = new_release()
    edited = page.get(f"/releases/{release.pk}/edit/")
    assert list(edited.context["form"].fields) == [*RELEASE_PLAN, "review_notes"]


@pytest.mark.django_db
def test_a_deployed_release_keeps_its_plan_but_its_notes_may_be_completed(stack, release_staff):
    from servitium.releases import services

    release = _approved(new_release(services=[stack.service]))
    services.release_transition(actor=None, instance=release, transition="deploy")
    page = browser(release_staff.agent)
    form = page.get(f"/releases/{release.pk}/edit/").context["form"]
    posted = {name: form[name].value() for name in form.fields}
    posted = {k: v for k, v in posted.items() if v is not None}
    posted["review_notes"] = "Deployment went to plan"
    response = page.post(f"/releases/{release.pk}/edit/", posted)
    assert response.status_code == 302, response.content.decode()[:2000]
    release.refresh_from_db()
    assert release.review_notes == "Deployment went to plan"
    posted["title"] = "Renamed after the fact"
    refused = page.post(f"/releases/{release.pk}/edit/", posted)
    assert refused.status_code == 400 and "can no longer change" in refused.content.decode()
    assert Release.objects.get(pk=release.pk).title == release.title


@pytest.mark.django_db
def test_the_desk_reads_a_release_without_the_names_of_changes_it_may_not_see(stack, release_staff):
    bundled = change("Secret migration", "approved", cis=[stack.db])
    release = new_release(services=[stack.service], changes=[bundled])
    desk = browser(release_staff.desk).get(f"/releases/{release.pk}/")
    assert desk.status_code == 200 and "Secret migration" not in desk.content.decode()
    manager = browser(release_staff.manager).get(f"/releases/{release.pk}/")
    assert "Secret migration" in manager.content.decode()


def _listed(page, **params) -> list[str]:
    response = page.get("/releases/", params)
    assert response.status_code == 200
    return [row["obj"].reference for row in response.context["rows"]]


@pytest.mark.django_db
def test_release_list_filters_and_sorts_with_the_api_parameters(release_staff):
    minor = new_release(title="Minor one", release_type="minor")
    major = new_release(title="Major one", release_type="major")
    page = browser(release_staff.desk)
    assert _listed(page, release_type="major") == [major.reference]
    assert _listed(page, search="Minor") == [minor.reference]
    assert _listed(page, ordering="-title") == [minor.reference, major.reference]
    assert _listed(page, ordering="title") == [major.reference, minor.reference]


@pytest.mark.django_db
def test_a_customer_reads_its_own_policy_only(ctx):
    own = ReleasePolicy.objects.create(name="A's policy", customer=ctx.org_a)
    other = ReleasePolicy.objects.create(name="B's policy", customer=ctx.org_b)
    default = ReleasePolicy.objects.create(name="Default policy")
    assert sent_to_portal(browser(ctx.customer_a).get(own.get_absolute_url()))  # staff page: to the portal
    page = client(ctx.customer_a)
    assert page.get(f"/api/v1/release-policies/{own.pk}/").status_code == 200
    assert page.get(f"/api/v1/release-policies/{other.pk}/").status_code == 404
    assert page.get(f"/api/v1/release-policies/{default.pk}/").status_code == 404
    assert page.patch(f"/api/v1/release-policies/{own.pk}/", {"name": "x"}, format="json").status_code in (
        403,
        405,
    )
    assert page.get("/api/v1/release-policies/").status_code == 200


@pytest.mark.django_db
def test_releases_filter_by_success_on_the_list_and_in_the_api(release_staff):
    good, bad, open_ = (new_release(title=t) for t in ("Good", "Bad", "Open"))
    Release.objects.filter(pk=good.pk).update(successful=True)
    Release.objects.filter(pk=bad.pk).update(successful=False)
    page = browser(release_staff.desk)
    choices = {
        f["name"]: [v for v, _label in f["choices"]] for f in page.get("/releases/").context["filters"]
    }
    assert choices["successful"] == ["true", "false", "open"]
    api = client(release_staff.desk)
    for value, expected in (("true", good), ("false", bad), ("open", open_)):
        assert _listed(page, successful=value) == [expected.reference]
        rows = api.get("/api/v1/releases/", {"successful": value}).json()["results"]
        assert [r["reference"] for r in rows] == [expected.reference]
    assert api.get("/api/v1/releases/", {"successful": "maybe"}).status_code == 400
