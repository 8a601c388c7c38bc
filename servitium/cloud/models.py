"""Records of the cloud service lifecycle (ISO/IEC 20000-9 scenarios S07, S08, S11): the customer's
subscription to a catalogue offering under its agreement, the quotas of resources it may use with their
prices, the onboarding checklist (from a template per offering) the provider and the customer work through
until the customer accepts, the customer's requests for more or fewer resources, and the usage measured
per period.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

MAX_FIGURE = Decimal("1e12")
CUSTOMER_KINDS = ("customer", "internal")


def _figure(name, **extra) -> models.DecimalField:
    return models.DecimalField(name, max_digits=18, decimal_places=4, **extra)


def _money(name, **extra) -> models.DecimalField:
    return models.DecimalField(name, max_digits=14, decimal_places=2, **extra)


def _too_large(instance: models.Model, names: tuple[str, ...], errors: dict) -> None:
    for name in names:
        value = getattr(instance, name)
        if value is not None and abs(value) >= MAX_FIGURE:
            errors[name] = [_("The figure is too large.")]


class Party(models.TextChoices):
    """Who does an onboarding task."""

    PROVIDER = "provider", _("provider")
    CUSTOMER = "customer", _("customer")


class TaskKind(models.TextChoices):
    ACCOUNTS = "accounts", _("accounts and access")
    DATA_MIGRATION = "data_migration", _("data migration")
    INTEGRATIONS = "integrations", _("integrations")
    TRAINING = "training", _("training and knowledge transfer")
    ACCEPTANCE = "acceptance", _("acceptance by the customer")
    OTHER = "other", _("other")


class Subscription(BaseModel):
    """A customer's use of one catalogue offering (with the options it chose), governed by an agreement:
    ordered, onboarded, live, and ended by notice."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        ONBOARDING = "onboarding", _("onboarding")
        LIVE = "live", _("live")
        TERMINATING = "terminating", _("terminating")
        TERMINATED = "terminated", _("terminated")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    offering = models.ForeignKey(
        "catalog.Offering", on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("offering")
    )
    options = models.ManyToManyField(
        "catalog.OfferingOption",
        blank=True,
        related_name="subscriptions",
        verbose_name=_("chosen options"),
    )
    agreement = models.ForeignKey(
        "agreements.ServiceLevelAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("agreement"),
        help_text=_("The agreement with the customer on the offering's service that governs it."),
    )
    tenant_identifier = models.CharField(
        _("tenant identifier"), max_length=200, blank=True, help_text=_("The customer's tenant in the cloud.")
    )
    account_identifiers = models.JSONField(
        _("account identifiers"),
        default=list,
        blank=True,
        help_text=_('The customer\'s accounts or projects, e.g. ["elm-prod", "elm-test"].'),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ORDERED, db_index=True
    )
    onboarding_started_on = models.DateField(
        _("onboarding started on"), null=True, blank=True, editable=False
    )
    accepted_at = models.DateTimeField(
        _("accepted by the customer at"), null=True, blank=True, editable=False
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("accepted by"),
    )
    live_on = models.DateField(_("live on"), null=True, blank=True, editable=False)
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True, editable=False)
    effective_end = models.DateField(
        _("effective end"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the subscription ends after notice."),
    )
    notes = models.TextField(_("notes"), blank=True)
    reference_prefix = "SUB"

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("subscription")
        indexes = [models.Index(fields=["-start", "-id"], name="subscription_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="subscription_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.offering}" if self.offering_id else self.reference

    @property
    def monthly_cost(self) -> Decimal:
        """Allocated times price over the quotas (reads prefetched quotas when they were loaded)."""
        if not self.pk:
            return Decimal("0.00")
        return sum((q.monthly_cost for q in self.quotas.all()), Decimal("0.00"))

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.customer_id and self.customer.kind not in CUSTOMER_KINDS:
            errors["customer"] = [_("Subscriptions are held by customers or internal groups.")]
        if self.start and self.end and self.end < self.start:
            errors["end"] = [_("The end cannot come before the start.")]
        if self.agreement_id and self.customer_id and self.offering_id:
            if self.agreement.customer_id != self.customer_id:
                errors["agreement"] = [_("The agreement is with another customer.")]
            elif self.agreement.service_id != self.offering.service_id:
                errors["agreement"] = [_("The agreement covers another service than the offering's.")]
        if not isinstance(self.account_identifiers, list) or not all(
            isinstance(a, str) and 0 < len(a) <= 200 for a in self.account_identifiers
        ):
            errors["account_identifiers"] = [_('Give a list of identifiers, e.g. ["elm-prod"].')]
        if errors:
            raise ValidationError(errors)


class SubscriptionQuota(BaseModel):
    """How much of one resource a subscription may use, what it has been given, and its price per unit
    and month."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("subscription")
    )
    resource = models.CharField(_("resource"), max_length=80, help_text=_("E.g. vCPU, RAM, storage, seats."))
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("E.g. cores, GB, TB, users."))
    limit = _figure(_("quota"), validators=[MinValueValidator(0)])
    allocated = _figure(
        _("allocated"),
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("What the customer has been given (fulfilled resource requests add to it)."),
    )
    unit_price = _money(
        _("price per unit and month"), default=Decimal("0"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["subscription", "resource"]
        verbose_name = _("subscription quota")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "resource"], name="quota_one_per_resource"),
        ]

    def __str__(self) -> str:
        limit = "—" if self.limit is None else self.limit.normalize()
        return f"{self.resource}: {limit} {self.unit}".strip()

    @property
    def monthly_cost(self) -> Decimal:
        return ((self.allocated or 0) * (self.unit_price or 0)).quantize(Decimal("0.01"))

    def clean(self) -> None:
        errors: dict[str, list] = {}
        _too_large(self, ("limit", "allocated"), errors)
        if self.unit_price is not None and self.unit_price >= MAX_FIGURE:
            errors["unit_price"] = [_("The figure is too large.")]
        if self.resource is not None and not self.resource.strip():
            errors["resource"] = [_("Name the resource.")]
        if errors:
            raise ValidationError(errors)


class OnboardingTemplate(BaseModel):
    """The checklist onboarding a customer onto an offering follows."""

    offering = models.OneToOneField(
        "catalog.Offering",
        on_delete=models.CASCADE,
        related_name="onboarding_template",
        verbose_name=_("offering"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("onboarding template")

    def __str__(self) -> str:
        return self.name


class OnboardingTemplateTask(BaseModel):
    """One step of an onboarding template: what, who does it and how many days after onboarding starts
    it is due."""

    template = models.ForeignKey(
        OnboardingTemplate, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("template")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    party = models.CharField(_("done by"), max_length=10, choices=Party.choices, default=Party.PROVIDER)
    owner_team = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default team"),
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default owner"),
    )
    due_offset_days = models.PositiveSmallIntegerField(
        _("due after (days)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_("Days from the start of onboarding."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("onboarding template task")
        indexes = [models.Index(fields=["template", "order", "id"], name="onbtpltask_order_idx")]

    def __str__(self) -> str:
        return self.title


class OnboardingTask(BaseModel):
    """One step of a subscription's onboarding: who owns it, when it is due, and when and by whom it was
    done. The acceptance task is the customer's acceptance of the service."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("subscription")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    party = models.CharField(_("done by"), max_length=10, choices=Party.choices, default=Party.PROVIDER)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("done by (user)"),
    )
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["subscription", "order", "id"]
        verbose_name = _("onboarding task")
        indexes = [models.Index(fields=["subscription", "order", "id"], name="onbtask_order_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, today) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < today


class ResourceRequest(BaseModel):
    """A customer's request to add or release resources under its subscription: approved at once when it
    stays within the quota, held for a cloud manager's decision when it goes beyond; then fulfilled, with
    what was allocated and what it costs."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        FULFILLED = "fulfilled", _("fulfilled")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        related_name="resource_requests",
        verbose_name=_("subscription"),
    )
    resource = models.CharField(_("resource"), max_length=80)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    change = _figure(
        _("change"),
        help_text=_("How much more (positive) or less (negative): scale up or down, seats, instances."),
    )
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    within_quota = models.BooleanField(_("within quota"), default=False, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, editable=False)
    allocated_quantity = _figure(_("allocated quantity"), null=True, blank=True, editable=False)
    allocation_note = models.TextField(
        _("what was allocated"), blank=True, editable=False, help_text=_("Identifiers of the resources.")
    )
    unit_cost = _money(_("cost per unit and month"), null=True, blank=True, editable=False)
    total_cost = _money(_("cost per month"), null=True, blank=True, editable=False)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True, editable=False)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("fulfilled by"),
    )
    reference_prefix = "RRQ"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("resource request")
        indexes = [models.Index(fields=["-created", "-id"], name="rrq_created_idx")]

    def __str__(self) -> str:
        return (
            f"{self.reference} {self.resource} {self.change.normalize() if self.change is not None else ''}"
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.change is not None and self.change == 0:
            errors["change"] = [_("Ask for more (positive) or less (negative), not zero.")]
        _too_large(self, ("change", "allocated_quantity"), errors)
        if self.resource is not None and not self.resource.strip():
            errors["resource"] = [_("Name the resource.")]
        if self.justification is not None and not self.justification.strip():
            errors["justification"] = [_("Say why the resources are needed.")]
        if errors:
            raise ValidationError(errors)


class UsageRecord(BaseModel):
    """How much of a resource a subscription used in a period (a month, usually), as measured."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="usage", verbose_name=_("subscription")
    )
    resource = models.CharField(_("resource"), max_length=80)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"), help_text=_("The last day of the period."))
    quantity = _figure(_("quantity used"), validators=[MinValueValidator(0)])
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("Where the figure comes from (a meter, a report)."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("E.g. why use above the quota needs no resource request.")
    )

    class Meta:
        ordering = ["-period_start", "subscription", "resource"]
        verbose_name = _("usage record")
        indexes = [
            models.Index(fields=["-period_start", "subscription", "resource"], name="usage_period_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "resource", "period_start"], name="usage_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="usage_period"
            ),
        ]

    def __str__(self) -> str:
        quantity = "" if self.quantity is None else self.quantity.normalize()
        return f"{self.resource} {self.period_start}: {quantity}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = [_("The period cannot end before it starts.")]
        _too_large(self, ("quantity",), errors)
        if self.resource is not None and not self.resource.strip():
            errors["resource"] = [_("Name the resource.")]
        if errors:
            raise ValidationError(errors)
