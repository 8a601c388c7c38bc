"""The nonconformity lifecycle: open until the corrective action is verified by a passing check (findings
raised by hand, e.g. from an audit, need the corrective action only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core.workflow import Transition, Workflow

from .models import Nonconformity
from .selectors import check_passed_since

S = Nonconformity.State


def _verified(nc: Nonconformity) -> str | None:
    if nc.check_id and check_passed_since(nc) is None:
        return _(
            "The corrective action is not verified yet: check %(check)s must pass for %(req)s in an "
            "assessment run after the last one that found the failure."
        ) % {"check": nc.check_id or "-", "req": nc.requirement.identifier}
    return None


NONCONFORMITY_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "close",
            frozenset({S.OPEN}),
            S.CLOSED,
            gettext_lazy("Close (corrective action verified)"),
            needs=("corrective_action",),
            guard=_verified,
        ),
    ],
)
