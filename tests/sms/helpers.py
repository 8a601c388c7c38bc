"""Records of the management system for tests, made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from servitium.core import indicators
from servitium.core import services as core_services
from servitium.sms import services
from servitium.sms.models import (
    Commitment,
    CommunicationEntry,
    ContextIssue,
    PartyRequirement,
    ProcessRole,
    SmsSettings,
    Stakeholder,
)
from tests import factories

FIXED = {"value": Decimal("97.5")}


def fixed_indicator(start, end):
    return FIXED["value"]


def register_test_indicator() -> str:
    indicators.register("test_fixed", "Fixed test value", "%", fixed_indicator)
    return "test_fixed"


def person(ctx, name="Owner"):
    return factories.person(factories.unique(name), ctx.provider)


def issue(ctx, **extra):
    data = {
        "title": "Customers move to multi-cloud",
        "origin": "external",
        "category": "market",
        "description": "Two customers asked for exit plans.",
        "owner": person(ctx),
        **extra,
    }
    return core_services.record_create(model=ContextIssue, data=data, actor=None)


def stakeholder(ctx, **extra):
    data = {"name": factories.unique("Regulator"), "party_type": "regulator", **extra}
    return core_services.record_create(model=Stakeholder, data=data, actor=None)


def requirement(ctx, **extra):
    data = {
        "party": extra.pop("party", None) or stakeholder(ctx),
        "description": "Report data breaches within 72 hours",
        "source": "law",
        "how_addressed": "Security incident procedure",
        **extra,
    }
    return core_services.record_create(model=PartyRequirement, data=data, actor=None)


def scope(ctx, actor=None, version=None, services_=None):
    svc = services_ or [factories.service(factories.unique("Compute"))]
    return services.scope_create(
        actor=actor,
        data={"version": version or factories.unique("v"), "text": "All cloud services from Frankfurt."},
        m2m={"services": svc, "organizations": [ctx.org_a]},
    )


def commitment(ctx, **extra):
    data = {
        "area": "resources",
        "made_by": person(ctx, "CEO"),
        "description": "Approved two more engineers",
        "made_on": dt.date.today(),
        **extra,
    }
    return core_services.record_create(model=Commitment, data=data, actor=None)


def role(ctx, **extra):
    data = {"process": "incident", "activity": "Major incident handling", "raci": "R", **extra}
    if "person" not in data and "team" not in data:
        data["person"] = person(ctx)
    return services.process_role_create(actor=None, data=data)


def process(ctx, **extra):
    """A register entry, owned and with criteria; procedure, plan version and review as given."""
    data = {
        "process": "incident",
        "owner": person(ctx, "Process owner"),
        "performance_criteria": "95 % of priority-1 incidents answered within 15 minutes",
        "records_kept": "Incident records; monthly SLA report",
        **extra,
    }
    return services.process_definition_create(actor=None, data=data)


def settings(ctx, **extra):
    data = {
        "management_representative": person(ctx, "Rep"),
        "appointed_by": person(ctx, "CEO"),
        "duties": "Keeps the SMS conforming",
        "reports_to_top_management": "Monthly SMS report",
        **extra,
    }
    return services.settings_create(actor=None, data=data)


def objective(ctx, **extra):
    key = register_test_indicator()
    m2m = {"services": extra.pop("services", [])}
    data = {
        "title": "Keep resolution on target",
        "indicator": key,
        "comparator": ">=",
        "target_value": Decimal("95"),
        "tolerance": Decimal("2"),
        "owner": person(ctx),
        "due_date": dt.date.today() + dt.timedelta(days=200),
        "policy_basis": "We meet what we agreed",
        "actions": "Weekly queue review",
        "resources": "Service desk lead, 2 h a week",
        "evaluation": "Monthly figure against target",
        **extra,
    }
    return services.objective_create(actor=None, data=data, m2m=m2m)


def active_objective(ctx, **extra):
    obj = objective(ctx, **extra)
    return services.objective_transition(actor=None, instance=obj, transition="activate")


def plan(ctx):
    return services.plan_create(actor=None, data={"title": "SMS plan", "owner": person(ctx)})


def communication(ctx, **extra):
    data = {
        "subject": "Service performance",
        "timing": "monthly",
        "audience": "Customers",
        "direction": "external",
        "communicator": person(ctx),
        "channel": "report",
        **extra,
    }
    return core_services.record_create(model=CommunicationEntry, data=data, actor=None)


def sms_settings_exist() -> bool:
    return SmsSettings.objects.exists()


def accountable(ctx, process="incident", activity="Major incident handling"):
    return role(ctx, process=process, activity=activity, raci="A")


__all__ = ["ProcessRole"]
