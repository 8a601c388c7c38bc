"""A risk register kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from servitium.risks import services


def well_kept_register(*, owner: Any, service: Any = None, supplier: Any = None) -> list:
    """The default matrix; a treated organizational risk, a treated service risk linked to the service and
    the supplier with its effect on customers, and a pursued opportunity; all reviewed on time."""
    services.matrix_ensure()
    due = dt.date.today() + dt.timedelta(days=60)
    made = []
    for kind, category, title, links in (
        ("risk", "sms", "Key person leaves", {}),
        (
            "risk",
            "service",
            "Supplier outage stops the service",
            {"services": [service] if service else [], "suppliers": [supplier] if supplier else []},
        ),
        ("opportunity", "service", "Offer the service in a new region", {}),
    ):
        risk = services.risk_create(
            actor=None,
            data={
                "kind": kind,
                "category": category,
                "title": title,
                "owner": owner,
                "likelihood": 4,
                "impact": 4,
                "customer_impact": "Customers notice it." if category == "service" else "",
            },
            m2m={k: v for k, v in links.items() if v},
        )
        risk = services.risk_transition(actor=None, instance=risk, transition="assess")
        services.action_create(
            actor=None, data={"risk": risk, "description": "Act on it", "owner": owner, "due_date": due}
        )
        option = "exploit" if kind == "opportunity" else "reduce"
        made.append(
            services.risk_transition(
                actor=None, instance=risk, transition="treat", data={"treatment_option": option}
            )
        )
    return made
