"""What management reviews and review actions show, who may write which field, and how their lists filter.

Both belong to the management system (area `sms`: the SMS manager writes them; top management and auditors
read everything). The status changes only by transitions; the pack's digest and dates are the system's.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Resource

from .lifecycle import ACTION_WORKFLOW, REVIEW_WORKFLOW
from .models import ManagementReview, ReviewAction

REVIEW_PLANNING = (
    "title",
    "period_start",
    "period_end",
    "planned_date",
    "chair",
    "attendees",
    "objectives",
    "agenda",
)


class ManagementReviewResource(Resource):
    model = ManagementReview
    area = "sms"
    status = "status"
    workflow = REVIEW_WORKFLOW
    fields = (
        "reference",
        "title",
        "period_start",
        "period_end",
        "planned_date",
        "held_on",
        "chair",
        "attendees",
        "status",
        "objectives",
        "agenda",
        "minutes",
        "decisions",
        "pack_prepared_at",
        "pack_topics",
        "missing_topics",
        "pack_sha256",
        "minutes_approved_at",
        "actions",
    )
    computed = ("missing_topics", "actions")
    staff = Access(create=REVIEW_PLANNING, update=(*REVIEW_PLANNING, "held_on", "minutes", "decisions"))
    filters = ("status", "chair", "planned_date", "attendees", "reference")
    list_filters = ("status", "chair")
    search = ("reference", "title", "minutes", "decisions")
    orderings = ("planned_date", "held_on", "reference", "title", "status", "created", "updated")
    ordering = ("-planned_date",)
    columns = ("reference", "title", "planned_date", "held_on", "status", "chair")


def _overdue(queryset, name, value):
    today = timezone.localdate()
    late = queryset.filter(status=ReviewAction.Status.OPEN, due_date__lt=today)
    return late if value else queryset.exclude(pk__in=late.values("pk"))


class ReviewActionResource(Resource):
    model = ReviewAction
    area = "sms"
    status = "status"
    workflow = ACTION_WORKFLOW
    fields = (
        "reference",
        "review",
        "description",
        "owner",
        "due_date",
        "status",
        "overdue",
        "completion_note",
        "completed_on",
    )
    computed = ("overdue",)
    # Owner and due date are required: an action nobody owns, or that has no date, is never followed up.
    staff = Access(
        create=("review", "description", "owner", "due_date"),
        update=("description", "owner", "due_date"),
        required=("review", "description", "owner", "due_date"),
    )
    filters = ("status", "owner", "review", "due_date", "reference")
    extra_filters = {
        "overdue": django_filters.BooleanFilter(
            method=_overdue, label=_("overdue"), help_text=_("Open and past its due date.")
        )
    }
    list_filters = ("status", "owner")
    search = ("reference", "description", "completion_note")
    orderings = ("due_date", "reference", "status", "created", "updated", "completed_on")
    ordering = ("due_date",)
    columns = ("reference", "description", "owner", "due_date", "status", "review")
