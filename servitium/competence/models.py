"""Records of resources and competence (2011 4.4; 2018 7.1, 7.2): the competence catalogue, what each role
requires, what each person holds, their training, and the financial resources of each service.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class Level(models.IntegerChoices):
    """How well someone masters a competence (and how well a role needs it)."""

    BASIC = 1, _("1 · basic (works under guidance)")
    PRACTITIONER = 2, _("2 · practitioner (works alone)")
    ADVANCED = 3, _("3 · advanced (handles the unusual, guides others)")
    EXPERT = 4, _("4 · expert (sets the standard)")


def _provider_person(person, field: str, what) -> dict:
    if person is not None and person.organization.kind != "provider":
        return {field: [what]}
    return {}


class CompetenceArea(BaseModel):
    """A group of competences (technical, process, management, security...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competence area")

    def __str__(self) -> str:
        return self.name


class Competence(BaseModel):
    """One skill or body of knowledge people may need for their work."""

    area = models.ForeignKey(
        CompetenceArea, on_delete=models.PROTECT, related_name="competences", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("competence")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="competence_unique_in_area")]

    def __str__(self) -> str:
        return self.name


class CompetenceRequirement(BaseModel):
    """The level of a competence a role needs. A role is a job title (as people's records carry it) or a
    team (everyone in it)."""

    job_title = models.CharField(
        _("job title"), max_length=200, blank=True, help_text=_("Everyone with this job title.")
    )
    team = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="competence_requirements",
        verbose_name=_("team"),
        help_text=_("Or: everyone in this team."),
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("competence")
    )
    required_level = models.PositiveSmallIntegerField(
        _("required level"), choices=Level.choices, default=Level.PRACTITIONER
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["job_title", "team", "competence"]
        verbose_name = _("competence requirement")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(job_title="") & Q(team__isnull=True))
                | (Q(job_title="") & Q(team__isnull=False)),
                name="competencerequirement_one_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.competence} ≥ {self.required_level}"

    @property
    def role(self) -> str:
        return self.job_title or (_("team %(name)s") % {"name": self.team.name} if self.team_id else "")

    def clean(self) -> None:
        if bool(self.job_title.strip()) == bool(self.team_id):
            raise ValidationError(
                {"job_title": [_("Name the role by a job title or by a team (one of them).")]}
            )
        if self.team_id and self.team.organization.kind != "provider":
            raise ValidationError({"team": [_("Requirements apply to the provider's own teams.")]})


class PersonCompetence(BaseModel):
    """The level at which a person holds a competence, who assessed it, when, and on what evidence (text
    here; files attached to the record)."""

    person = models.ForeignKey(
        "parties.Person", on_delete=models.CASCADE, related_name="competences", verbose_name=_("person")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="holders", verbose_name=_("competence")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    assessed_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competence_assessments",
        verbose_name=_("assessed by"),
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Certificate, degree, work observed; files may be attached.")
    )

    class Meta:
        ordering = ["person", "competence"]
        verbose_name = _("competence held")
        verbose_name_plural = _("competences held")
        constraints = [
            models.UniqueConstraint(fields=["person", "competence"], name="personcompetence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.competence} ({self.level})"

    def clean(self) -> None:
        errors = _provider_person(
            self.person if self.person_id else None,
            "person",
            _("Competences are recorded for the provider's people."),
        )
        if self.assessed_by_id and self.assessed_by_id == self.person_id:
            errors["assessed_by"] = [_("Somebody other than the person assesses the competence.")]
        if errors:
            raise ValidationError(errors)


class TrainingRecord(BaseModel):
    """A course or certification a person took (or is booked on), its result, evidence and expiry."""

    class Result(models.TextChoices):
        BOOKED = "booked", _("booked")
        ATTENDED = "attended", _("attended")
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")

    person = models.ForeignKey(
        "parties.Person", on_delete=models.CASCADE, related_name="training_records", verbose_name=_("person")
    )
    course = models.CharField(_("course"), max_length=250)
    provider = models.CharField(_("training provider"), max_length=200, blank=True)
    competence = models.ForeignKey(
        Competence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_records",
        verbose_name=_("competence developed"),
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.ATTENDED)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Certificate number, score; or attach files.")
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    effectiveness = models.TextField(
        _("effectiveness"),
        blank=True,
        help_text=_("How it was checked that the training worked, and what was found."),
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training record")
        indexes = [models.Index(fields=["person", "competence", "-date"], name="training_person_comp_idx")]

    def __str__(self) -> str:
        return f"{self.person}: {self.course} ({self.date})"

    def clean(self) -> None:
        errors = _provider_person(
            self.person if self.person_id else None,
            "person",
            _("Training is recorded for the provider's people."),
        )
        if self.expires_on and self.date and self.expires_on <= self.date:
            errors["expires_on"] = [_("The expiry must come after the training date.")]
        if errors:
            raise ValidationError(errors)


class ResourceBudget(BaseModel):
    """The financial resources of a service for one year: the budget and, as the year runs, the actual."""

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="budgets", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-year", "service"]
        verbose_name = _("resource budget")
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="resourcebudget_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year}"

    @property
    def variance(self):
        return None if self.actual is None else self.actual - self.budget
