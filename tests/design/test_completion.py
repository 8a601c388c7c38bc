"""What completing a transition does through the other apps' services: a new service goes live for its
customers; a removal retires the service, withdraws its offerings, terminates its agreements, informs its
customers, retires the CIs and notes the contracts its handover items name; a transfer marks the handover
done; a refusal from the catalogue stops the transition with nothing written."""

from __future__ import annotations

import pytest

from servitium.catalog.models import Offering, Service
from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed
from servitium.core.models import ChangeRecord, Comment
from servitium.design import services
from servitium.design.models import DesignProject, HandoverItem
from servitium.relationships.models import Communication
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.cmdb.conftest import ci, ci_type
from tests.design.conftest import move, release_for, to_acceptance
from tests.suppliers.test_suppliers import contract


def _accepted(ctx, staff, **kw) -> DesignProject:
    made = to_acceptance(ctx, staff, **kw)
    services.criterion_update(
        actor=None, instance=made.criteria.get(), data={"result": "met", "evidence": "OK"}
    )
    move(made, "pass_acceptance", staff.manager2)
    services.project_update(
        actor=None,
        instance=made,
        data={"transition_report": "Done in one window."},
        m2m={"releases": [release_for(made.service)]},
    )
    return made


def test_a_new_service_goes_live_for_its_customers(ctx, staff):
    made = _accepted(ctx, staff)
    move(made, "complete_transition", staff.manager)
    service = Service.objects.get(pk=staff.service.pk)
    assert service.status == "live" and list(service.customers.all()) == [ctx.org_a]
    logged = ChangeRecord.objects.filter(
        object_type="catalog.service", object_id=service.pk, actor=staff.manager
    )
    assert logged.filter(action="transition").exists()
    assert DesignProject.objects.get(pk=made.pk).transitioned_at is not None


def test_a_removal_retires_the_service_and_what_hangs_on_it(ctx, staff):
    service = factories.service("Legacy Hosting", customers=[ctx.org_a], status="live")
    offering = core_services.record_create(
        model=Offering,
        data={"service": service, "name": "Web space", "summary": "Old web space."},
        actor=None,
    )
    agreement = agreed(ctx.org_a, service)
    server = ci("legacy-web-01", ci_type("legacy server", {}), service=service, status="in_use")
    hosting = contract(ctx, [service])
    made = _accepted(ctx, staff, kind="removal", service=service)
    for data in (
        {"kind": "ci", "ci": server, "description": "Web server", "action": "retire"},
        {"kind": "contract", "contract": hosting, "description": "Hosting contract", "action": "reallocate"},
        {"kind": "data", "description": "Customer web files", "action": "transfer"},
    ):
        HandoverItem.objects.create(project=made, **data)
    move(made, "complete_transition", staff.manager)
    service.refresh_from_db()
    offering.refresh_from_db()
    agreement.refresh_from_db()
    server.refresh_from_db()
    assert service.status == "retired" and offering.status == "withdrawn"
    assert agreement.status == "terminated" and server.status == "retired"
    informed = Communication.objects.get(customer=ctx.org_a)
    assert made.reference in informed.summary
    assert Comment.objects.filter(object_id=hosting.pk, body__contains=made.reference).exists()
    open_items = list(made.handover_items.filter(done_at=None).values_list("description", flat=True))
    assert open_items == ["Customer web files"]  # data is handed over by people, then marked done
    for model, pk in (("catalog.service", service.pk), ("cmdb.configurationitem", server.pk)):
        assert ChangeRecord.objects.filter(object_type=model, object_id=pk, actor=staff.manager).exists()


def test_a_removal_refused_by_the_catalogue_writes_nothing(ctx, staff):
    service = factories.service("Shared Base", customers=[ctx.org_a], status="live")
    factories.service("Still Needs It", depends_on=[service], status="live")
    made = _accepted(ctx, staff, kind="removal", service=service)
    HandoverItem.objects.create(project=made, kind="knowledge", description="Runbooks", action="archive")
    with pytest.raises(TransitionNotAllowed, match="Still Needs It"):
        move(made, "complete_transition", staff.manager)
    assert DesignProject.objects.get(pk=made.pk).status == "transition"
    assert Service.objects.get(pk=service.pk).status == "live"


def test_a_transfer_marks_the_handover_done(ctx, staff):
    service = factories.service("Handed Over", customers=[ctx.org_a], status="live")
    made = _accepted(ctx, staff, kind="transfer", service=service)
    HandoverItem.objects.create(project=made, kind="knowledge", description="Runbooks", action="transfer")
    move(made, "complete_transition", staff.manager)
    assert not made.handover_items.filter(done_at=None).exists()
    assert Service.objects.get(pk=service.pk).status == "live"
