"""Generated suites for the REST resources of change management."""

from __future__ import annotations

import datetime as dt

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
from tests.base import RecordAPISuite
from tests.cmdb.conftest import ci, ci_type

FOREIGN = ["incident-manager", "configuration-manager"]


def _kind() -> CIType:
    return CIType.objects.filter(name="suite kind").first() or ci_type("suite kind", {})


def _ci() -> ConfigurationItem:
    return ConfigurationItem.objects.filter(name="suite ci").first() or ci("suite ci", _kind())


def _when(days: int = 3) -> str:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


class TestChangeAPI(RecordAPISuite):
    endpoint = "changes"
    model = Change
    writer_roles = ["change-agent"]
    foreign_roles = FOREIGN
    customer_visible = False
    deletable = False  # agents may not delete

    def make(self, ctx):
        return services.change_create(actor=None, data={"title": "Upgrade"}, m2m={"affected_cis": [_ci()]})

    def create_payload(self, ctx):
        return {
            "title": "Patch the mail relay",
            "category": "normal",
            "change_type": "ci_change",
            "affected_cis": [_ci().pk],
            "planned_start": _when(3),
            "planned_end": _when(4),
            "risk_level": "low",
        }

    def invalid_payload(self, ctx):
        return {"title": "Remove a service", "category": "normal", "change_type": "service_removal"}

    def update_payload(self, ctx):
        return {"risk_level": "medium", "implementation_plan": "Step 1, step 2"}


class TestChangePolicyAPI(RecordAPISuite):
    endpoint = "change-policies"
    model = ChangePolicy
    writer_roles = ["change-manager"]
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return services.policy_create(
            actor=None,
            data={
                "name": "Policy",
                "normal_authority": "manager",
                "emergency_authority": "manager",
                "major_authority": "manager",
            },
        )

    def create_payload(self, ctx):
        return {
            "name": "Policy 2",
            "normal_authority": "manager",
            "major_authority": "manager",
            "emergency_authority": "manager",
            "controlled_ci_types": [_kind().pk],
        }

    def invalid_payload(self, ctx):
        return {"name": "No board", "normal_authority": "cab"}

    def update_payload(self, ctx):
        return {"major_customer_threshold": 5, "review_within_days": 7}


class TestChangeAdvisoryBoardAPI(RecordAPISuite):
    endpoint = "change-advisory-boards"
    model = ChangeAdvisoryBoard
    writer_roles = ["change-manager"]
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(model=ChangeAdvisoryBoard, data={"name": "CAB"}, actor=None)

    def create_payload(self, ctx):
        person = factories.person(factories.unique("Member"), ctx.provider)
        return {"name": factories.unique("Board"), "kind": "cab", "members": [person.pk], "quorum": 1}

    def invalid_payload(self, ctx):
        return {"name": "Zero", "quorum": 0}

    def update_payload(self, ctx):
        return {"quorum": 3, "description": "Meets on Tuesdays"}


class TestStandardChangeTemplateAPI(RecordAPISuite):
    endpoint = "standard-change-templates"
    model = StandardChangeTemplate
    writer_roles = ["change-manager"]
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=StandardChangeTemplate,
            data={"name": "Add disk", "implementation_steps": "1. ..."},
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "name": factories.unique("Restart"),
            "implementation_steps": "Drain, restart, check",
            "allowed_ci_types": [_kind().pk],
        }

    def invalid_payload(self, ctx):
        return {"name": "No steps"}

    def update_payload(self, ctx):
        return {"description": "Low risk", "active": False}


class TestChangeConfigurationUpdateAPI(RecordAPISuite):
    endpoint = "change-configuration-updates"
    model = ChangeConfigurationUpdate
    writer_roles = ["change-agent"]
    foreign_roles = FOREIGN
    customer_visible = False
    deletable = False  # agents may not delete

    def _change(self):
        return services.change_create(actor=None, data={"title": "Upgrade"}, m2m={"affected_cis": [_ci()]})

    def make(self, ctx):
        return services.configuration_update_create(
            actor=None, data={"change": self._change(), "ci": _ci(), "field": "version", "new_value": "2.0"}
        )

    def create_payload(self, ctx):
        return {"change": self._change().pk, "ci": _ci().pk, "field": "version", "new_value": "3.1"}

    def invalid_payload(self, ctx):
        return {"change": self._change().pk, "ci": _ci().pk, "field": "attribute", "new_value": 1}

    def update_payload(self, ctx):
        return {"new_value": "3.2"}


class TestBlackoutWindowAPI(RecordAPISuite):
    endpoint = "blackout-windows"
    model = BlackoutWindow
    writer_roles = ["change-manager"]
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        start = timezone.now()
        return core_services.record_create(
            model=BlackoutWindow,
            data={"name": "Year end", "start": start, "end": start + dt.timedelta(days=2)},
            actor=None,
        )

    def create_payload(self, ctx):
        return {"name": "Black Friday", "start": _when(10), "end": _when(12), "customers": [ctx.org_a.pk]}

    def invalid_payload(self, ctx):
        return {"name": "Backwards", "start": _when(12), "end": _when(10)}

    def update_payload(self, ctx):
        return {"reason": "Retail peak"}
