"""Parties (20000-1:2011 7.1 / 2018 8.3.2): organizations, locations, people, teams and user accounts."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.models import BaseModel
from servitium.core.permissions import RestrictedQuerySet


class Organization(BaseModel):
    """A party the provider deals with: itself, a customer, a supplier or an internal group."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("service provider")
        CUSTOMER = "customer", _("customer")
        SUPPLIER = "supplier", _("supplier")
        INTERNAL = "internal", _("internal group")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Location(BaseModel):
    """A site of an organization (offices, data centres)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. DE"))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("location")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="location_unique_name")]

    def __str__(self) -> str:
        return f"{self.organization} – {self.name}"

    def clean(self) -> None:
        if self.time_zone:
            try:
                zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValidationError(
                    {"time_zone": _("Unknown time zone %(tz)s.") % {"tz": self.time_zone}}
                ) from None


class ServitiumUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """A login. Provider staff act through roles; customer users are confined to their organization."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # Blank: the browser's preference decides. Any language with a compiled catalogue may be chosen
    # (settings.LANGUAGES), so a third language needs no code.
    language = models.CharField(_("language"), max_length=16, blank=True)

    objects = ServitiumUserManager()
    reference_prefix = None
    changelog_exclude = frozenset({"password", "last_login"})

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")

    def clean(self) -> None:
        super().clean()
        roles = self.roles if isinstance(self.roles, list) else None
        if roles is None or not all(isinstance(r, str) for r in roles):
            raise ValidationError({"roles": _("Roles must be a list of role names.")})
        unknown = sorted(set(roles) - set(permissions.ROLES))
        if unknown:
            raise ValidationError(
                {
                    "roles": _("Unknown role(s): %(names)s. Known: %(known)s.")
                    % {"names": ", ".join(unknown), "known": ", ".join(sorted(permissions.ROLES))}
                }
            )
        if permissions.CUSTOMER in roles:
            if len(roles) > 1:
                raise ValidationError({"roles": _("A customer user cannot also hold provider roles.")})
            if self.organization_id is None:
                raise ValidationError({"organization": _("A customer user must belong to an organization.")})
            if self.organization.kind != Organization.Kind.CUSTOMER:
                raise ValidationError(
                    {"organization": _("A customer user must belong to a customer organization.")}
                )
        if self.time_zone:
            try:
                zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValidationError(
                    {"time_zone": _("Unknown time zone %(tz)s.") % {"tz": self.time_zone}}
                ) from None
        known = [code for code, _name in settings.LANGUAGES]
        if self.language and self.language not in known:
            raise ValidationError(
                {
                    "language": _("Unknown language %(code)s. Available: %(known)s.")
                    % {"code": self.language, "known": ", ".join(known)}
                }
            )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("parties:user_detail", args=[self.pk])

    @classmethod
    def object_type(cls) -> str:
        return "parties.user"


class Person(BaseModel):
    """Someone the provider deals with: a caller, a contact, a service owner; optionally a login."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["organization", "name"], name="person_org_name_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The login speaks for the person: one of another organization would let its holder act as this
        # person, and show the person's organization the login of somebody else's.
        if self.user_id and self.organization_id:
            login_organization = self.user.organization_id
            if login_organization is not None and login_organization != self.organization_id:
                raise ValidationError(
                    {"user": _("This login belongs to another organization than the person.")}
                )


class Team(BaseModel):
    """An assignment group: people who take work together, with a lead."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams")
    members = models.ManyToManyField(Person, blank=True, related_name="teams")
    lead = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")

    def __str__(self) -> str:
        return self.name

    def has_member(self, person_id: int) -> bool:
        """Whether the person is a member. A caller that loaded the members once for many checks (an
        import writing thousands of tickets) leaves their ids in `member_ids` and no query is made."""
        known = getattr(self, "member_ids", None)
        if known is not None:
            return person_id in known
        return self.members.filter(pk=person_id).exists()
