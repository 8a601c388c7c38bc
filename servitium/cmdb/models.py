"""Configuration management (20000-1:2011 9.1 / 2018 8.2.6): CI types, configuration items (CIs) and the
relationships between them.

CI types are data: each carries a small attribute schema of our own that every CI of the type is checked
against on each write. Who sees and writes what is declared in `resources.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

from .records import AuditFinding, Baseline, BaselineItem, ConfigurationAudit, MasterCopy

__all__ = [
    "AuditFinding",
    "Baseline",
    "BaselineItem",
    "CIRelationship",
    "CIType",
    "ConfigurationAudit",
    "ConfigurationItem",
    "MasterCopy",
]

ATTRIBUTE_TYPES = ("string", "integer", "number", "boolean", "date")
SPEC_KEYS = frozenset({"type", "required", "choices", "description"})


def _matches(kind: str, value: Any) -> bool:
    """Is `value` (as stored in JSON) of the schema type `kind`?"""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        if not isinstance(value, str):
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return len(value) == 10
    return False


def schema_errors(schema: Any) -> list[str]:
    """What is wrong with an attribute schema, one message per problem, each naming the attribute (key).

    A schema maps attribute names to `{"type": one of ATTRIBUTE_TYPES, "required": bool, "choices": [...],
    "description": "..."}`; only `type` is needed.
    """
    if not isinstance(schema, dict):
        return [gettext("The attribute schema must be an object mapping attribute names to their rules.")]
    errors = []
    for name, spec in schema.items():
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            errors.append(gettext("%(name)r is not a usable attribute name.") % {"name": name})
            continue
        if not isinstance(spec, dict):
            errors.append(
                gettext('%(name)s: the rule must be an object such as {"type": "string"}.') % {"name": name}
            )
            continue
        unknown = sorted(set(spec) - SPEC_KEYS)
        if unknown:
            errors.append(
                gettext("%(name)s: unknown key(s) %(keys)s; known: %(known)s.")
                % {"name": name, "keys": ", ".join(unknown), "known": ", ".join(sorted(SPEC_KEYS))}
            )
        kind = spec.get("type")
        if kind not in ATTRIBUTE_TYPES:
            errors.append(
                gettext("%(name)s: type %(type)r is not one of %(known)s.")
                % {"name": name, "type": kind, "known": ", ".join(ATTRIBUTE_TYPES)}
            )
            continue
        if "required" in spec and not isinstance(spec["required"], bool):
            errors.append(gettext("%(name)s: required must be true or false.") % {"name": name})
        if "description" in spec and not isinstance(spec["description"], str):
            errors.append(gettext("%(name)s: the description must be text.") % {"name": name})
        if "choices" in spec:
            choices = spec["choices"]
            if not isinstance(choices, list) or not choices:
                errors.append(gettext("%(name)s: choices must be a non-empty list.") % {"name": name})
            elif kind == "boolean":
                errors.append(gettext("%(name)s: a boolean attribute takes no choices.") % {"name": name})
            else:
                wrong = [c for c in choices if not _matches(kind, c)]
                if wrong:
                    errors.append(
                        gettext("%(name)s: choices %(wrong)s are not of type %(type)s.")
                        % {"name": name, "wrong": wrong, "type": kind}
                    )
    return errors


def attribute_errors(schema: dict[str, Any], attributes: Any) -> list[str]:
    """What is wrong with a CI's attributes under its type's schema, one message per attribute."""
    if not isinstance(attributes, dict):
        return [gettext("Attributes must be an object mapping attribute names to values.")]
    errors = []
    for name in sorted(set(attributes) - set(schema)):
        errors.append(
            gettext("%(name)s: unknown attribute for this CI type (known: %(known)s).")
            % {"name": name, "known": ", ".join(sorted(schema)) or "none"}
        )
    for name, spec in schema.items():
        value = attributes.get(name)
        if value is None or value == "":
            if spec.get("required"):
                errors.append(gettext("%(name)s: required for this CI type.") % {"name": name})
            continue
        kind = spec["type"]
        if not _matches(kind, value):
            hint = gettext(" (YYYY-MM-DD)") if kind == "date" else ""
            errors.append(
                gettext("%(name)s: %(value)r is not of type %(type)s%(hint)s.")
                % {"name": name, "value": value, "type": kind, "hint": hint}
            )
        elif spec.get("choices") and value not in spec["choices"]:
            errors.append(
                gettext("%(name)s: %(value)r is not one of %(choices)s.")
                % {"name": name, "value": value, "choices": ", ".join(map(str, spec["choices"]))}
            )
    return errors


class CIType(BaseModel):
    """A kind of configuration item (server, database, licence...) and the attributes its CIs carry."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    attribute_schema = models.JSONField(
        _("attribute schema"),
        default=dict,
        blank=True,
        help_text=_(
            'Attribute name -> rule, e.g. {"os": {"type": "string", "required": true}, "cpu_cores": '
            '{"type": "integer"}}. Types: string, integer, number, boolean, date; optional "choices".'
        ),
    )
    audit_interval_days = models.PositiveIntegerField(
        _("audit interval (days)"),
        default=365,
        help_text=_("How often the CIs of this type must be covered by a reconciled configuration audit."),
    )
    financial_asset = models.BooleanField(
        _("financial asset"),
        default=False,
        help_text=_("CIs of this type are also assets in the financial asset register (servers, licences)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("CI type")
        verbose_name_plural = _("CI types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = schema_errors(self.attribute_schema)
        if errors:
            raise ValidationError({"attribute_schema": errors})


class ConfigurationItem(BaseModel):
    """An element that is controlled to deliver services: a server, an application, a licence..."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_USE = "in_use", _("in use")
        MAINTENANCE = "maintenance", _("in maintenance")
        RETIRED = "retired", _("retired")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    ci_type = models.ForeignKey(
        CIType, on_delete=models.PROTECT, related_name="items", verbose_name=_("CI type")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    version = models.CharField(_("version"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cis",
        verbose_name=_("owner"),
    )
    location = models.ForeignKey(
        "parties.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cis",
        verbose_name=_("location"),
    )
    customers = models.ManyToManyField(
        "parties.Organization",
        blank=True,
        related_name="cis",
        verbose_name=_("customers"),
        help_text=_("The customers this CI serves."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cis",
        verbose_name=_("service"),
        help_text=_("The catalogue service this CI represents or belongs to."),
    )
    documentation_url = models.URLField(_("documentation"), max_length=500, blank=True)
    asset_number = models.CharField(
        _("asset number"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Its number in the financial asset register, where its type is a financial asset."),
    )
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True, help_text=_("Values for the attributes of the CI type.")
    )
    master_copies = models.ManyToManyField(
        "MasterCopy",
        blank=True,
        related_name="cis",
        verbose_name=_("master copies"),
        help_text=_("The authorised copies in the definitive library this CI is built or restored from."),
    )

    reference_prefix = "CI"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        indexes = [
            models.Index(fields=["ci_type", "status"], name="ci_type_status_idx"),
            models.Index(fields=["name"], name="ci_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("cmdb:ci_detail", args=[self.pk])

    def clean(self) -> None:
        if self.ci_type_id is None:
            return
        errors = attribute_errors(self.ci_type.attribute_schema or {}, self.attributes)
        if errors:
            raise ValidationError({"attributes": errors})


class CIRelationship(BaseModel):
    """A directed link between two CIs: the source runs on, depends on, is part of or is provided by the
    target; `connects_to` links two CIs both ways."""

    class Kind(models.TextChoices):
        RUNS_ON = "runs_on", _("runs on")
        DEPENDS_ON = "depends_on", _("depends on")
        CONNECTS_TO = "connects_to", _("connects to")
        PART_OF = "part_of", _("part of")
        PROVIDED_BY = "provided_by", _("provided by")

    source = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("source")
    )
    target = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("target")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPENDS_ON)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["source__name", "kind", "target__name", "id"]
        verbose_name = _("CI relationship")
        verbose_name_plural = _("CI relationships")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="cirel_unique"),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="cirel_not_self",
                violation_error_message=_("A CI cannot be related to itself."),
            ),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="cirel_target_idx")]

    def __str__(self) -> str:
        # The label by the enum (get_kind_display rebuilds the field's choices on every call, which a bulk
        # write's change-log entries pay for each row).
        label = self.Kind(self.kind).label if self.kind in self.Kind.values else self.kind
        return f"{self.source.name} {label} {self.target.name}"

    def clean(self) -> None:
        if self.source_id is not None and self.source_id == self.target_id:
            raise ValidationError({"target": [_("A CI cannot be related to itself.")]})
