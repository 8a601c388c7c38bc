"""Demo data of management review: the review held about two months ago (pack frozen, minutes approved by
its chair, decisions, six actions — one deliberately overdue) and the next review planned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.parties.models import Person

from . import services
from .models import ManagementReview

HELD_TITLE = "Management review — annual review of the SMS"
NEXT_TITLE = "Management review — half-year review of the SMS"
CHAIR = "Maria Keller"
ATTENDEES = ["Jonas Weber", "Ewa Nowak", "Sofia Rossi", "Kenji Tanaka", "Paul Fischer"]

MINUTES = (
    "Maria Keller opened the review and went through the pack section by section. SLA compliance held "
    "above target for all customers except Cedar Retail's web shop peaks in November. Customer survey "
    "scores rose slightly; two complaints from Birchwood Health about slow request fulfilment were "
    "discussed. Stratos Datacenters met its availability targets; the Relay Networks contract ends within "
    "the year. The conformity assessment shows the operational processes largely evidenced; the management "
    "system records themselves are new. Emergency changes were 9 % of all changes, above the 5 % goal."
)
DECISIONS = (
    "1. Fund a second network engineer from Q1 (resources).\n"
    "2. Renegotiate the Relay Networks contract with a 99.95 % availability target before renewal.\n"
    "3. Reduce emergency changes below 5 % by widening the standard-change catalogue.\n"
    "4. Run the customer survey twice a year instead of once.\n"
    "5. Keep the service management policy unchanged; review the objectives at the next review."
)
# description, owner, days after the review it is due, outcome ("done", "open", or "overdue")
ACTIONS = [
    ("Open a requisition for a second network engineer and start hiring.", "Maria Keller", 30, "done"),
    (
        "Agree a 99.95 % availability target with Relay Networks for the renewed contract.",
        "Kenji Tanaka",
        45,
        "overdue",
    ),
    (
        "Add five recurring database maintenance tasks to the standard-change catalogue.",
        "Sofia Rossi",
        40,
        "done",
    ),
    (
        "Schedule the spring customer survey and agree the questions with the relationship managers.",
        "Jonas Weber",
        30,
        "done",
    ),
    ("Report emergency-change share monthly to the change advisory board.", "Ewa Nowak", 90, "open"),
    ("Prepare a capacity forecast for the Frankfurt site for the next review.", "Ewa Nowak", 100, "open"),
]


def _person(name: str) -> Person | None:
    return Person.objects.filter(name=name).select_related("user").first()


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    chair = _person(CHAIR)
    if chair is None:
        return
    today = timezone.localdate()
    held = ManagementReview.objects.filter(title=HELD_TITLE).first()
    if held is None:
        held = _held_review(actor, chair, today)
    if not ManagementReview.objects.filter(title=NEXT_TITLE).exists():
        planned = today + dt.timedelta(days=30)
        services.review_create(
            actor=actor,
            data={
                "title": NEXT_TITLE,
                "period_start": held.period_end + dt.timedelta(days=1),
                "period_end": planned - dt.timedelta(days=7),
                "planned_date": planned,
                "chair": chair,
                "objectives": "Decide whether the SMS is on course for the surveillance audit and which "
                "improvements get resources in the next half-year.",
                "agenda": "Status of actions; policy and objectives; performance; risks; resources; "
                "improvements.",
            },
            m2m={"attendees": [p for p in map(_person, ATTENDEES) if p]},
        )


def _held_review(actor: Any, chair: Person, today: dt.date) -> ManagementReview:
    held_on = today - dt.timedelta(days=60)
    review = services.review_create(
        actor=actor,
        data={
            "title": HELD_TITLE,
            "period_start": held_on - dt.timedelta(days=365),
            "period_end": held_on - dt.timedelta(days=7),
            "planned_date": held_on,
            "chair": chair,
            "objectives": "Judge whether the SMS still suits Nimbus after the year's growth, and decide on "
            "the resources and improvements the next year needs.",
            "agenda": "Status of actions; performance of services and processes; customers; suppliers; "
            "audit results; nonconformities; changes; resources; improvements.",
        },
        m2m={"attendees": [p for p in map(_person, ATTENDEES) if p]},
    )
    review = services.review_transition(actor=actor, instance=review, transition="prepare_pack")
    review = services.review_transition(
        actor=actor, instance=review, transition="hold", data={"held_on": held_on.isoformat()}
    )
    review = services.review_update(
        actor=actor, instance=review, data={"minutes": MINUTES, "decisions": DECISIONS}
    )
    # The chair approves the minutes with their own login when they have one.
    approver = chair.user if chair.user_id else None
    review = services.review_transition(actor=approver, instance=review, transition="approve_minutes")
    review = services.review_transition(actor=actor, instance=review, transition="close")
    for description, owner_name, due_in, outcome in ACTIONS:
        owner = _person(owner_name) or chair
        due = held_on + dt.timedelta(days=due_in)
        if outcome == "overdue":
            due = min(due, today - dt.timedelta(days=14))  # the deliberate gap: past due and still open
        action = services.action_create(
            actor=actor, data={"review": review, "description": description, "owner": owner, "due_date": due}
        )
        if outcome == "done":
            services.action_transition(
                actor=actor,
                instance=action,
                transition="complete",
                data={"completion_note": "Done as agreed; evidence on the linked records."},
            )
    return review
