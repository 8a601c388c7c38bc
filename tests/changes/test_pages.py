"""Generated page suites for change management's records, and what the declarations decide on the pages:
the schedule of change (API, calendar, CAB view, feed) is for whoever may read changes, the changes of a CI
show on the CI's page (a panel of change management), and a CI edit under change control names its
change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servitium.changes import services
from servitium.changes.models import (
    BlackoutWindow,
    Change,
    ChangeAdvisoryBoard,
    ChangeConfigurationUpdate,
    ChangePolicy,
    StandardChangeTemplate,
)
from servitium.cmdb.models import CIType, ConfigurationItem
from servitium.core import services as core_services
from tests import factories
from tests.base import RecordUISuite, client, sent_to_portal
from tests.cmdb.conftest import ci, ci_type

from .conftest import change


def web(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def _ci() -> ConfigurationItem:
    kind = CIType.objects.filter(name="page kind").first() or ci_type("page kind", {})
    return ConfigurationItem.objects.filter(name="page ci").first() or ci("page ci", kind)


class TestChangePages(RecordUISuite):
    model = Change
    writer_roles = ["change-agent"]

    def make(self, ctx):
        owner = factories.person(factories.unique("Owner"), ctx.provider)
        start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
        return services.change_create(
            actor=None,
            data={
                "title": "Upgrade the relay",
                "owner": owner,
                "risk_level": "low",
                "planned_start": start,
                "planned_end": start + dt.timedelta(hours=2),
            },
            m2m={"affected_cis": [_ci()]},
        )


class TestChangePolicyPages(RecordUISuite):
    model = ChangePolicy
    writer_roles = ["change-manager"]

    def make(self, ctx):
        return services.policy_create(
            actor=None,
            data={
                "name": factories.unique("Policy"),
                "normal_authority": "manager",
                "major_authority": "manager",
                "emergency_authority": "manager",
            },
        )


class TestChangeAdvisoryBoardPages(RecordUISuite):
    model = ChangeAdvisoryBoard
    writer_roles = ["change-manager"]

    def make(self, ctx):
        member = factories.person(factories.unique("Member"), ctx.provider)
        return core_services.record_create(
            model=ChangeAdvisoryBoard,
            data={"name": factories.unique("CAB"), "kind": "cab"},
            actor=None,
            m2m={"members": [member]},
        )


class TestStandardChangeTemplatePages(RecordUISuite):
    model = StandardChangeTemplate
    writer_roles = ["change-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=StandardChangeTemplate,
            data={"name": factories.unique("Restart"), "implementation_steps": "Drain, restart, check"},
            actor=None,
        )


class TestBlackoutWindowPages(RecordUISuite):
    model = BlackoutWindow
    writer_roles = ["change-manager"]

    def make(self, ctx):
        start = timezone.now().replace(microsecond=0)
        return core_services.record_create(
            model=BlackoutWindow,
            data={"name": "Year end", "start": start, "end": start + dt.timedelta(days=2)},
            actor=None,
            m2m={"customers": [ctx.org_a]},
        )


class TestChangeConfigurationUpdatePages(RecordUISuite):
    model = ChangeConfigurationUpdate
    writer_roles = ["change-agent"]

    def make(self, ctx):
        planned = services.change_create(actor=None, data={"title": "Upgrade"}, m2m={"affected_cis": [_ci()]})
        return services.configuration_update_create(
            actor=None, data={"change": planned, "ci": _ci(), "field": "version", "new_value": "2.0"}
        )


@pytest.mark.django_db
def test_the_schedule_is_for_whoever_may_read_changes(chg, ctx):
    outsider = factories.user("desk", ctx.provider, ["incident-agent"])
    for user in (ctx.customer_a, outsider):
        assert client(user).get("/api/v1/change-schedule/").status_code == 403
    for name in ("changes:change_calendar", "changes:change_board", "changes:schedule_ics"):
        assert sent_to_portal(web(ctx.customer_a).get(reverse(name)))  # customers: the portal instead
    assert web(outsider).get(reverse("changes:change_calendar")).status_code == 404
    assert web(outsider).get(reverse("changes:change_board")).status_code == 404
    assert web(outsider).get(reverse("changes:schedule_ics")).status_code == 403
    for user in (chg.agent, factories.user("cfg", ctx.provider, ["configuration-agent"]), ctx.auditor):
        assert client(user).get("/api/v1/change-schedule/").status_code == 200
        assert web(user).get(reverse("changes:change_calendar")).status_code == 200


@pytest.mark.django_db
def test_a_cis_page_shows_its_changes_to_those_who_read_changes(chg, ctx):
    named = change("Patch the app", cis=[chg.app])
    other = change("Elsewhere", cis=[chg.lone])
    page = web(chg.agent).get(chg.app.get_absolute_url()).content.decode()
    panel = page.split('id="ci-changes"')[1].split("</div>")[0]
    assert named.reference in panel and other.reference not in panel
    assert 'data-testid="under-change-control"' in panel  # chg.app's type is in the active policy
    assert f"?affected_cis={chg.app.pk}" in panel  # raise a change about it
    assert sent_to_portal(web(ctx.customer_a).get(chg.app.get_absolute_url()))
    configuration = factories.user("cfg-reader", ctx.provider, ["configuration-agent"])  # reads changes
    assert named.reference in web(configuration).get(chg.app.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_ci_edit_offers_only_approved_changes(chg, ctx):
    agent = factories.user("cfg_agent", ctx.provider, ["configuration-agent"])
    draft = change("Not yet", cis=[chg.vm])
    approved = change("Resize", cis=[chg.vm])
    Change.objects.filter(pk=approved.pk).update(status="approved")  # set-up: approval has its own tests
    form = web(agent).get(reverse("cmdb:ci_edit", args=[chg.vm.pk])).context["form"]
    assert "change" not in form.fields  # not a field of the CI: the authority for the write
    offered = set(form.change_field.queryset)
    assert approved in offered and draft not in offered
    page = web(agent).post(
        reverse("cmdb:ci_edit", args=[chg.vm.pk]),
        {
            "name": chg.vm.name,
            "ci_type": chg.vm.ci_type_id,
            "status": "in_use",
            "attributes": "{}",
            "change": draft.pk,
        },
    )
    assert page.status_code == 400 and "Change:" in page.content.decode()


@pytest.mark.django_db
def test_transition_inputs_are_not_written_directly(chg):
    """Why a change failed, its review and the reason to work in a blackout window come with the transition
    that needs them; a direct write is refused by name."""
    c = change(cis=[chg.lone])
    api = client(chg.agent)
    for name, value in (
        ("blackout_override_reason", "I say so"),
        ("failure_reason", "x"),
        ("review_notes", "fine"),
        ("objectives_met", True),
    ):
        response = api.patch(f"/api/v1/changes/{c.pk}/", {name: value}, format="json")
        c.refresh_from_db()
        assert getattr(c, name) in ("", None), name
        assert response.status_code == 400 and name in response.json(), name
    assert api.patch(f"/api/v1/changes/{c.pk}/", {"status": "approved"}, format="json").status_code == 400
