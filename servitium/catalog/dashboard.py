"""The catalogue's tile on a customer user's home (core.panels, registered in apps.ready): the services
their organization receives (the permission path keeps it to their own)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from servitium.core import permissions
from servitium.core.panels import HOME_CUSTOMER, LIST, register_panel

from .models import Service

ROWS = 12


def services_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.is_customer_user(user):
        return None
    services = permissions.restrict(Service.objects.filter(status=Service.Status.LIVE), user)
    rows = list(services.order_by("name", "id")[: ROWS + 1])
    return {"rows": rows[:ROWS], "more": len(rows) > ROWS, "url": reverse("catalog:service_list")}


def register() -> None:
    register_panel(HOME_CUSTOMER, "catalog/_home_services.html", services_tile, page=LIST, order=20)
