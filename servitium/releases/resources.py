"""What release management's records show, who may write which field, and how their lists filter.

Releases, their acceptance criteria and their deployments are the provider's records: every provider user
reads them (the service desk must know what is being deployed: the area is readable by all staff), the
release roles write them, customers see none of them. A customer reads only the release policy agreed with
its own organization.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import VIEW, Access, Indexed, Resource

from .lifecycle import RELEASE_WORKFLOW
from .models import AcceptanceCriterion, Deployment, Release, ReleasePolicy

POLICY_FIELDS = (
    "name",
    "customer",
    "frequency",
    "release_types",
    "notice_days",
    "early_life_days",
    "max_early_life_incidents",
    "acceptance_requirements",
    "agreed_on",
)


class ReleasePolicyResource(Resource):
    model = ReleasePolicy
    area = "releases"
    tenant = "customer"  # a customer reads the policy agreed with it (not the default, nor others')
    customer_actions = {VIEW}
    fields = POLICY_FIELDS
    staff = Access(create=POLICY_FIELDS)
    filters = ("customer", "frequency", "agreed_on")
    list_filters = ("frequency", "customer")
    search = ("name", "acceptance_requirements")
    orderings = ("name", "customer", "frequency", "early_life_days", "agreed_on")
    ordering = ("name",)
    columns = ("name", "customer", "frequency", "early_life_days", "agreed_on")


# What the release team plans: the release's content, schedule, method and how it is undone. The lifecycle
# writes the rest (approval, deployment, failure, review and the measured success).
RELEASE_PLAN = (
    "title",
    "description",
    "release_type",
    "policy",
    "release_manager",
    "services",
    "changes",
    "problems",
    "known_errors",
    "planned_start",
    "planned_end",
    "deployment_method",
    "deliverables",
    "acceptance_environment",
    "rollback_plan",
)


def _by_success(queryset, name, value):
    if value == "open":
        return queryset.filter(successful__isnull=True)
    return queryset.filter(successful=value == "true")


class ReleaseResource(Resource):
    model = Release
    area = "releases"
    status = "status"
    workflow = RELEASE_WORKFLOW
    fields = (
        "reference",
        "title",
        "description",
        "release_type",
        "status",
        "policy",
        "release_manager",
        "services",
        "changes",
        "problems",
        "known_errors",
        "planned_start",
        "planned_end",
        "deliverables",
        "deployment_method",
        "acceptance_environment",
        "rollback_plan",
        "acceptance_criteria",
        "deployments",
        "approved_by",
        "approved_at",
        "deployed_at",
        "failure_reason",
        "review_notes",
        "reviewed_at",
        "early_life_incidents",
        "successful",
    )
    computed = ("acceptance_criteria", "deployments")  # the API lists their ids
    # The review notes are written by the review step; afterwards they may be completed (releases.services
    # keeps everything else fixed once deployment has started).
    staff = Access(create=RELEASE_PLAN, update=(*RELEASE_PLAN, "review_notes"))
    filters = (
        "status",
        "release_type",
        "policy",
        "release_manager",
        "services",
        "changes",
        "problems",
        "known_errors",
        "deployment_method",
        "successful",
        "reference",
    )
    list_filters = ("status", "release_type", "policy", "successful")
    extra_filters = {
        # named choices for the list page (a plain yes/no filter offers none); `true`/`false` as before
        "successful": django_filters.ChoiceFilter(
            choices=[("true", _("successful")), ("false", _("unsuccessful")), ("open", _("not yet known"))],
            method=_by_success,
        ),
    }
    search = ("reference", "title", "description")
    orderings = (
        "planned_start",
        "deployed_at",
        "reference",
        "title",
        "release_type",
        "status",
        "successful",
    )
    ordering = ("-planned_start",)
    columns = ("reference", "title", "release_type", "status", "planned_start", "successful")
    indexed = Indexed(title="title", body=("description", "deliverables"))


class AcceptanceCriterionResource(Resource):
    model = AcceptanceCriterion
    area = "releases"
    fields = ("release", "criterion", "result", "evidence", "tested_by", "tested_at")
    # A criterion belongs to the release it was agreed for; its wording and test result may change while
    # the release is planned or built (releases.services decides when).
    staff = Access(create=fields, update=fields[1:])
    filters = ("release", "result", "tested_by")
    search = ("criterion", "evidence")
    orderings = ("release", "result", "tested_at")
    columns = ("release", "criterion", "result", "tested_at")


class DeploymentResource(Resource):
    """Written only by the release lifecycle (deploy, complete, fail, roll back); read by provider staff."""

    model = Deployment
    area = "releases"
    staff_actions = {VIEW}
    fields = (
        "reference",
        "release",
        "release_reference",
        "environment",
        "started_at",
        "finished_at",
        "outcome",
        "baseline",
        "performed_by",
        "notes",
        "rollback_notes",
    )
    computed = ("release_reference",)
    filters = ("release", "outcome", "environment", "baseline", "performed_by", "reference")
    search = ("reference", "environment", "notes", "rollback_notes")
    orderings = ("started_at", "finished_at", "reference", "outcome")
    ordering = ("-started_at",)
    columns = ("reference", "release", "environment", "started_at", "outcome")
