"""Records of budgeting and accounting for services (2011 6.4; 2018 8.4.1): budgets per service and period,
cost items (direct to a service, or indirect and shared out by an apportionment rule), the rules that share
indirect costs, the charge rules that price what customers receive, and charging statements.

Money is held as `Decimal` with two places, in one currency for the whole provider (`currency()`, from the
setting `FINANCE_CURRENCY`, euro by default). Who may see and write them is declared in resources.py; every
write goes through services.py.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

CENT = Decimal("0.01")
MONEY = {"max_digits": 14, "decimal_places": 2}


def currency() -> str:
    """The provider's one accounting currency (ISO 4217 code)."""
    return getattr(settings, "FINANCE_CURRENCY", "EUR")


class CostCategory(models.TextChoices):
    """What money is spent on: the kinds of service component 2011 6.4 a) names."""

    ASSETS = "assets", _("assets (hardware)")
    LICENCES = "licences", _("software licences")
    SHARED = "shared", _("shared resources")
    OVERHEADS = "overheads", _("overheads")
    EXTERNAL = "external", _("externally supplied services")
    PERSONNEL = "personnel", _("personnel")
    FACILITIES = "facilities", _("facilities")
    OTHER = "other", _("other")


class Approval(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


LARGEST = Decimal("999999999999.99")  # a line's amount stays within the 14 digits of a total


def _money(value: Any) -> Decimal | None:
    """`value` as an amount of money (at least 0, at most two decimal places), or None."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite() or not Decimal(0) <= number <= LARGEST or number != number.quantize(CENT):
            return None
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number


class Budget(BaseModel):
    """The money planned for one service in one period (a year, or one month of it), in lines per cost
    category. A budget counts once someone other than its author has approved it."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="finance_budgets", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Empty for a budget of the whole year."),
    )
    lines = models.JSONField(
        _("lines"),
        default=list,
        blank=True,
        help_text=_('Per cost category, e.g. [{"category": "personnel", "amount": "12000.00"}].'),
    )
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0.00"), editable=False)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Assumptions and forecasts behind it."))
    status = models.CharField(
        _("status"), max_length=10, choices=Approval.choices, default=Approval.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)

    reference_prefix = "BUD"

    class Meta:
        ordering = ["-year", "service__name", "month"]
        verbose_name = _("budget")
        indexes = [models.Index(fields=["year", "service", "month"], name="budget_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year"], condition=Q(month__isnull=True), name="budget_one_per_year"
            ),
            models.UniqueConstraint(
                fields=["service", "year", "month"],
                condition=Q(month__isnull=False),
                name="budget_one_per_month",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.reference} {self.service} {period}" if self.service_id else self.reference

    def clean(self) -> None:
        errors = line_errors(self.lines)
        if errors:
            raise ValidationError({"lines": errors})

    def amounts(self) -> dict[str, Decimal]:
        """The amount budgeted per cost category."""
        found: dict[str, Decimal] = {}
        for line in self.lines or []:
            found[line["category"]] = found.get(line["category"], Decimal(0)) + Decimal(str(line["amount"]))
        return found


def line_errors(lines: Any) -> list[str]:
    """What is wrong with a budget's lines (a list of {category, amount}), in plain words."""
    if not isinstance(lines, list):
        return [str(_("Give the lines as a list of {category, amount}."))]
    categories = set(CostCategory.values)
    seen = set()
    for line in lines:
        if not isinstance(line, dict) or line.get("category") not in categories:
            return [
                str(
                    _("Each line needs a category (one of %(c)s) and an amount.")
                    % {"c": ", ".join(CostCategory.values)}
                )
            ]
        if _money(line.get("amount")) is None:
            return [
                str(
                    _("Each amount is a number from 0 to %(max)s with at most two decimal places.")
                    % {"max": LARGEST}
                )
            ]
        if line["category"] in seen:
            return [str(_("Give each category once."))]
        seen.add(line["category"])
    return []


def lines_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(line["amount"])) for line in lines), Decimal("0.00")).quantize(CENT)


class ApportionmentRule(BaseModel):
    """How an indirect cost is shared out among services: by fixed shares, or in proportion to each
    service's customers, configuration items or tickets in the period of the cost."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed shares")
        CUSTOMERS = "customers", _("by number of customers")
        CIS = "cis", _("by number of configuration items")
        TICKETS = "tickets", _("by ticket volume")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Why costs are shared this way.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    services = models.ManyToManyField(
        "catalog.Service",
        blank=True,
        related_name="apportionment_rules",
        verbose_name=_("services"),
        help_text=_(
            "The services that share the cost (empty: every live service). Not used by fixed shares."
        ),
    )
    shares = models.JSONField(
        _("fixed shares"),
        default=list,
        blank=True,
        help_text=_(
            'For fixed shares, e.g. [{"service": 3, "percent": "60"}, {"service": 5, "percent": "40"}].'
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("apportionment rule")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.FIXED:
            errors = share_errors(self.shares)
            if errors:
                raise ValidationError({"shares": errors})
        elif self.shares:
            raise ValidationError({"shares": [_("Only a rule of fixed shares has shares.")]})


def share_errors(shares: Any) -> list[str]:
    """What is wrong with fixed shares: a list of {service, percent}, each service once, totalling 100."""
    from servitium.catalog.models import Service

    if not isinstance(shares, list) or not shares:
        return [str(_("Give the shares as a list of {service, percent}."))]
    ids = []
    total = Decimal(0)
    for share in shares:
        service = share.get("service") if isinstance(share, dict) else None
        if not isinstance(service, int) or isinstance(service, bool) or not 0 < service < 2**62:
            return [str(_("Each share names a service by its id and gives a percent."))]
        try:
            percent = Decimal(str(share.get("percent")))
            valid = percent.is_finite() and Decimal(0) < percent <= Decimal(100)
        except (InvalidOperation, TypeError, ValueError):
            valid = False
        if not valid or isinstance(share.get("percent"), bool):
            return [str(_("Each percent is more than 0 and at most 100."))]
        ids.append(share["service"])
        total += percent
    if len(set(ids)) != len(ids):
        return [str(_("Name each service once."))]
    if Service.objects.filter(pk__in=ids).count() != len(ids):
        return [str(_("A share names a service that does not exist."))]
    if total != Decimal(100):
        return [str(_("The shares total %(t)s %%; they must total exactly 100 %%.") % {"t": total})]
    return []


class CostItem(BaseModel):
    """Money spent: direct (on one service) or indirect (shared by an apportionment rule), with what it
    was for, whether it is capital or operating spending, and where it came from (a supplier's contract,
    a change, a service request)."""

    class Allocation(models.TextChoices):
        DIRECT = "direct", _("direct")
        INDIRECT = "indirect", _("indirect (apportioned)")

    class Expense(models.TextChoices):
        OPERATING = "operating", _("operating")
        CAPITAL = "capital", _("capital")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    date = models.DateField(_("date"), db_index=True)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    category = models.CharField(_("category"), max_length=12, choices=CostCategory.choices)
    expense = models.CharField(
        _("capital or operating"), max_length=10, choices=Expense.choices, default=Expense.OPERATING
    )
    allocation = models.CharField(
        _("direct or indirect"), max_length=10, choices=Allocation.choices, default=Allocation.DIRECT
    )
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("service"),
        help_text=_("The service a direct cost belongs to."),
    )
    rule = models.ForeignKey(
        ApportionmentRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("apportionment rule"),
        help_text=_("How an indirect cost is shared among services."),
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("supplier"),
    )
    contract = models.ForeignKey(
        "suppliers.SupplierContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("supplier contract"),
    )
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("change"),
        help_text=_("The change this cost was spent on."),
    )
    request = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_items",
        verbose_name=_("service request"),
        help_text=_("The resource or service request this cost was spent on."),
    )

    reference_prefix = "CST"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("cost item")
        indexes = [
            models.Index(fields=["-date", "-id"], name="costitem_date_idx"),
            models.Index(fields=["service", "date"], name="costitem_service_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="costitem_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocation="direct", service__isnull=False, rule__isnull=True)
                | Q(allocation="indirect", rule__isnull=False, service__isnull=True),
                name="costitem_direct_or_apportioned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.allocation == self.Allocation.DIRECT:
            if not self.service_id:
                errors["service"] = [_("A direct cost names the service it belongs to.")]
            if self.rule_id:
                errors["rule"] = [_("A direct cost is not apportioned; leave the rule empty.")]
        else:
            if not self.rule_id:
                errors["rule"] = [_("An indirect cost needs the apportionment rule that shares it.")]
            if self.service_id:
                errors["service"] = [_("An indirect cost is shared by its rule; leave the service empty.")]
        if self.contract_id and self.supplier_id and self.contract.supplier_id != self.supplier_id:
            errors["contract"] = [_("The contract is with another supplier.")]
        if self.request_id and self.request.kind != "request":
            errors["request"] = [_("Link a service request, not an incident.")]
        if errors:
            raise ValidationError(errors)


class ChargeRule(BaseModel):
    """What a customer receiving a service is charged per month (the catalogue's offerings carry no
    prices, so the price is kept here, optionally naming the offering it prices)."""

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="charge_rules", verbose_name=_("service")
    )
    offering = models.ForeignKey(
        "catalog.Offering",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charge_rules",
        verbose_name=_("offering"),
    )
    description = models.CharField(_("description"), max_length=200)
    monthly_price = models.DecimalField(
        _("price per month"), **MONEY, validators=[MinValueValidator(Decimal("0.00"))]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["service__name", "description"]
        verbose_name = _("charge rule")
        constraints = [
            models.CheckConstraint(condition=Q(monthly_price__gte=0), name="chargerule_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.offering_id and self.service_id and self.offering.service_id != self.service_id:
            raise ValidationError({"offering": [_("The offering belongs to another service.")]})


class ChargingStatement(BaseModel):
    """What one customer is charged for one period, line by line from the charge rules; approved by
    someone other than its author, then issued to the customer (who sees only issued statements)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        ISSUED = "issued", _("issued")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="charging_statements",
        verbose_name=_("customer"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The first day after the period."))
    lines = models.JSONField(_("lines"), default=list, blank=True, editable=False)
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0.00"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", editable=False)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True, editable=False)

    reference_prefix = "STM"

    class Meta:
        ordering = ["-period_start", "customer__name"]
        verbose_name = _("charging statement")
        indexes = [models.Index(fields=["-period_start", "customer"], name="statement_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period_start", "period_end"], name="statement_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="statement_period_forward"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reference} {self.customer} {self.period_start:%Y-%m}"
            if self.customer_id
            else self.reference
        )

    def clean(self) -> None:
        for name in ("period_start", "period_end"):
            day = getattr(self, name)
            if day and not 2000 <= day.year <= 2100:
                raise ValidationError({name: [_("Give a date from 2000 to 2100.")]})
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": [_("The period ends after it starts.")]})
        if self.customer_id and self.customer.kind != "customer":
            raise ValidationError({"customer": [_("Statements are for customers.")]})
