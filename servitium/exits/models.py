"""Records of ending or moving a customer's cloud service (ISO/IEC 20000-9 S13 "Terminate a cloud service
contract", S14 "Transfer a cloud service"; 2011 5.2.s4, 2018 8.5.2.1.s2/s3): the exit plan agreed with the
customer, its inventory of what is handed over, archived, transferred or disposed of, the export of the
customer's data, the record of each handover and of each disposal.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


def _user_fk(label, related_name: str = "+", **extra) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=label,
        **extra,
    )


class ExitPlan(BaseModel):
    """How one customer's service ends or moves: what is concerned, by when, under which terms, who hands
    over what to whom, and from when the provider may dispose of what it still holds."""

    class Kind(models.TextChoices):
        TERMINATION = "termination", _("termination")
        TRANSFER_PROVIDER = "transfer_provider", _("transfer to another provider")
        TRANSFER_IN_HOUSE = "transfer_in_house", _("transfer back in-house")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AGREED = "agreed", _("agreed with the customer")
        HANDING_OVER = "handing_over", _("handing over")
        HANDED_OVER = "handed_over", _("handed over")
        DISPOSED = "disposed", _("disposed")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="exit_plans",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TERMINATION)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    receiving_party = models.CharField(
        _("receiving party"),
        max_length=200,
        blank=True,
        help_text=_("Who takes the service over: the new provider, or the customer's own team."),
    )
    agreements = models.ManyToManyField(
        "agreements.ServiceLevelAgreement",
        blank=True,
        related_name="exit_plans",
        verbose_name=_("agreements concerned"),
    )
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="exit_plans", verbose_name=_("services concerned")
    )
    subscriptions = models.ManyToManyField(
        "cloud.Subscription",
        blank=True,
        related_name="exit_plans",
        verbose_name=_("subscriptions ended"),
        help_text=_(
            "The customer's subscriptions this exit ends; each completes its termination only "
            "once the customer has received its data."
        ),
    )
    notice_received_on = models.DateField(_("notice received on"), null=True, blank=True)
    effective_end = models.DateField(
        _("effective end"), null=True, blank=True, help_text=_("The last day the service is delivered.")
    )
    exit_terms = models.TextField(
        _("exit procedure and terms"),
        blank=True,
        help_text=_("The clauses of the contract or agreement the exit follows, and what they require."),
    )
    dispose_not_before = models.DateField(
        _("dispose not before"),
        null=True,
        blank=True,
        help_text=_("Nothing of the customer's is disposed of before this day."),
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_exit_plans",
        verbose_name=_("owner"),
    )
    customer_contact = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_plans_as_contact",
        verbose_name=_("customer contact"),
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True, editable=False)
    agreed_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreed_exit_plans",
        verbose_name=_("agreed by"),
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    reference_prefix = "EXT"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("exit plan")
        verbose_name_plural = _("exit plans")
        indexes = [
            models.Index(fields=["-created", "-id"], name="exitplan_created_idx"),
            models.Index(fields=["customer", "status"], name="exitplan_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_end__isnull=True)
                | Q(notice_received_on__isnull=True)
                | Q(effective_end__gte=models.F("notice_received_on")),
                name="exitplan_end_after_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.customer}"

    @property
    def is_transfer(self) -> bool:
        return self.kind != self.Kind.TERMINATION

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.customer_id and self.customer.kind != "customer":
            errors["customer"] = [_("Exit plans are made for customer organizations.")]
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The owner must be one of the provider's people.")]
        if self.customer_contact_id and self.customer_contact.organization_id != self.customer_id:
            errors["customer_contact"] = [_("The customer contact must be one of the customer's people.")]
        if self.agreed_by_id and self.agreed_by.organization_id != self.customer_id:
            errors["agreed_by"] = [_("The plan is agreed by one of the customer's people.")]
        if self.notice_received_on and self.effective_end and self.effective_end < self.notice_received_on:
            errors["effective_end"] = [_("The service cannot end before the notice was received.")]
        if self.dispose_not_before and self.effective_end and self.dispose_not_before < self.effective_end:
            errors["dispose_not_before"] = [_("Disposal cannot be allowed before the service ends.")]
        if errors:
            raise ValidationError(errors)


class ExitItem(BaseModel):
    """One line of an exit plan's inventory: something of the customer's and what happens to it, by when."""

    class Kind(models.TextChoices):
        DATA = "data", _("data")
        DOCUMENT = "document", _("document")
        CI = "ci", _("configuration item")
        AGREEMENT = "agreement", _("agreement or contract")
        KNOWLEDGE = "knowledge", _("knowledge and records")
        VIRTUAL_ENVIRONMENT = "virtual_environment", _("virtual environment")
        APPLICATION = "application", _("application")

    class Action(models.TextChoices):
        HAND_OVER = "hand_over", _("hand over")
        ARCHIVE = "archive", _("archive")
        DISPOSE = "dispose", _("dispose of")
        TRANSFER = "transfer", _("transfer")

    plan = models.ForeignKey(
        ExitPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("exit plan")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_items",
        verbose_name=_("configuration item"),
    )
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_items",
        verbose_name=_("document"),
    )
    agreement = models.ForeignKey(
        "agreements.ServiceLevelAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_items",
        verbose_name=_("agreement"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    done_by = _user_fk(_("done by"), editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["plan", "due_on", "id"]
        verbose_name = _("exit item")
        verbose_name_plural = _("exit items")
        indexes = [models.Index(fields=["plan", "due_on", "id"], name="exititem_plan_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.description}"

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        plan = self.plan if self.plan_id else None
        if plan is not None:
            if self.agreement_id and self.agreement.customer_id != plan.customer_id:
                errors["agreement"] = [_("The agreement must be one of the plan's customer's agreements.")]
            if self.ci_id and not self.ci.customers.filter(pk=plan.customer_id).exists():
                errors["ci"] = [_("The configuration item does not serve the plan's customer.")]
        if errors:
            raise ValidationError(errors)


def export_path(instance: DataExport, filename: str) -> str:
    return f"exports/{instance.customer_id}/{instance.reference}.zip"


class DataExport(BaseModel):
    """One export of all of a customer's records as a ZIP in open formats with a manifest (built by the task
    queue), its hand-over and the customer's acknowledgement of receipt."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("building")
        READY = "ready", _("ready")
        HANDED_OVER = "handed_over", _("handed over")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        FAILED = "failed", _("failed")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="data_exports",
        verbose_name=_("customer"),
    )
    plan = models.ForeignKey(
        ExitPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exports",
        verbose_name=_("exit plan"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    requested_by = _user_fk(_("requested by"), editable=False)
    failure_reason = models.TextField(_("why it failed"), blank=True, editable=False)
    file = models.FileField(_("file"), upload_to=export_path, max_length=300, blank=True, editable=False)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    counts = models.JSONField(
        _("records per type"), default=dict, blank=True, editable=False, help_text=_("From the manifest.")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledged_by = _user_fk(_("acknowledged by"), editable=False)

    reference_prefix = "DEX"
    changelog_exclude = frozenset({"file"})

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [
            models.Index(fields=["-created", "-id"], name="dataexport_created_idx"),
            models.Index(fields=["customer", "status"], name="dataexport_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.customer}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.customer_id and self.customer.kind != "customer":
            errors["customer"] = [_("Exports are made of customer organizations' records.")]
        if self.plan_id and self.customer_id and self.plan.customer_id != self.customer_id:
            errors["plan"] = [_("The exit plan is another customer's.")]
        if errors:
            raise ValidationError(errors)


class HandoverRecord(BaseModel):
    """What was handed over (an export, items of the plan), to whom, when, how, and whether its receipt was
    acknowledged."""

    class Channel(models.TextChoices):
        DOWNLOAD = "download", _("secure download")
        MEDIA = "media", _("encrypted media")
        PROVIDER_TRANSFER = "provider_transfer", _("transfer to the receiving provider")
        IN_PERSON = "in_person", _("in person")
        OTHER = "other", _("other")

    plan = models.ForeignKey(
        ExitPlan, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("exit plan")
    )
    export = models.ForeignKey(
        DataExport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("data export"),
    )
    exit_items = models.ManyToManyField(
        ExitItem, blank=True, related_name="handovers", verbose_name=_("items")
    )
    receiving_party = models.CharField(_("handed over to"), max_length=200)
    recipient = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_handovers",
        verbose_name=_("recipient"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    acknowledged_on = models.DateField(_("receipt acknowledged on"), null=True, blank=True)
    acknowledgement = models.CharField(
        _("acknowledgement"),
        max_length=250,
        blank=True,
        help_text=_("E.g. the customer's mail or signed form."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-handed_over_at", "-id"]
        verbose_name = _("handover record")
        verbose_name_plural = _("handover records")
        indexes = [models.Index(fields=["-handed_over_at", "-id"], name="handover_time_idx")]

    def __str__(self) -> str:
        return f"{self.plan.reference} {self.handed_over_at:%Y-%m-%d} {self.receiving_party}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.export_id and self.plan_id and self.export.customer_id != self.plan.customer_id:
            errors["export"] = [_("The export is another customer's.")]
        if self.recipient_id and self.plan_id and self.recipient.organization_id != self.plan.customer_id:
            errors["recipient"] = [_("The recipient must be one of the customer's people.")]
        if errors:
            raise ValidationError(errors)


class DisposalRecord(BaseModel):
    """What of the customer's the provider disposed of under an exit plan, how, when, by whom, with what
    evidence. Refused before the plan allows it (services.disposal_create)."""

    class Method(models.TextChoices):
        CRYPTO_SHREDDING = "crypto_shredding", _("crypto-shredding (keys destroyed)")
        OVERWRITE = "overwrite", _("overwrite")
        DELETION = "deletion", _("deletion from the system")
        DESTRUCTION = "destruction", _("physical destruction of media")
        SUPPLIER_CERTIFICATE = "supplier_certificate", _("by the supplier, with a certificate")

    plan = models.ForeignKey(
        ExitPlan, on_delete=models.PROTECT, related_name="disposals", verbose_name=_("exit plan")
    )
    exit_items = models.ManyToManyField(
        ExitItem, blank=True, related_name="disposals", verbose_name=_("items")
    )
    scope = models.TextField(
        _("what was disposed of"),
        help_text=_("E.g. the customer's data in the service's storage, its backups and replicas."),
    )
    includes_backups = models.BooleanField(_("backups included"), default=False)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    disposed_at = models.DateTimeField(_("disposed at"))
    disposed_by = _user_fk(_("disposed by"), editable=False)
    evidence = models.CharField(
        _("evidence"), max_length=250, blank=True, help_text=_("Certificate or log reference.")
    )

    class Meta:
        ordering = ["-disposed_at", "-id"]
        verbose_name = _("disposal record")
        verbose_name_plural = _("disposal records")
        indexes = [models.Index(fields=["-disposed_at", "-id"], name="disposal_time_idx")]

    def __str__(self) -> str:
        return f"{self.plan.reference} {self.get_method_display()} {self.disposed_at:%Y-%m-%d}"
