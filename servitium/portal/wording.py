"""The portal's plain words, in one place: how badly a problem affects a customer (and the impact and
urgency that follow), how a ticket's status and SLA clocks read to a customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from servitium.core.vocabulary import Metric
from servitium.incidents.models import Incident


@dataclass(frozen=True)
class Effect:
    code: str
    label: Any
    impact: int
    urgency: int


# How badly a problem affects the customer -> impact (how many are hit) and urgency (how soon it hurts).
# This is the only place the portal turns a customer's words into the service desk's classification.
EFFECTS = (
    Effect("many_stopped", _("Several of us cannot work"), impact=1, urgency=1),
    Effect("i_am_stopped", _("I cannot work"), impact=2, urgency=1),
    Effect("slowed", _("I can work, but it slows me down"), impact=3, urgency=2),
    Effect("minor", _("A small nuisance that can wait"), impact=3, urgency=3),
)
EFFECT_CHOICES = [(e.code, e.label) for e in EFFECTS]


def effect_classification(code: str) -> dict[str, int]:
    """Impact and urgency for one of the EFFECTS codes (KeyError for anything else)."""
    effect = {e.code: e for e in EFFECTS}[code]
    return {"impact": effect.impact, "urgency": effect.urgency}


S = Incident.Status
STATUS_WORDS = {
    S.NEW: _("Received"),
    S.ASSIGNED: _("Received"),
    S.IN_PROGRESS: _("We are working on it"),
    S.PENDING_CUSTOMER: _("Waiting for you"),
    S.PENDING_SUPPLIER: _("Waiting for a supplier"),
    S.PENDING_CHANGE: _("Waiting for a planned change"),
    S.RESOLVED: _("Solved — please confirm"),
    S.CLOSED: _("Closed"),
}
STATUS_TONES = {
    S.PENDING_CUSTOMER: "warning",
    S.RESOLVED: "success",
    S.CLOSED: "secondary",
}


def status_words(incident: Incident) -> dict[str, str]:
    """The status as a customer reads it, with a colour class; a request waiting for approval says so."""
    if incident.approval == "pending":
        return {"text": str(_("Waiting for approval")), "tone": "warning"}
    if incident.approval == "rejected":
        return {"text": str(_("Not approved")), "tone": "secondary"}
    return {
        "text": str(STATUS_WORDS.get(incident.status, incident.get_status_display())),
        "tone": STATUS_TONES.get(incident.status, "primary"),
    }


def _when(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        return date_format(local, "H:i")
    return date_format(local, "j M, H:i")


def clock_words(reading: dict[str, Any], now: dt.datetime | None = None) -> dict[str, str]:
    """One SLA clock (its reading from incidents.clocks.clock_reading) in a sentence and a colour:
    "We aim to respond by 14:30 — on track", "... — late"."""
    now = now or timezone.now()
    respond = reading["metric"] == Metric.RESPONSE_TIME
    when = _when(reading.get("due_at"), now)
    tone = reading["tone"]
    if tone == "met":
        text = _("We responded in time") if respond else _("Solved in time")
        return {"text": str(text), "tone": "success"}
    if reading["met"] is False:
        text = _("We responded later than agreed") if respond else _("Solved later than agreed")
        return {"text": str(text), "tone": "danger"}
    if tone == "paused":
        return {"text": str(_("On hold while we wait for an answer")), "tone": "secondary"}
    aim = _("We aim to respond by %(when)s") if respond else _("We aim to solve this by %(when)s")
    state = {"breached": _("late"), "at_risk": _("at risk"), "on_track": _("on track")}[tone]
    colour = {"breached": "danger", "at_risk": "warning", "on_track": "success"}[tone]
    return {"text": f"{aim % {'when': when}} — {state}", "tone": colour}


# --- cloud subscriptions, resource requests, exits ----------------------------------------------------------

SUBSCRIPTION_WORDS = {
    "ordered": (_("Ordered: we are preparing it"), "info"),
    "onboarding": (_("Being set up"), "warning"),
    "live": (_("In use"), "success"),
    "terminating": (_("Notice given: ending"), "warning"),
    "terminated": (_("Ended"), "secondary"),
    "cancelled": (_("Cancelled"), "secondary"),
}
REQUEST_WORDS = {
    "pending": (_("Waiting for our approval"), "warning"),
    "approved": (_("Approved: we are setting it up"), "info"),
    "rejected": (_("Not approved"), "secondary"),
    "fulfilled": (_("Done"), "success"),
}
PLAN_WORDS = {
    "draft": (_("Being prepared"), "info"),
    "agreed": (_("Agreed"), "primary"),
    "handing_over": (_("Handing over"), "warning"),
    "handed_over": (_("Handed over"), "success"),
    "disposed": (_("Your data is deleted"), "secondary"),
    "closed": (_("Completed"), "secondary"),
    "cancelled": (_("Cancelled"), "secondary"),
}
EXPORT_WORDS = {
    "queued": (_("Being prepared"), "info"),
    "building": (_("Being prepared"), "info"),
    "ready": (_("Ready: we hand it over to you"), "info"),
    "handed_over": (_("Handed over: please confirm you received it"), "warning"),
    "acknowledged": (_("Received"), "success"),
    "failed": (_("Could not be made: we are on it"), "danger"),
}


def words(table: dict[str, tuple[Any, str]], status: str) -> dict[str, str]:
    """A status from one of the tables above as a customer reads it, with a colour class."""
    text, tone = table.get(status, (status, "secondary"))
    return {"text": str(text), "tone": tone}


def amount(value: Decimal | None) -> str:
    """A figure without trailing zeros, in the reader's number format ("16", "2.5"); "—" for none."""
    if value is None:
        return "—"
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


def quota_check(within: bool) -> str:
    """Whether a resource request stays within the quota, in the words the customer reads."""
    return str(_("within your quota") if within else _("over quota: needs approval"))


def usage_tone(percent: float | None) -> str:
    """The bar's colour: green under 80 %, amber from 80 % to 100 %, red above."""
    if percent is None:
        return "secondary"
    if percent > 100:
        return "danger"
    return "warning" if percent >= 80 else "success"
