"""What conformity records show, who may write which field, and how their lists filter.

Conformity records are the provider's own: no record type has a tenant path, so customer users see none of
them. Catalogues are reference data every provider user reads; assessments and their results are written
by the engine (a run is started, never edited); people write attestations, nonconformities and the plan."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Resource

from .models import (
    AREA,
    Assessment,
    Attestation,
    Exclusion,
    Framework,
    PlanItem,
    Requirement,
    Result,
)


def _by_key(path: str, label: Any) -> django_filters.CharFilter:
    """A filter on the natural key people know a related record by (a framework's slug, a requirement's
    identifier), shared by the API's and the UI's lists."""
    return django_filters.CharFilter(field_name=path, label=label)


class FrameworkResource(Resource):
    """Requirement catalogues are reference data every provider user reads. They are synchronised from the
    bundled files or imported (OSCAL) by conformity managers, never edited by hand."""

    model = Framework
    area = AREA
    readable_by_all_staff = True
    staff_actions = {VIEW, ADD}
    fields = ("slug", "title", "version", "kind", "description", "source", "digest", "requirement_count")
    computed = ("requirement_count",)
    # staff: no writes. The OSCAL import works out every field from the document (core `derived`).
    filters = ("slug", "kind", "source")
    list_filters = ("kind", "source")
    search = ("slug", "title")
    orderings = ("slug", "title")
    ordering = ("slug",)
    columns = ("slug", "title", "version", "kind")


class RequirementResource(Resource):
    """One checkable item of a framework; written only by the catalogue sync and the OSCAL import."""

    model = Requirement
    area = AREA
    readable_by_all_staff = True
    staff_actions = {VIEW}
    fields = (
        "framework",
        "identifier",
        "title",
        "summary",
        "parent",
        "kind",
        "process",
        "evidence",
        "order",
        "maps_to",
        "applicable_clauses",
        "phases",
        "responsibility",
        "outcomes",
    )
    filters = ("identifier", "kind", "process", "evidence")
    # Requirements are named by the slug of their framework and the identifier of their parent, in the
    # API's representation as in its filters (`?framework=iso20000-1:2018&parent=8.1`).
    extra_filters = {
        "framework": _by_key("framework__slug", _("Framework (slug)")),
        "parent": _by_key("parent__identifier", _("Parent (identifier)")),
    }
    list_filters = ("framework", "kind", "evidence")
    search = ("identifier", "title", "summary")
    orderings = ("order", "identifier")
    columns = ("identifier", "title", "kind", "process")


ATTESTATION_WRITES = (
    "requirement",
    "statement",
    "evidence",
    "attested_by",
    "reviewed_by",
    "valid_from",
    "valid_until",
)


class AttestationResource(Resource):
    """A signed, reviewed statement for a requirement no query can prove; its files are attachments."""

    model = Attestation
    area = AREA
    fields = (
        "requirement",
        "requirement_display",
        "requirement_summary",
        "statement",
        "evidence",
        "attested_by",
        "reviewed_by",
        "valid_from",
        "valid_until",
        "valid",
        "attachments",
    )
    computed = ("requirement_display", "requirement_summary", "valid", "attachments")
    staff = Access(create=ATTESTATION_WRITES)
    filters = ("requirement", "attested_by", "reviewed_by")
    list_filters = ("attested_by", "reviewed_by")
    search = ("statement", "requirement__identifier")
    orderings = ("valid_until", "valid_from")
    ordering = ("-valid_until",)
    columns = ("requirement", "statement", "attested_by", "reviewed_by", "valid_until")


EXCLUSION_WRITES = ("requirement", "justification", "approved_by", "approved_at")


class ExclusionResource(Resource):
    """A requirement declared not applicable, with its justification; it counts once approved (approver
    and date). Later tied to the SMS scope."""

    model = Exclusion
    area = AREA
    fields = ("requirement", "requirement_display", *EXCLUSION_WRITES[1:], "approved")
    computed = ("requirement_display", "approved")
    staff = Access(create=EXCLUSION_WRITES)
    filters = ("requirement", "approved_by")
    list_filters = ("approved_by",)
    search = ("justification", "requirement__identifier")
    orderings = ("approved_at",)
    columns = EXCLUSION_WRITES


class AssessmentResource(Resource):
    """A run of every check, frozen with its results: started (optionally for one framework), never
    changed or deleted. Everything but the framework is what the run found."""

    model = Assessment
    area = AREA
    staff_actions = {VIEW, ADD}
    fields = (
        "reference",
        "framework",
        "trigger",
        "started_at",
        "finished_at",
        "catalogue_digest",
        "summary",
        "check_outcomes",
    )
    staff = Access(create=("framework",), update=())
    filters = ("trigger", "reference")
    orderings = ("started_at", "reference")
    columns = ("reference", "framework", "trigger", "started_at")


class ResultResource(Resource):
    """One requirement's status in one assessment; written by the engine with its run, read by people."""

    model = Result
    area = AREA
    staff_actions = {VIEW}
    fields = (
        "assessment",
        "requirement",
        "framework",
        "identifier",
        "status",
        "message",
        "figures",
        "evidence",
        "gaps",
        "checks",
        "attestation",
        "via_crosswalk",
    )
    computed = ("framework", "identifier")
    filters = ("assessment", "requirement", "status")
    extra_filters = {
        "framework": _by_key("requirement__framework__slug", _("Framework (slug)")),
        "identifier": _by_key("requirement__identifier", _("Requirement (identifier)")),
    }
    orderings = ("status",)
    columns = ("assessment", "requirement", "status", "via_crosswalk")


PLAN_WRITES = ("owner", "target_date", "notes", "manual_status", "manual_reason")


class PlanItemResource(Resource):
    """An activity of the implementation plan: generated from the 20000-5 catalogue (never added or
    removed by hand); people adjust owner, target date and notes, or set the status with a reason."""

    model = PlanItem
    area = AREA
    staff_actions = {VIEW, CHANGE}
    fields = (
        "activity",
        "identifier",
        "title",
        "phases",
        "responsibility",
        *PLAN_WRITES,
        "auto_status",
        "status",
    )
    computed = ("identifier", "title", "phases", "responsibility", "auto_status", "status")
    staff = Access(update=PLAN_WRITES)
    filters = ("owner", "manual_status")
    orderings = ("target_date",)
    columns = ("activity", "owner", "target_date", "manual_status")
