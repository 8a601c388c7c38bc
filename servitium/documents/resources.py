"""What the records of documented information show, who may write which field, and how their lists filter.

The SMS roles run them; top management and auditors read everything. Documents are points of use: every
provider user reads the documents that are not confidential, and their versions; confidential ones stay
with the SMS roles and the people and teams they are distributed to. Every provider user may acknowledge
a document for themselves and read their own acknowledgements. Customers see none of it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.declaration import ADD, VIEW, Access, Indexed, Resource

from .lifecycle import DISPOSAL_WORKFLOW, VERSION_WORKFLOW
from .models import DisposalRequest, Document, DocumentAcknowledgement, DocumentVersion, RecordSeries

AREA = "sms"


def _person_id(user) -> int | None:
    person = getattr(user, "person", None) if user is not None else None
    return getattr(person, "pk", None)


def _reads_as_staff(user) -> bool:
    """A provider user outside the SMS roles (points of use: they read what concerns them)."""
    return permissions.is_provider_user(user) and not permissions.is_customer_user(user)


def _document_visibility(user) -> Q | None:
    """The documents a provider user without SMS grants reads: all but the confidential ones, and the
    confidential ones distributed to them or their teams. None: nothing."""
    if not _reads_as_staff(user):
        return None
    person = _person_id(user)
    visible = ~Q(confidentiality=Document.Confidentiality.CONFIDENTIAL)
    if person:
        visible |= Q(distribution_people=person) | Q(distribution_teams__members=person)
    return visible


def _review_overdue(queryset, name, value):
    today = timezone.localdate()
    overdue = Q(next_review__lt=today)
    return queryset.filter(overdue) if value else queryset.exclude(overdue)


def _process(queryset, name, value):
    return queryset.filter(processes__icontains=f'"{value}"') if value else queryset


def _requirement(queryset, name, value):
    return queryset.filter(requirements__icontains=f'"{value}') if value else queryset


DOCUMENT_WRITES = (
    "title",
    "kind",
    "description",
    "owner",
    "sms_policy",
    "requires_acknowledgement",
    "processes",
    "requirements",
    "distribution_teams",
    "distribution_people",
    "points_of_use",
    "confidentiality",
    "review_interval_months",
    "next_review",
    "source",
    "external_version",
    "external_url",
)


class DocumentResource(Resource):
    model = Document
    area = AREA
    fields = (
        "reference",
        *DOCUMENT_WRITES,
        "last_reviewed",
        "current_version",
        "review_flagged",
    )
    staff = Access(create=DOCUMENT_WRITES)
    filters = (
        "kind",
        "owner",
        "confidentiality",
        "sms_policy",
        "requires_acknowledgement",
        "distribution_teams",
        "review_flagged",
        "reference",
    )
    extra_filters = {
        "review_overdue": django_filters.BooleanFilter(
            method=_review_overdue, label=_("review overdue"), help_text=_("Past their next review date.")
        ),
        "process": django_filters.CharFilter(method=_process, label=_("process served")),
        "requirement": django_filters.CharFilter(
            method=_requirement, label=_("clause reference"), help_text=_("e.g. iso20000-1:2018#7.5")
        ),
    }
    list_filters = ("kind", "confidentiality", "review_flagged")
    search = ("reference", "title", "description", "source")
    orderings = ("reference", "title", "kind", "next_review", "created", "updated")
    ordering = ("reference",)
    columns = ("reference", "title", "kind", "owner", "current_version", "next_review")

    @classmethod
    def scope(cls, queryset, user, action):
        if permissions.area_allows(user, AREA, action):
            return queryset
        visible = _document_visibility(user) if action == VIEW else None
        if visible is None:
            return queryset.none()
        return queryset.filter(pk__in=Document.objects.filter(visible).values("pk"))

    indexed = Indexed(title="title", body=("description",))


VERSION_CREATE = (
    "document",
    "version",
    "author",
    "summary",
    "body",
    "effective_date",
    "corrective_action",
    "improvement",
)


class DocumentVersionResource(Resource):
    model = DocumentVersion
    area = AREA
    status = "status"
    workflow = VERSION_WORKFLOW
    fields = (
        "document",
        "version",
        "status",
        "author",
        "created_by",
        "summary",
        "body",
        "file",
        "file_sha256",
        "effective_date",
        "submitted_at",
        "approved_by",
        "approved_at",
        "approval_note",
        "effective_at",
        "retired_at",
        "superseded_by",
        "corrective_action",
        "improvement",
    )
    # The author is named when the version is written; afterwards only its content and reason change (while
    # draft).
    staff = Access(
        create=VERSION_CREATE,
        update=("version", "summary", "body", "effective_date", "corrective_action", "improvement"),
    )
    filters = (
        "document",
        "status",
        "author",
        "approved_by",
        "effective_date",
        "corrective_action",
        "improvement",
    )
    list_filters = ("status",)
    search = ("version", "summary", "body", "document__title", "document__reference")
    orderings = ("created", "updated", "effective_date", "status", "version", "approved_at")
    ordering = ("-created",)
    columns = ("document", "version", "status", "author", "approved_by", "effective_date")

    @classmethod
    def scope(cls, queryset, user, action):
        if permissions.area_allows(user, AREA, action):
            return queryset
        visible = _document_visibility(user) if action == VIEW else None
        if visible is None:
            return queryset.none()
        return queryset.filter(document__in=Document.objects.filter(visible).values("pk"))


class DocumentAcknowledgementResource(Resource):
    model = DocumentAcknowledgement
    area = AREA
    fields = ("document", "version", "person", "acknowledged_at", "note")
    # One says which document (or version) one has read; the person is oneself, the time is now.
    staff = Access(create=("document", "version", "note"), update=("note",), required=())
    filters = ("document", "version", "person")
    list_filters = ("document",)
    search = ("note", "person__name", "document__title")
    orderings = ("acknowledged_at", "created")
    ordering = ("-acknowledged_at",)
    columns = ("document", "version", "person", "acknowledged_at")

    @classmethod
    def scope(cls, queryset, user, action):
        if permissions.area_allows(user, AREA, action):
            return queryset
        if not _reads_as_staff(user):
            return queryset.none()
        person = _person_id(user)
        if person is None or permissions.user_roles(user) <= {permissions.AUDITOR}:
            return queryset.none()  # only people acknowledge, and auditors review rather than take part
        if action == ADD:
            return queryset
        if action == VIEW or action == permissions.CHANGE:
            return queryset.filter(person_id=person)
        return queryset.none()


SERIES_WRITES = (
    "name",
    "description",
    "record_type",
    "location",
    "owner",
    "retention_months",
    "retention_basis",
    "disposal_method",
    "legal_hold",
    "legal_hold_reason",
)


class RecordSeriesResource(Resource):
    model = RecordSeries
    area = AREA
    fields = ("reference", *SERIES_WRITES, "due_for_disposal", "checked_at")
    staff = Access(create=SERIES_WRITES)
    filters = ("legal_hold", "disposal_method", "owner", "record_type", "reference")
    extra_filters = {
        "due": django_filters.BooleanFilter(
            method=lambda qs, name, value: (
                qs.filter(due_for_disposal__gt=0) if value else qs.filter(due_for_disposal=0)
            ),
            label=_("due for disposal"),
        )
    }
    list_filters = ("legal_hold", "disposal_method")
    search = ("reference", "name", "description", "location", "record_type")
    orderings = ("reference", "name", "retention_months", "due_for_disposal", "created", "updated")
    ordering = ("reference",)
    columns = ("reference", "name", "record_type", "retention_months", "legal_hold", "due_for_disposal")


class DisposalRequestResource(Resource):
    model = DisposalRequest
    area = AREA
    status = "status"
    workflow = DISPOSAL_WORKFLOW
    fields = (
        "reference",
        "series",
        "cutoff",
        "reason",
        "status",
        "record_count",
        "requested_by",
        "decided_by",
        "decided_at",
        "decision_note",
        "disposed_at",
        "disposed_count",
    )
    staff = Access(create=("series", "cutoff", "reason"), update=("reason",))
    filters = ("status", "series", "requested_by", "reference")
    list_filters = ("status", "series")
    search = ("reference", "reason", "series__name")
    orderings = ("created", "updated", "cutoff", "status", "reference")
    ordering = ("-created",)
    columns = ("reference", "series", "cutoff", "status", "record_count", "requested_by")
