"""The lifecycles of budgets and charging statements, each in one transition table.

A budget: draft -> approved (by someone other than its author) -> back to draft to revise it. A charging
statement: draft -> approved (by someone other than its author) -> issued to the customer; an approved
statement may go back to draft; an issued one is final.
"""

from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import Approval, ChargingStatement

B = Approval
BUDGET_WORKFLOW = Workflow(
    states=B.values,
    transitions=[
        Transition("approve", frozenset({B.DRAFT}), B.APPROVED, _lazy("Approve")),
        Transition("revise", frozenset({B.APPROVED}), B.DRAFT, _lazy("Revise")),
    ],
)

S = ChargingStatement.Status
STATEMENT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("approve", frozenset({S.DRAFT}), S.APPROVED, _lazy("Approve")),
        Transition("revise", frozenset({S.APPROVED}), S.DRAFT, _lazy("Revise")),
        Transition("issue", frozenset({S.APPROVED}), S.ISSUED, _lazy("Issue to the customer")),
    ],
)
