"""An exit kept as the checks expect, for tests of other areas (the well-run provider): a termination
agreed with the customer, its data exported, handed over and acknowledged, disposed of once the plan
allowed it, and closed."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from servitium.exits import services
from servitium.exits.models import ExitPlan
from tests.exits.conftest import handed_over


def closed_exit(ctx, *, manager, contact) -> ExitPlan:
    staff = SimpleNamespace(manager=manager, contact=contact)
    made = handed_over(ctx, staff, dispose_from=timezone.localdate() - dt.timedelta(days=1))
    services.disposal_create(
        actor=manager,
        data={
            "plan": made,
            "scope": "All data and backups",
            "method": "overwrite",
            "disposed_at": timezone.now(),
        },
        m2m={"exit_items": list(made.items.filter(action="dispose"))},
    )
    services.plan_transition(actor=None, instance=made, transition="complete_disposal")
    return services.plan_transition(actor=None, instance=made, transition="close")
