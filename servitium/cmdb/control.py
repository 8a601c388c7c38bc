"""Change control of configuration items: the extension point through which an installed change process
answers the CMDB's questions, so that configuration management never imports the process above it.

CIs of the types the change policy controls change only through an approved change that names them, or by
a configuration manager (2011 9.1 / 2018 8.2.6, 8.5.1.1). The CMDB states that rule here; which CI types are
controlled, which changes exist and which of them authorise an update are the change process's to say. It
registers itself in its `apps.ready()`:

    control.register(ChangeControl())

Without a change process, nothing is under change control and there is no change to name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core.errors import TransitionNotAllowed

from .models import CIType
from .resources import ConfigurationItemResource

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .models import ConfigurationItem


class ChangeProcess(Protocol):
    """What the CMDB asks of a change process."""

    def changes(self) -> QuerySet:
        """Every change record (a write may name any; whether it authorises is `authorises`)."""

    def approved_changes(self) -> QuerySet:
        """The changes that authorise updates of the CIs they name now (what a CI form offers)."""

    def controlled_types(self) -> QuerySet[CIType]:
        """The CI types under change control now (the one place that says so)."""

    def authorises(self, change: Any, ci: ConfigurationItem) -> bool:
        """Does `change` authorise updating `ci` now?"""


_process: ChangeProcess | None = None


def register(process: ChangeProcess) -> None:
    global _process
    _process = process


def process() -> ChangeProcess | None:
    return _process


def changes() -> QuerySet | None:
    """Change records a write may name (None: no change process is installed)."""
    return _process.changes() if _process is not None else None


def approved_changes() -> QuerySet | None:
    return _process.approved_changes() if _process is not None else None


def controlled_types() -> QuerySet[CIType]:
    return _process.controlled_types() if _process is not None else CIType.objects.none()


def with_control(queryset: QuerySet[CIType]) -> QuerySet[CIType]:
    """CI types annotated with `controlled`: whether they are under change control."""
    return queryset.annotate(controlled=Exists(controlled_types().filter(pk=OuterRef("pk"))))


def type_under_change_control(ci_type: CIType) -> bool:
    annotated = getattr(ci_type, "controlled", None)
    if annotated is not None:
        return annotated
    return controlled_types().filter(pk=ci_type.pk).exists()


def under_change_control(ci: ConfigurationItem) -> bool:
    """Is the CI's type under change control?"""
    return controlled_types().filter(pk=ci.ci_type_id).exists()


def may_bypass(actor: Any) -> bool:
    """Writes without an actor are the processes' own (a change applying its configuration updates passes the
    change); configuration managers and administrators update controlled CIs directly."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return permissions.area_allows(actor, ConfigurationItemResource.area, permissions.ALL)


def require_authorised(actor: Any, cis: Iterable[ConfigurationItem | None], change: Any = None) -> None:
    """Refuse a write touching CIs under change control unless `change` authorises it for each of them."""
    if may_bypass(actor) or _process is None:
        return
    controlled = [ci for ci in cis if ci is not None and under_change_control(ci)]
    if not controlled:
        return
    if change is not None and all(_process.authorises(change, ci) for ci in controlled):
        return
    refs = ", ".join(ci.reference for ci in controlled)
    if change is None:
        reason = _("%(cis)s: under change control; give the approved change that covers it (change).")
    else:
        reason = _("%(cis)s: under change control, and %(change)s is not approved or does not name it.")
    raise TransitionNotAllowed(reason % {"cis": refs, "change": getattr(change, "reference", change)})
