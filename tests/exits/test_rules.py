"""The rules of exit plans: what agreement needs, terms kept as agreed, agreements of the customer only,
and disposal refused before the plan allows it, before the customer acknowledged its export, or for an item
the plan hands over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servitium.core.errors import ConflictError, TransitionNotAllowed
from servitium.core.models import ChangeRecord
from servitium.exits import services
from servitium.exits.models import DisposalRecord, ExitItem, ExitPlan
from tests import factories
from tests.base import client
from tests.exits.conftest import agreement, handed_over, item, plan

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _dispose(made, items, **data):
    return {
        "plan": made.pk,
        "exit_items": [i.pk for i in items],
        "scope": "Mailbox data in the service's storage, its backups and replicas",
        "includes_backups": True,
        "method": "crypto_shredding",
        "disposed_at": timezone.now().isoformat(),
        "evidence": "KMS key destruction log 2026-12",
        **data,
    }


def test_agreement_needs_the_inventory_a_contact_and_for_a_transfer_the_receiver(ctx, staff):
    bare = plan(ctx.org_a, items=0, kind="transfer_provider")
    with pytest.raises(TransitionNotAllowed, match="customer's contact"):
        services.plan_transition(
            actor=None, instance=bare, transition="agree", data={"agreed_by": staff.contact.pk}
        )
    services.plan_update(actor=None, instance=bare, data={"customer_contact": staff.contact})
    with pytest.raises(TransitionNotAllowed, match="receiving party"):
        services.plan_transition(
            actor=None, instance=bare, transition="agree", data={"agreed_by": staff.contact.pk}
        )
    services.plan_update(actor=None, instance=bare, data={"receiving_party": "Nimbus Cloud GmbH"})
    with pytest.raises(TransitionNotAllowed, match="inventory"):
        services.plan_transition(
            actor=None, instance=bare, transition="agree", data={"agreed_by": staff.contact.pk}
        )
    item(bare)
    agreed = services.plan_transition(
        actor=None,
        instance=bare,
        transition="agree",
        data={"agreed_by": staff.contact.pk, "agreed_on": "2026-11-30"},
    )
    assert agreed.status == "agreed" and agreed.agreed_on == dt.date(2026, 11, 30)


def test_agreed_terms_stay_as_agreed(ctx, staff):
    made = plan(ctx.org_a, contact=staff.contact)
    services.plan_transition(
        actor=None, instance=made, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    response = client(staff.manager).patch(
        f"/api/v1/exit-plans/{made.pk}/", {"dispose_not_before": str(YESTERDAY)}, format="json"
    )
    assert response.status_code == 409 and "dispose_not_before" in response.json()["detail"]
    ok = client(staff.manager).patch(
        f"/api/v1/exit-plans/{made.pk}/", {"receiving_party": "Own team"}, format="json"
    )
    assert ok.status_code == 200


def test_agreements_concerned_are_the_customers_own(ctx, staff):
    foreign = agreement(ctx.org_b, factories.service(factories.unique("Other"), customers=[ctx.org_b]))
    before = ChangeRecord.objects.count()
    response = client(staff.manager).post(
        "/api/v1/exit-plans/",
        {"customer": ctx.org_a.pk, "agreements": [staff.agreement.pk, foreign.pk]},
        format="json",
    )
    assert response.status_code == 400 and "agreements" in response.json()
    assert ChangeRecord.objects.count() == before
    good = client(staff.manager).post(
        "/api/v1/exit-plans/",
        {"customer": ctx.org_a.pk, "agreements": [staff.agreement.pk], "services": [staff.service.pk]},
        format="json",
    )
    assert good.status_code == 201, good.json()


def test_disposal_is_refused_before_the_plans_date(ctx, staff):
    made = handed_over(ctx, staff)  # disposal allowed only in 60 days
    dispose = made.items.get(action="dispose")
    before = ChangeRecord.objects.count()
    response = client(staff.manager).post(
        "/api/v1/disposal-records/", _dispose(made, [dispose]), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "disposal_refused"
    assert str(made.dispose_not_before) in response.json()["detail"]
    assert ChangeRecord.objects.count() == before and not DisposalRecord.objects.exists()
    with pytest.raises(ConflictError):
        services.item_complete(actor=staff.manager, instance=dispose)


def test_disposal_is_refused_before_the_customer_acknowledged_its_export(ctx, staff):
    made = handed_over(ctx, staff, dispose_from=YESTERDAY)
    made.exports.update(status="handed_over", acknowledged_at=None)
    response = client(staff.manager).post(
        "/api/v1/disposal-records/", _dispose(made, [made.items.get(action="dispose")]), format="json"
    )
    assert response.status_code == 409 and "acknowledged" in response.json()["detail"]


def test_an_item_to_hand_over_is_not_disposed_of(ctx, staff):
    made = handed_over(ctx, staff, dispose_from=YESTERDAY)
    kept = made.items.get(action="hand_over")
    response = client(staff.manager).post("/api/v1/disposal-records/", _dispose(made, [kept]), format="json")
    assert response.status_code == 400
    assert "not to dispose of" in response.json()["exit_items"][0]


def test_a_disposal_the_plan_allows_is_recorded_and_the_plan_closes(ctx, staff):
    made = handed_over(ctx, staff, dispose_from=YESTERDAY)
    dispose = made.items.get(action="dispose")
    response = client(staff.manager).post(
        "/api/v1/disposal-records/", _dispose(made, [dispose]), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["disposed_by"] == staff.manager.pk
    assert ExitItem.objects.get(pk=dispose.pk).done_at is not None
    services.plan_transition(actor=staff.manager, instance=made, transition="complete_disposal")
    closed = services.plan_transition(actor=staff.manager, instance=made, transition="close")
    assert closed.status == "closed" and closed.closed_at


def test_handover_items_must_be_to_hand_over(ctx, staff):
    made = plan(ctx.org_a, contact=staff.contact)
    doomed = item(made, action="dispose", description="Backups")
    services.plan_transition(
        actor=None, instance=made, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    with pytest.raises(ValidationError):
        services.handover_create(
            actor=None,
            data={
                "plan": made,
                "receiving_party": "A",
                "handed_over_at": timezone.now(),
                "channel": "download",
            },
            m2m={"exit_items": [doomed]},
        )


def test_a_draft_plan_is_deleted_but_an_agreed_one_stays(ctx, staff):
    draft = plan(ctx.org_a)
    assert client(staff.manager).delete(f"/api/v1/exit-plans/{draft.pk}/").status_code == 204
    agreed = plan(ctx.org_a, contact=staff.contact)
    services.plan_transition(
        actor=None, instance=agreed, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    assert client(staff.manager).delete(f"/api/v1/exit-plans/{agreed.pk}/").status_code == 409
    assert ExitPlan.objects.filter(pk=agreed.pk).exists()
