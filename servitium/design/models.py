"""Records of service design and transition (2011 clause 5; 2018 8.2.2, 8.5.2): the requirements a new or
changed service must meet, and the design and transition project that plans, designs, builds, tests,
accepts, deploys and reviews it (or plans a service's removal or transfer), with its acceptance criteria,
measurable expected outcomes and, for a removal or transfer, the items handed over or disposed of.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


def _text(label, help_text="") -> models.TextField:
    return models.TextField(label, blank=True, help_text=help_text)


def _person(label, related_name: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=label,
    )


def _user(label) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=label,
    )


class ServiceRequirement(BaseModel):
    """One requirement a new or changed service must meet, as a customer or another interested party
    stated it: proposed, then agreed (by whom, when) or withdrawn. Without a customer it applies to all
    the service's customers."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("functional")
        SERVICE_LEVEL = "service_level", _("service level")
        CAPACITY = "capacity", _("capacity")
        AVAILABILITY = "availability", _("availability")
        CONTINUITY = "continuity", _("continuity")
        SECURITY = "security", _("information security")
        REGULATORY = "regulatory", _("regulatory or legal")
        PREREQUISITE = "prerequisite", _("customer prerequisite")
        CONTEXT = "context", _("usage and operating context")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        related_name="service_requirements",
        verbose_name=_("service"),
    )
    customer = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requirements",
        verbose_name=_("customer"),
        help_text=_("Empty: the requirement applies to every customer of the service."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    statement = models.TextField(_("requirement"))
    source = models.CharField(
        _("source"),
        max_length=250,
        blank=True,
        help_text=_("Where it came from: a meeting, a tender, a regulation, a document."),
    )
    source_person = _person(_("stated by"), "stated_requirements")
    source_document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requirements",
        verbose_name=_("source document"),
    )
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    agreed_by = _person(_("agreed by"), "agreed_requirements")
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    # Once agreed, what the requirement says changes only under an authorised change (2011 7.1): the
    # service counts the revisions and records the change that allowed the latest.
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requirements",
        verbose_name=_("authorised by change"),
        help_text=_("The change that allowed the latest revision of an agreed requirement."),
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, editable=False)
    revised_on = models.DateField(_("revised on"), null=True, blank=True, editable=False)

    reference_prefix = "REQ"

    class Meta:
        ordering = ["service", "kind", "id"]
        verbose_name = _("service requirement")
        indexes = [models.Index(fields=["service", "kind", "id"], name="svcreq_service_kind_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.statement[:60]}"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.kind not in ("customer", "internal"):
            errors["customer"] = [_("Requirements are recorded for customers or internal groups.")]
        if self.agreed_by_id and self.customer_id:
            org = self.agreed_by.organization
            if org.pk != self.customer_id and org.kind != "provider":
                errors["agreed_by"] = [_("The person who agreed it is the customer's or the provider's.")]
        if errors:
            raise ValidationError(errors)


class DesignProject(BaseModel):
    """The design and transition of one new or changed service, or the planned removal or transfer of a
    service: planning (agreed with the customer), design, build and test, acceptance against criteria,
    transition through releases and changes, and the review of what it achieved."""

    class Kind(models.TextChoices):
        NEW = "new", _("new service")
        CHANGED = "changed", _("changed service")
        REMOVAL = "removal", _("removal of a service")
        TRANSFER = "transfer", _("transfer of a service")

    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        DESIGN = "design", _("design")
        BUILD = "build", _("build and test")
        ACCEPTANCE = "acceptance", _("acceptance")
        TRANSITION = "transition", _("transition")
        REVIEW = "review", _("post-transition review")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Decision(models.TextChoices):
        DEPLOY = "deploy", _("deploy anyway")
        DO_NOT_DEPLOY = "do_not_deploy", _("do not deploy")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNING, db_index=True
    )
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="design_projects",
        verbose_name=_("service"),
        help_text=_("For a new service: its catalogue entry in the pipeline."),
    )
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="design_projects",
        verbose_name=_("major change"),
        help_text=_("The change of major impact this project takes forward."),
    )
    requirements = models.ManyToManyField(
        ServiceRequirement, blank=True, related_name="projects", verbose_name=_("requirements met")
    )
    customers = models.ManyToManyField(
        "parties.Organization",
        blank=True,
        related_name="design_projects",
        verbose_name=_("customers involved"),
    )
    owner = _person(_("project owner"), "design_projects")
    author = _user(_("author"))
    # --- planning (2011 5.2; 2018 8.5.2.1) ---
    authorities = _text(_("authorities and responsibilities"), _("Who decides and who is accountable."))
    party_activities = _text(_("activities of each party"), _("The provider's, customers' and suppliers'."))
    communication = _text(_("communication to interested parties"))
    resources_human = _text(_("human resources"))
    resources_technical = _text(_("technical resources"))
    resources_information = _text(_("information resources"))
    resources_financial = _text(_("financial resources"))
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    milestones = _text(_("milestones"))
    risks = _text(_("risks"))
    dependencies = _text(_("dependencies"), _("On other services, suppliers, customers; 'none' if none."))
    depends_on = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="design_dependents", verbose_name=_("depends on services")
    )
    testing = _text(_("testing"), _("What is tested, how, and in which environment."))
    impacts_financial = _text(_("financial impact"))
    impacts_organisational = _text(_("organisational impact"))
    impacts_technical = _text(_("technical impact"))
    impacts_sms = _text(_("impact on the service management system"))
    plan_agreed_by = _person(_("plan agreed by"), "agreed_design_plans")
    plan_agreed_on = models.DateField(_("plan agreed on"), null=True, blank=True)
    planning_approved_by = _user(_("plan approved by"))
    planning_approved_at = models.DateTimeField(_("plan approved at"), null=True, blank=True, editable=False)
    # --- design (2011 5.3; 2018 8.5.2.2) ---
    delivery_responsibilities = _text(_("delivery authorities and responsibilities"))
    delivery_activities = _text(_("delivery activities of each party"))
    staffing = _text(_("staffing, competence and training"))
    financial_needs = _text(_("financial needs"))
    technology = _text(_("technology"))
    plans_and_policies = _text(_("plans and policies"), _("New or changed plans and policies."))
    agreements_notes = _text(_("contracts and agreements"), _("What is agreed with customers and suppliers."))
    contracts = models.ManyToManyField(
        "suppliers.SupplierContract", blank=True, related_name="design_projects", verbose_name=_("contracts")
    )
    agreements = models.ManyToManyField(
        "agreements.ServiceLevelAgreement",
        blank=True,
        related_name="design_projects",
        verbose_name=_("service level agreements"),
    )
    sms_changes = _text(_("changes to the SMS"))
    catalogue_updates = _text(_("catalogue updates"))
    procedures = _text(_("procedures, measures and information"))
    effect_on_services = _text(_("effect on other services"))
    capacity_notes = _text(_("capacity"))
    availability_notes = _text(_("availability"))
    continuity_notes = _text(_("continuity"))
    security_notes = _text(_("information security"))
    capacity_plan = models.ForeignKey(
        "capacity.CapacityPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="design_projects",
        verbose_name=_("capacity plan"),
    )
    availability_plan = models.ForeignKey(
        "availability.AvailabilityPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="design_projects",
        verbose_name=_("availability plan"),
    )
    continuity_plan = models.ForeignKey(
        "availability.ContinuityPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="design_projects",
        verbose_name=_("continuity plan"),
    )
    security_controls = models.ManyToManyField(
        "security.SecurityControl",
        blank=True,
        related_name="design_projects",
        verbose_name=_("security controls"),
    )
    design_approved_by = _user(_("design approved by"))
    design_approved_at = models.DateTimeField(_("design approved at"), null=True, blank=True, editable=False)
    # --- build and test, acceptance (2011 5.4; 2018 8.5.2.3) ---
    test_results = _text(_("test results"))
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    deploy_decision = models.CharField(
        _("decision on failed criteria"),
        max_length=14,
        choices=Decision.choices,
        blank=True,
        help_text=_("Needed when a criterion is not met."),
    )
    decision_by = _person(_("decided by"), "design_decisions")
    decision_reason = _text(_("why"))
    accepted_by = _user(_("acceptance signed off by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    # --- transition and review ---
    releases = models.ManyToManyField(
        "releases.Release", blank=True, related_name="design_projects", verbose_name=_("releases")
    )
    changes = models.ManyToManyField(
        "changes.Change", blank=True, related_name="design_transitions", verbose_name=_("changes")
    )
    transition_report = _text(_("transition report"))
    transitioned_at = models.DateTimeField(_("transition completed"), null=True, blank=True, editable=False)
    reviewed_at = models.DateField(_("reviewed on"), null=True, blank=True)
    review_conclusions = _text(_("review conclusions"))
    reported_to = _text(_("reported to"), _("Which interested parties were told the outcome, and how."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    reference_prefix = "DTP"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("design and transition project")
        indexes = [models.Index(fields=["-created", "-id"], name="dtp_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="dtp_planned_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = [_("The project cannot end before it starts.")]
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The project owner must be one of the provider's people.")]
        if self.change_id and self.change.category != "major":
            errors["change"] = [_("Design and transition takes forward changes of major impact only.")]
        if errors:
            raise ValidationError(errors)


class AcceptanceResult(models.TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")


class ServiceAcceptanceCriterion(BaseModel):
    """One criterion the new or changed service must meet before it is deployed, and how it came out."""

    project = models.ForeignKey(
        DesignProject, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("project")
    )
    criterion = models.TextField(_("criterion"))
    result = models.CharField(_("result"), max_length=8, choices=AcceptanceResult.choices, blank=True)
    evidence = _text(_("evidence"), _("What shows the result: a test report, a measurement."))
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("service acceptance criterion")
        verbose_name_plural = _("service acceptance criteria")
        indexes = [models.Index(fields=["project", "id"], name="dtpcrit_project_idx")]

    def __str__(self) -> str:
        return self.criterion[:80]

    def clean(self) -> None:
        if self.result and not (self.evidence or "").strip():
            raise ValidationError({"evidence": [_("Say what shows the result.")]})


class ExpectedOutcome(BaseModel):
    """An outcome the project is to deliver, in measurable terms, and what it achieved at the review."""

    project = models.ForeignKey(
        DesignProject, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("project")
    )
    measure = models.CharField(_("measure"), max_length=200, help_text=_("What is measured."))
    target = models.CharField(_("target"), max_length=100, help_text=_("E.g. ≥ 99.9 %, 3 customers, < 2 h."))
    achieved = models.CharField(_("achieved"), max_length=100, blank=True)
    met = models.BooleanField(_("target met"), null=True, blank=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("expected outcome")
        indexes = [models.Index(fields=["project", "id"], name="dtpoutcome_project_idx")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.target}"

    def clean(self) -> None:
        if self.met is not None and not (self.achieved or "").strip():
            raise ValidationError({"achieved": [_("Record what was achieved before judging it.")]})


class HandoverItem(BaseModel):
    """Something a removal or transfer deals with: data, a document, a configuration item, a contract, an
    agreement or knowledge; what happens to it (archived, disposed of, handed over, reallocated, retired),
    by when, and when it was done."""

    class Kind(models.TextChoices):
        DATA = "data", _("data")
        DOCUMENT = "document", _("document")
        CI = "ci", _("configuration item")
        CONTRACT = "contract", _("contract")
        AGREEMENT = "agreement", _("agreement")
        KNOWLEDGE = "knowledge", _("knowledge")

    class Action(models.TextChoices):
        ARCHIVE = "archive", _("archive")
        DISPOSE = "dispose", _("dispose of")
        TRANSFER = "transfer", _("hand over")
        REALLOCATE = "reallocate", _("release or reallocate")
        RETIRE = "retire", _("retire")

    project = models.ForeignKey(
        DesignProject, on_delete=models.CASCADE, related_name="handover_items", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
        verbose_name=_("configuration item"),
    )
    contract = models.ForeignKey(
        "suppliers.SupplierContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
        verbose_name=_("contract"),
    )
    agreement = models.ForeignKey(
        "agreements.ServiceLevelAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
        verbose_name=_("agreement"),
    )
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
        verbose_name=_("document"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    target_date = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateField(_("done on"), null=True, blank=True)
    note = _text(_("note"))

    class Meta:
        ordering = ["project", "target_date", "id"]
        verbose_name = _("handover item")
        indexes = [models.Index(fields=["project", "target_date", "id"], name="handover_project_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.description}"

    def clean(self) -> None:
        errors = {}
        links = {"ci": self.ci_id, "contract": self.contract_id, "agreement": self.agreement_id}
        links["document"] = self.document_id
        for kind, value in links.items():
            if value and self.kind != kind:
                errors[kind] = [_("Only an item of kind %(kind)s names one.") % {"kind": kind}]
        if self.project_id and self.project.kind not in (
            DesignProject.Kind.REMOVAL,
            DesignProject.Kind.TRANSFER,
        ):
            errors["project"] = [_("Handover items belong to the removal or transfer of a service.")]
        if errors:
            raise ValidationError(errors)
