"""Change management's answers to the CMDB's change control (servitium.cmdb.control), registered in
`apps.ready()`: which CI types the active policy controls, and which changes authorise an update of a CI."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from servitium.cmdb.models import CIType, ConfigurationItem

from . import lifecycle as L
from .models import Change


class ChangeControl:
    """The change process as the CMDB sees it (cmdb.control.ChangeProcess)."""

    def changes(self) -> QuerySet[Change]:
        return Change.objects.all()

    def approved_changes(self) -> QuerySet[Change]:
        """Approved or being implemented: the changes that authorise updates of the CIs they name."""
        return Change.objects.filter(status__in=L.AUTHORISING).order_by("-id")

    def controlled_types(self) -> QuerySet[CIType]:
        """The CI types the active change management policy puts under change control."""
        return CIType.objects.filter(change_policies__active=True)

    def authorises(self, change: Any, ci: ConfigurationItem) -> bool:
        return self.approved_changes().filter(pk=getattr(change, "pk", change), affected_cis=ci.pk).exists()
