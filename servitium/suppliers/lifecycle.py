"""Lifecycles of suppliers, supplier contracts and disputes."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import Dispute, Supplier, SupplierContract

S = Supplier.Status

SUPPLIER_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("deactivate", frozenset({S.ACTIVE}), S.INACTIVE, _("Deactivate")),
        Transition("reactivate", frozenset({S.INACTIVE}), S.ACTIVE, _("Reactivate")),
    ],
)

C = SupplierContract.Status


def _incomplete(contract) -> str | None:
    missing = contract.missing_items()
    if missing:
        return str(
            _("The contract cannot be activated; it does not state: %(items)s.")
            % {"items": "; ".join(missing)}
        )
    if contract.start_date is None:
        return str(_("The contract cannot be activated without a start date."))
    return None


CONTRACT_WORKFLOW = Workflow(
    states=C.values,
    transitions=[
        Transition("activate", frozenset({C.DRAFT}), C.ACTIVE, _("Activate"), guard=_incomplete),
        Transition("expire", frozenset({C.ACTIVE}), C.EXPIRED, _("Expire")),
        Transition(
            "terminate", frozenset({C.DRAFT, C.ACTIVE}), C.TERMINATED, _("Terminate"), action="delete"
        ),
    ],
)

D = Dispute.Status


def _no_resolution(dispute) -> str | None:
    return (
        None if dispute.resolution.strip() else str(_("Record the resolution before resolving the dispute."))
    )


DISPUTE_WORKFLOW = Workflow(
    states=D.values,
    transitions=[
        Transition("resolve", frozenset({D.OPEN}), D.RESOLVED, _("Resolve"), guard=_no_resolution),
        Transition("reopen", frozenset({D.RESOLVED}), D.OPEN, _("Reopen")),
        Transition("close", frozenset({D.RESOLVED}), D.CLOSED, _("Close")),
    ],
)
