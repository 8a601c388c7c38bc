"""Release and deployment management (20000-1:2011 9.3 / 2018 8.5.3).

A release bundles approved changes into one planned deployment: what goes out (deliverables), when, how
(method), against which acceptance criteria it was built and tested, how it is undone (rollback plan), and
which known errors and problems it deals with. Each deployment of a release is recorded with the baseline of
the affected configuration taken just before it. After deployment, incidents on the affected CIs during the
policy's early-life period measure whether the release succeeded.

Releases are the provider's records; customers read only their own release policy.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class ReleaseType(models.TextChoices):
    MAJOR = "major", _("major")
    MINOR = "minor", _("minor")
    PATCH = "patch", _("patch")
    EMERGENCY = "emergency", _("emergency")


class ReleasePolicy(BaseModel):
    """How often and which types of release are agreed with a customer (or, without a customer, the
    provider's default policy for everyone else)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        FORTNIGHTLY = "fortnightly", _("every two weeks")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        ON_DEMAND = "on_demand", _("on demand")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="release_policies",
        verbose_name=_("customer"),
        help_text=_("Leave empty for the default policy that applies to customers without their own."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    release_types = models.JSONField(
        _("release types"),
        default=list,
        blank=True,
        help_text=_("The types of release agreed: major, minor, patch, emergency."),
    )
    notice_days = models.PositiveIntegerField(
        _("notice (days)"), default=5, help_text=_("How far ahead the customer is told of a deployment.")
    )
    early_life_days = models.PositiveIntegerField(
        _("early-life period (days)"),
        default=14,
        help_text=_("Incidents on the affected CIs within this period after deployment count against it."),
    )
    max_early_life_incidents = models.PositiveIntegerField(
        _("incidents tolerated after deployment"),
        default=0,
        help_text=_("A deployed release with more priority 1-2 incidents than this in early life failed."),
    )
    acceptance_requirements = models.TextField(_("acceptance requirements"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("release policy")
        verbose_name_plural = _("release policies")
        constraints = [
            # One policy per customer and one default (no customer): NULLs never collide in a plain
            # unique index, so the index is on the customer id with the default counted as 0.
            models.UniqueConstraint(
                Coalesce(F("customer"), Value(0)),
                name="release_policy_one_per_customer",
                violation_error_message=_("This customer (or the default) already has a release policy."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        types = self.release_types
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise ValidationError({"release_types": [_("Give a list of release types.")]})
        unknown = sorted(set(types) - set(ReleaseType.values))
        if unknown:
            raise ValidationError(
                {
                    "release_types": [
                        _("Unknown release type(s) %(bad)s; known: %(known)s.")
                        % {"bad": ", ".join(unknown), "known": ", ".join(ReleaseType.values)}
                    ]
                }
            )


class Release(BaseModel):
    """A set of approved changes built, tested and deployed together."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        BUILDING = "building", _("build and test")
        ACCEPTED = "accepted", _("accepted")
        APPROVED = "approved", _("approved for deployment")
        DEPLOYING = "deploying", _("deploying")
        DEPLOYED = "deployed", _("deployed")
        FAILED = "failed", _("failed")
        ROLLED_BACK = "rolled_back", _("rolled back")
        REVIEWED = "reviewed", _("reviewed")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Method(models.TextChoices):
        BIG_BANG = "big_bang", _("all at once")
        PHASED = "phased", _("phased")
        PILOT = "pilot", _("pilot first")
        PIPELINE = "pipeline", _("automated pipeline")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    release_type = models.CharField(
        _("release type"), max_length=10, choices=ReleaseType.choices, default=ReleaseType.MINOR
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    policy = models.ForeignKey(
        ReleasePolicy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("release policy"),
    )
    release_manager = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_releases",
        verbose_name=_("release manager"),
    )
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="releases", verbose_name=_("services")
    )
    changes = models.ManyToManyField(
        "changes.Change",
        blank=True,
        related_name="releases",
        verbose_name=_("changes"),
        help_text=_("The approved changes this release delivers."),
    )
    problems = models.ManyToManyField(
        "problems.Problem", blank=True, related_name="releases", verbose_name=_("problems")
    )
    known_errors = models.ManyToManyField(
        "problems.KnownError", blank=True, related_name="releases", verbose_name=_("known errors")
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True, db_index=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    deployment_method = models.CharField(
        _("deployment method"), max_length=10, choices=Method.choices, default=Method.BIG_BANG
    )
    acceptance_environment = models.CharField(_("acceptance environment"), max_length=200, blank=True)
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    approved_by = models.ForeignKey(
        "parties.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    deployed_at = models.DateTimeField(
        _("deployed at"), null=True, blank=True, db_index=True, help_text=_("When deployment started.")
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    early_life_incidents = models.PositiveIntegerField(
        _("incidents in early life"), null=True, blank=True, editable=False
    )
    successful = models.BooleanField(_("successful"), null=True, blank=True, editable=False)

    reference_prefix = "REL"

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        indexes = [models.Index(fields=["status", "planned_start"], name="release_status_start_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("releases:release_detail", args=[self.pk])

    def clean(self) -> None:
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError({"planned_end": [_("The planned end must be after the planned start.")]})


class AcceptanceCriterion(BaseModel):
    """One agreed acceptance criterion of a release and the result of testing it in the acceptance
    environment."""

    class Result(models.TextChoices):
        PENDING = "pending", _("not yet tested")
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="acceptance_criteria", verbose_name=_("release")
    )
    criterion = models.CharField(_("criterion"), max_length=300)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, default=Result.PENDING)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("What was tested and what was seen."))
    tested_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tested by"),
    )
    tested_at = models.DateTimeField(_("tested at"), null=True, blank=True)

    class Meta:
        ordering = ["release", "id"]
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")

    def __str__(self) -> str:
        return self.criterion

    def clean(self) -> None:
        if self.result != self.Result.PENDING and not (self.evidence or "").strip():
            raise ValidationError({"evidence": [_("Say what was tested and seen when recording a result.")]})


class Deployment(BaseModel):
    """One deployment of a release into the live environment, with the baseline taken just before it."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        SUCCESSFUL = "successful", _("successful")
        FAILED = "failed", _("failed")
        ROLLED_BACK = "rolled_back", _("rolled back")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="deployments", verbose_name=_("release")
    )
    environment = models.CharField(_("environment"), max_length=200, default="production")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.IN_PROGRESS, db_index=True
    )
    baseline = models.ForeignKey(
        "cmdb.Baseline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deployments",
        verbose_name=_("baseline before deployment"),
    )
    performed_by = models.ForeignKey(
        "parties.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("performed by"),
    )
    notes = models.TextField(_("notes"), blank=True)
    rollback_notes = models.TextField(_("rollback notes"), blank=True)

    reference_prefix = "DEP"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return f"{self.reference} {self.release.title}"

    def get_absolute_url(self) -> str:
        return reverse("releases:release_detail", args=[self.release_id])
