"""The exits demo: Elm Analytics' termination agreed, its export built, handed over and acknowledged, the
disposal pending until the plan's date; a transfer back in-house in draft with an overdue item; and it loads
twice unchanged."""

from __future__ import annotations

from django.utils import timezone

from servitium.core.checks import MET, NOT_APPLICABLE, REGISTRY
from servitium.exits import demo as exits_demo
from servitium.exits.models import DataExport, DisposalRecord, ExitItem, ExitPlan
from servitium.exits.verify import verify
from servitium.parties.models import User
from tests.base import browser


def test_the_demo_holds_a_termination_and_a_transfer_with_its_gap(db):
    elm = ExitPlan.objects.get(customer__name=exits_demo.ELM, kind="termination")
    assert elm.status == "handed_over" and elm.agreed_by.name == exits_demo.LENA
    assert elm.customer.kind == "customer"
    assert elm.customer.incidents.exists()
    export = DataExport.objects.get(plan=elm)
    assert export.status == "acknowledged" and export.size > 0
    with export.file.open("rb") as handle:
        assert verify(handle).ok
    assert elm.dispose_not_before > timezone.localdate()
    assert not DisposalRecord.objects.filter(plan=elm).exists()
    assert elm.items.filter(action="dispose", done_at__isnull=True).exists()
    transfer = ExitPlan.objects.get(kind="transfer_in_house")
    assert transfer.status == "draft"
    assert ExitItem.objects.filter(
        plan=transfer, done_at__isnull=True, due_on__lt=timezone.localdate()
    ).exists()
    assert REGISTRY["exits.inventory_on_time"].run().status != MET
    assert REGISTRY["exits.no_early_disposal"].run().status == NOT_APPLICABLE
    assert REGISTRY["exits.handed_over_exports_acknowledged"].run().status == MET


def test_the_demo_loads_again_unchanged(db):
    admin = User.objects.get(username="admin")
    before = (ExitPlan.objects.count(), ExitItem.objects.count(), DataExport.objects.count())
    exits_demo.load(actor=admin)
    assert (ExitPlan.objects.count(), ExitItem.objects.count(), DataExport.objects.count()) == before


def test_the_plan_page_shows_the_demo_exit(db):
    admin = User.objects.get(username="admin")
    elm = ExitPlan.objects.get(customer__name=exits_demo.ELM, kind="termination")
    page = browser(admin).get(elm.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Download" in text and "allowed from" in text
    transfer = ExitPlan.objects.get(kind="transfer_in_house")
    assert 'data-state="overdue"' in browser(admin).get(transfer.get_absolute_url()).content.decode()
