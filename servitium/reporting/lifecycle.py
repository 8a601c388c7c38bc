"""The lifecycle of a service report and of the decisions and actions taken on it.

A report is generated (by the monthly job or on demand), then issued to its audience (which mails it);
generating the same period again supersedes the previous copy. Actions go open -> in progress -> done, or
are cancelled; a done or cancelled one may be reopened.
"""

from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import ReportAction, ServiceReport

S = ServiceReport.Status
REPORT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("issue", frozenset({S.GENERATED}), S.ISSUED, _lazy("Issue to the audience")),
        Transition("supersede", frozenset({S.GENERATED, S.ISSUED}), S.SUPERSEDED, _lazy("Supersede")),
    ],
)

A = ReportAction.Status
ACTION_WORKFLOW = Workflow(
    states=A.values,
    transitions=[
        Transition("start", frozenset({A.OPEN}), A.IN_PROGRESS, _lazy("Start")),
        Transition("complete", frozenset({A.OPEN, A.IN_PROGRESS}), A.DONE, _lazy("Done")),
        Transition("cancel", frozenset({A.OPEN, A.IN_PROGRESS}), A.CANCELLED, _lazy("Cancel")),
        Transition("reopen", frozenset({A.DONE, A.CANCELLED}), A.IN_PROGRESS, _lazy("Reopen")),
    ],
)
