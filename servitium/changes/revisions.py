"""Plans revised under change management.

An approved plan — capacity (2011 6.5.s3), availability and continuity (2011 6.3.2.s2) — is changed only
under change management: taking it back to draft counts a revision and clears the change named before,
and approving a revised plan needs the change it was revised under, approved (or gone on from approval).
The apps holding such plans (above this one) mix `RevisedUnderChange` into their model, call `revised`
in their revise transition and `refusal` in their approval guard, and judge their plans with
`revisions_tally`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.checks import Tally, tally

# A change authorises a revision once approved, and still does while implemented, completed or closed.
AUTHORISED = frozenset({"approved", "implementing", "completed", "reviewed", "closed"})
AUTHORISED_REVISION = Q(change__status__in=AUTHORISED)


class RevisedUnderChange(models.Model):
    revision = models.PositiveSmallIntegerField(
        _lazy("revision"),
        default=0,
        editable=False,
        help_text=_lazy("How many times the approved plan was revised."),
    )
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_lazy("change"),
        help_text=_lazy(
            "The change under which this revision of the plan is made (needed once it was approved)"
        ),
    )

    class Meta:
        abstract = True


def revised(plan: RevisedUnderChange) -> dict[str, Any]:
    """The fields a revise transition writes: one more revision, and no change named yet."""
    return {"revision": plan.revision + 1, "change": None}


def refusal(plan: RevisedUnderChange) -> str | None:
    """Why a revised plan may not be approved yet (None: it may)."""
    if not plan.revision:
        return None
    if plan.change_id is None:
        return _("This plan was approved before: name the change under which it is revised.")
    if plan.change.status not in AUTHORISED:
        return _("The change named for this revision is %(status)s: it must be approved first.") % {
            "status": plan.change.get_status_display()
        }
    return None


def revisions_tally(*approved: QuerySet) -> Tally:
    """Of these approved plans (of one model or several), the revised ones, and those whose revision is
    under an authorised change: what a check of 2011 6.3.2.s2 or 6.5.s3 judges."""
    counted = [tally(plans.filter(revision__gt=0), AUTHORISED_REVISION) for plans in approved]
    return Tally(
        sum(t.total for t in counted),
        sum(t.good for t in counted),
        [r for t in counted for r in t.evidence],
        [r for t in counted for r in t.gaps],
    )
