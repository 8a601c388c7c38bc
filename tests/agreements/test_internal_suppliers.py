"""Internal groups and customers acting as suppliers (2011 6.1.s10-s11; 2018 8.3.4.2): a component they
provide needs an agreed agreement with targets no looser than the customers', measured within its interval."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.agreements import services
from servitium.agreements.models import TargetPerformance
from servitium.catalog import services as catalog_services
from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from tests import factories
from tests.agreements.test_agreements import agreed, draft


def run(check: str):
    return REGISTRY[check].run()


def internal(group, service, resolution_p1=8 * 3600):
    agreement = draft(group, service, kind="internal")
    services.target_create(
        actor=None,
        data={
            "agreement": agreement,
            "metric": "resolution_time",
            "priority": 1,
            "target_value": resolution_p1,
        },
    )
    return services.agreement_transition(actor=None, instance=agreement, transition="agree")


def _component(service, org):
    return catalog_services.component_create(
        actor=None, data={"service": service, "name": f"Payroll data from {org.name}", "provided_by": org}
    )


def test_a_component_from_an_internal_group_needs_an_agreement(ctx):
    assert run("agreements.internal_suppliers_agreed").status == "not_applicable"
    finance = factories.organization(factories.unique("Finance"), "internal")
    service = factories.service(factories.unique("Payroll"), customers=[ctx.org_a])
    _component(service, finance)
    result = run("agreements.internal_suppliers_agreed")
    assert result.status == "not_met" and "Payroll data" in result.message
    internal(finance, service)
    assert run("agreements.internal_suppliers_agreed").status == "met"


def test_an_internal_target_looser_than_the_customers_is_named(ctx):
    finance = factories.organization(factories.unique("Finance"), "internal")
    service = factories.service(factories.unique("Payroll"), customers=[ctx.org_a])
    _component(service, finance)
    agreed(ctx.org_a, service, resolution_p1=4 * 3600)  # the customer's SLA: priority 1 in 4 hours
    ola = internal(finance, service, resolution_p1=8 * 3600)  # the internal group promises 8
    result = run("agreements.internal_targets_support_slas")
    assert result.status == "not_met" and ola.reference in result.message
    target = ola.targets.get()
    core_services.record_update(instance=target, data={"target_value": 2 * 3600}, actor=None)
    assert run("agreements.internal_targets_support_slas").status == "met"


def test_internal_suppliers_must_be_measured_within_their_interval(ctx):
    finance = factories.organization(factories.unique("Finance"), "internal")
    service = factories.service(factories.unique("Payroll"))
    _component(service, finance)
    ola = internal(finance, service)
    result = run("agreements.internal_suppliers_monitored")
    assert result.status == "not_met" and ola.reference in result.message
    now = timezone.now()
    TargetPerformance.objects.create(
        target=ola.targets.get(),
        period_start=now - dt.timedelta(days=400),
        period_end=now - dt.timedelta(days=ola.review_interval_days + 1),
    )
    assert run("agreements.internal_suppliers_monitored").status == "not_met"  # measured, but too long ago
    services.performance_record(period_start=now - dt.timedelta(days=30), period_end=now)
    assert run("agreements.internal_suppliers_monitored").status == "met"


def test_an_agreed_sla_on_a_retired_service_is_named(ctx):
    rule = REGISTRY["agreements.catalogue_aligned"]
    assert tuple(rule.requirements) == ("iso20000-1:2011#6.1.s8",)
    assert rule.run().status == "not_applicable"
    backup = factories.service("Backup", customers=[ctx.org_a])
    sla = agreed(ctx.org_a, backup)
    assert rule.run().status == "met"
    catalog_services.service_transition(actor=None, instance=backup, transition="retire")
    result = rule.run()
    assert result.status == "not_met"
    assert [(g.object_type, g.object_id) for g in result.gaps] == [
        ("agreements.servicelevelagreement", sla.pk)
    ]
